package dev.baton.integration;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DurableChild} JVM started on this test JVM's own java binary and class path, its output echoed with a
 * prefix and kept so the test can wait for a line.
 */
final class ChildProcess {

    /** Exit status of a JVM ended by SIGKILL (128 + 9): how the test proves the kill was not a graceful stop. */
    static final int SIGKILL_EXIT = 137;

    final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread pump;

    private ChildProcess(Process process, String label) {
        this.process = process;
        this.pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (!line.startsWith(LedgerWorkload.REPORTED)) {
                        System.out.println("[" + label + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the child was killed mid-line: nothing more to read
            }
        }, "child-output-" + label);
        pump.setDaemon(true);
        pump.start();
    }

    static ChildProcess start(String label, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // small heap and one compiler thread: the children share two cores with the test JVM and each other
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DurableChild.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new ChildProcess(p, label);
    }

    boolean saw(String prefix) {
        for (String l : lines) {
            if (l.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Waits until the child printed a line starting with {@code prefix}, or exited, or the time is up. */
    boolean awaitLine(String prefix, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!saw(prefix)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            // waiting on the child itself paces the loop: it returns early only if the child exits
            if (process.waitFor(20, TimeUnit.MILLISECONDS)) {
                return saw(prefix);
            }
        }
        return true;
    }

    /**
     * Waits until the child reported at least {@code deliveries} handler deliveries (its {@code DELIVERED <n>} lines),
     * or exited, or the time is up.
     */
    boolean awaitDeliveries(int deliveries, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (delivered() < deliveries) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            if (process.waitFor(5, TimeUnit.MILLISECONDS)) {
                return delivered() >= deliveries;
            }
        }
        return true;
    }

    /** The highest delivery count the child has reported so far. */
    int delivered() {
        int max = 0;
        for (String l : lines) {
            if (l.startsWith("DELIVERED ")) {
                max = Math.max(max, Integer.parseInt(l.substring("DELIVERED ".length()).trim()));
            }
        }
        return max;
    }

    /**
     * For a child that hangs: asks its JVM for a thread dump (SIGQUIT, which prints it to the child's output, echoed
     * here), gives it a moment to print, then kills it.
     */
    void dumpThreadsAndKill() throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-3", Long.toString(process.pid())).inheritIO().start().waitFor();
            process.waitFor(3, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.out.println("no thread dump of the child: " + e);
        }
        kill();
        pump.join(TimeUnit.SECONDS.toMillis(10));
    }

    /** Kills the child with SIGKILL and waits for it to be gone; returns its exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        return process.exitValue();
    }

    List<String> lines() {
        return lines;
    }

    /**
     * The deliveries the child reported as committed ({@link LedgerWorkload#REPORTED} lines). A line the kill cut
     * short (no final dot) is left out: the check may only rely on what the child said in full. Call it once the
     * child has exited.
     */
    List<Durability.Reported> reported(int generation) throws InterruptedException {
        // the child is gone: read what it wrote to the end before counting
        pump.join(TimeUnit.SECONDS.toMillis(30));
        if (pump.isAlive()) {
            throw new AssertionError("the child's output did not end within 30 s of its exit");
        }
        List<Durability.Reported> out = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith(LedgerWorkload.REPORTED)) {
                String[] parts = l.substring(LedgerWorkload.REPORTED.length()).trim().split(" ");
                if (parts.length == 3 && parts[1].matches("[0-9]+") && parts[2].equals(".")) {
                    out.add(new Durability.Reported(parts[0], Integer.parseInt(parts[1]), generation));
                }
            }
        }
        return out;
    }
}
