package dev.baton.store.jdbc;

import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.persistence.LogInvariants;
import dev.baton.plan.Plan;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The H2 store against SIGKILL: a child JVM appends to runs from several threads and reports each append once it has
 * returned; the parent kills it mid-work, opens the database again and checks that every reported append is there,
 * every log keeps its invariants and takes its next append. It runs on the embedded store (a pool, which keeps the
 * database open) and on an unpooled data source (where the database closes and opens again with its connections).
 * With H2's default write delay the first check fails on the first kill, by hundreds of appends: the commits H2 had
 * acknowledged were still in memory.
 */
class H2KillTest {

    static final int ROUNDS = 3;
    static final int THREADS = 8;
    /** Appends reported before the kill: well past the child's start, so the kill lands while all threads append. */
    static final int REPORTS_BEFORE_KILL = 1_500;

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"embedded", "unpooled"})
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyAcknowledgedAppendSurvivesAKillAndEveryLogTakesItsNextAppend(String kind) throws Exception {
        Map<String, Long> acknowledged = new HashMap<>();
        for (int round = 1; round <= ROUNDS; round++) {
            Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    Child.class.getName(), dir.toString(), Integer.toString(round), kind)
                    .redirectErrorStream(true).start();
            int reports = 0;
            boolean killed = false;
            List<String> other = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                // read to the end: the lines still in the pipe when the kill lands are the freshest acknowledgements
                for (String line; (line = out.readLine()) != null; ) {
                    String[] parts = line.split(" ");
                    if (parts.length == 4 && parts[0].equals("A") && parts[3].equals(".")) {
                        acknowledged.merge(parts[1], Long.parseLong(parts[2]), Math::max);
                        reports++;
                    } else {
                        other.add(line);
                    }
                    if (reports == REPORTS_BEFORE_KILL && !killed) {
                        // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe
                        child.toHandle().destroyForcibly();
                        killed = true;
                    }
                }
            }
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(killed).as("killed after %d reports in round %d (other output: %s)", REPORTS_BEFORE_KILL,
                    round, other).isTrue();
            assertThat(child.exitValue()).as("exit status of a SIGKILLed JVM").isEqualTo(137);

            try (JdbcRunStore store = JdbcRunStore.embedded(dir)) {
                for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
                    List<RunEvent> events = store.events(e.getKey());
                    assertThat((long) events.size()).as("events of %s after kill %d", e.getKey(), round)
                            .isGreaterThanOrEqualTo(e.getValue());
                    assertThat(LogInvariants.check(events)).as("log invariants of %s", e.getKey()).isEmpty();
                    // the next seq is free: nothing of a cut-off commit is left in the key's index
                    long next = events.size() + 1;
                    store.append(e.getKey(), events.size(), List.of(new TaskStarted(e.getKey(), next, T0,
                            "t" + next, e.getKey() + "/t" + next, 1, Map.of())), null, T0);
                    store.append(e.getKey(), next, List.of(new TaskCompleted(e.getKey(), next + 1, T0, "t" + next,
                            e.getKey() + "/t" + next, 1, Map.of("n", next), false)), null, T0);
                    e.setValue(next + 1);
                }
            }
        }
        assertThat(acknowledged).hasSize(ROUNDS * THREADS);
    }

    /**
     * The killed process: {@code <dir> <round> embedded|unpooled}; {@value #THREADS} threads each create a run of
     * their own and append a task's start and completion again and again, printing {@code A <runId> <seq> .} after
     * each append returns.
     */
    public static final class Child {

        private Child() {
        }

        public static void main(String[] args) throws Exception {
            // a thread that dies ends the process, so the parent sees the end of the output instead of waiting
            Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
                System.out.println("child thread " + t.getName() + " failed: " + e);
                System.out.flush();
                Runtime.getRuntime().halt(1);
            });
            JdbcRunStore store;
            if (args[2].equals("embedded")) {
                store = JdbcRunStore.embedded(Path.of(args[0]));
            } else {
                JdbcDataSource ds = new JdbcDataSource();
                ds.setURL("jdbc:h2:file:" + Path.of(args[0]).toAbsolutePath().resolve("baton").toString()
                        .replace('\\', '/'));
                ds.setUser("sa");
                store = JdbcRunStore.h2(ds);
            }
            String round = args[1];
            Plan plan = Plan.builder().task("t", "svc", Map.of()).build();
            for (int t = 0; t < THREADS; t++) {
                String runId = "r" + round + "-" + t;
                Thread thread = new Thread(() -> {
                    store.append(runId, 0, List.of(new RunCreated(runId, 1, T0, plan,
                            new RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null))), null, T0);
                    report(runId, 1);
                    for (long seq = 1; ; seq += 2) {
                        String task = "t" + seq;
                        store.append(runId, seq, List.of(new TaskStarted(runId, seq + 1, T0, task,
                                runId + "/" + task, 1, Map.of())), null, T0);
                        report(runId, seq + 1);
                        store.append(runId, seq + 1, List.of(new TaskCompleted(runId, seq + 2, T0, task,
                                runId + "/" + task, 1, Map.of("n", seq), false)), null, T0);
                        report(runId, seq + 2);
                    }
                });
                thread.start(); // not a daemon: the appenders keep the JVM alive until it is killed
            }
        }

        private static void report(String runId, long seq) {
            System.out.println("A " + runId + " " + seq + " .");
        }
    }
}
