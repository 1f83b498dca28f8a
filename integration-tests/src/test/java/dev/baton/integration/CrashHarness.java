package dev.baton.integration;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts a {@link DurableChild} on a database again and again, killing it with SIGKILL at a random point of its work each time
 * until it has been killed {@code kills} times, then lets one last child finish every run.
 */
final class CrashHarness {

    private CrashHarness() {
    }

    /** What a harness run did: how many times the child was killed, and every delivery the children reported. */
    record Outcome(int killed, List<Durability.Reported> reported) {
    }

    static Outcome run(String kind, String url, int runs, int kills, long seed) throws Exception {
        System.out.println("crash test on " + kind + ": seed " + seed);
        Random random = new Random(seed);
        int killed = 0;
        int generation = 0;
        List<Durability.Reported> reported = new ArrayList<>();
        while (killed < kills) {
            generation++;
            ChildProcess child = ChildProcess.start(kind + "-" + generation,
                    kind, url, Integer.toString(generation), "-", "0", "0", Integer.toString(runs), "exit");
            // the kill lands at a random amount of work done, from the first deliveries (often re-deliveries of what
            // the previous child left running) to deep into the runs; measured in deliveries, not milliseconds, so a
            // fast machine cannot finish every run before the last kill. All kills together use at most half the
            // work, so there is always something left to crash into.
            int target = 1 + random.nextInt(Math.max(1, runs * LedgerWorkload.TASKS / (2 * kills)));
            if (!child.awaitDeliveries(target, 120_000)) {
                assertThat(child.process.isAlive()).as("child %d alive before %d deliveries", generation, target)
                        .isTrue();
                throw new AssertionError("child " + generation + " made no progress to " + target + " deliveries");
            }
            int exit = child.kill();
            reported.addAll(child.reported(generation));
            assertThat(exit).as("exit status of a SIGKILLed JVM").isEqualTo(ChildProcess.SIGKILL_EXIT);
            killed++;
            System.out.println("killed child " + generation + " after " + target + " deliveries");
        }
        generation++;
        ChildProcess last = ChildProcess.start(kind + "-" + generation,
                kind, url, Integer.toString(generation), "-", "0", "0", Integer.toString(runs), "exit");
        if (!last.process.waitFor(120, TimeUnit.SECONDS)) {
            last.dumpThreadsAndKill();
            throw new AssertionError("the last child did not finish its runs within 120 s; its threads are dumped"
                    + " above, prefixed [" + kind + "-" + generation + "]");
        }
        assertThat(last.process.exitValue()).as("last child's exit status").isZero();
        assertThat(last.saw("NOT COMPLETED")).isFalse();
        reported.addAll(last.reported(generation));
        return new Outcome(killed, reported);
    }
}
