package dev.baton.integration;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts a {@link DurableChild} on a database again and again, killing it with SIGKILL at a random moment each time
 * until it has been killed {@code kills} times, then lets one last child finish every run.
 */
final class CrashHarness {

    private CrashHarness() {
    }

    /** @return how many times the child was killed */
    static int run(String kind, String url, int runs, int kills, long seed) throws Exception {
        System.out.println("crash test on " + kind + ": seed " + seed);
        Random random = new Random(seed);
        int killed = 0;
        int generation = 0;
        while (killed < kills) {
            generation++;
            ChildProcess child = ChildProcess.start(kind + "-" + generation,
                    kind, url, Integer.toString(generation), "-", "0", "0", Integer.toString(runs), "exit");
            // the kill lands anywhere from mid-recovery to deep into the runs
            assertThat(child.awaitLine("READY", 60_000)).as("child %d became ready", generation).isTrue();
            long delay = 50 + random.nextInt(700);
            if (child.process.waitFor(delay, TimeUnit.MILLISECONDS)) {
                // it finished every run before the kill: no crash this time, and nothing left to crash into
                assertThat(child.process.exitValue()).isZero();
                throw new AssertionError("child " + generation + " finished before it could be killed " + kills
                        + " times (killed " + killed + "); make the runs longer");
            }
            int exit = child.kill();
            assertThat(exit).as("exit status of a SIGKILLed JVM").isEqualTo(ChildProcess.SIGKILL_EXIT);
            killed++;
            System.out.println("killed child " + generation + " after " + delay + " ms past READY");
        }
        generation++;
        ChildProcess last = ChildProcess.start(kind + "-" + generation,
                kind, url, Integer.toString(generation), "-", "0", "0", Integer.toString(runs), "exit");
        assertThat(last.process.waitFor(120, TimeUnit.SECONDS)).as("last child finished").isTrue();
        assertThat(last.process.exitValue()).as("last child's exit status").isZero();
        assertThat(last.saw("NOT COMPLETED")).isFalse();
        return killed;
    }
}
