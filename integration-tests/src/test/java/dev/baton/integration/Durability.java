package dev.baton.integration;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.persistence.LogInvariants;
import dev.baton.persistence.RunRecord;
import dev.baton.persistence.RunState;
import dev.baton.persistence.RunStore;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-of-test proof shared by every durability test: each run completed with the right outputs, each log keeps
 * its invariants, each (run, task) has exactly one effect, and no task was delivered again after its completion.
 */
final class Durability {

    /** What the check found, for the test's report. */
    record Tally(int runs, int effects, int lost, int duplicated, int deliveries, int redelivered, int reported) {
    }

    /**
     * A delivery a child JVM reported on its output once the handler's ledger rows were committed: evidence from
     * outside the database of what the database was told.
     */
    record Reported(String executionId, int attempt, int generation) {
    }

    private Durability() {
    }

    static Tally verify(RunStore store, DataSource ledger, int runs) throws SQLException {
        return verify(store, ledger, runs, List.of());
    }

    /**
     * The checks of {@link #verify(RunStore, DataSource, int)}, and two that rest on what the children reported, so a
     * database that dropped commits it had acknowledged cannot hide it (the ledger and the log would lose them
     * together and still agree): every reported delivery is in the ledger, and every reported delivery of a task
     * that reads other tasks' outputs came after those tasks' completions, as the log finally holds them, were made.
     * A completion the store lost would have been made again, by a later JVM, after its dependents had read it.
     * The second check tells JVMs apart by generation, so it means something only where each JVM has its own (the
     * crash tests, one JVM after another); the two-instance test passes no reports.
     */
    static Tally verify(RunStore store, DataSource ledger, int runs, List<Reported> reported) throws SQLException {
        Map<String, Integer> completedIn = new HashMap<>();
        Map<String, Integer> effects = LedgerWorkload.effects(ledger);
        Map<String, Integer> deliveries = LedgerWorkload.deliveries(ledger);
        Map<String, Integer> lastGen = LedgerWorkload.lastDeliveryGeneration(ledger);
        int lost = 0;
        List<String> lostIds = new ArrayList<>();
        int duplicated = 0;
        int redelivered = 0;
        int totalDeliveries = 0;
        for (int n = 0; n < runs; n++) {
            String runId = LedgerWorkload.runId(n);
            Optional<RunRecord> record = store.run(runId);
            assertThat(record).as("run %s exists", runId).isPresent();
            assertThat(record.get().state()).as("run %s", runId).isEqualTo(RunState.COMPLETED);
            List<RunEvent> events = store.events(runId);
            assertThat(LogInvariants.check(events)).as("log invariants of %s", runId).isEmpty();
            int completions = 0;
            for (RunEvent e : events) {
                if (e instanceof TaskCompleted c) {
                    completions++;
                    int layer = LedgerWorkload.layer(c.taskId());
                    Map<?, ?> out = (Map<?, ?>) c.output();
                    assertThat(((Number) out.get("value")).longValue()).as("output of %s", c.executionId())
                            .isEqualTo(LedgerWorkload.expectedValue(layer));
                    // a completed task never runs again: no delivery came from a JVM later than the one whose
                    // output was recorded
                    assertThat(lastGen.get(c.executionId())).as("last delivery of %s", c.executionId())
                            .isEqualTo(((Number) out.get("gen")).intValue());
                    completedIn.put(c.executionId(), ((Number) out.get("gen")).intValue());
                }
            }
            assertThat(completions).as("completions in %s", runId).isEqualTo(LedgerWorkload.TASKS);
            for (int layer = 0; layer < LedgerWorkload.LAYERS; layer++) {
                for (int i = 0; i < LedgerWorkload.WIDTH; i++) {
                    String executionId = runId + "/" + LedgerWorkload.taskId(layer, i);
                    int count = effects.getOrDefault(executionId, 0);
                    if (count == 0) {
                        lost++;
                        lostIds.add(executionId);
                    } else if (count > 1) {
                        duplicated += count - 1;
                    }
                    int d = deliveries.getOrDefault(executionId, 0);
                    totalDeliveries += d;
                    if (d > 1) {
                        redelivered++;
                    }
                }
            }
        }
        Set<String> counted = LedgerWorkload.attemptKeys(ledger);
        List<Reported> forgotten = new ArrayList<>();
        List<String> readBeforeMade = new ArrayList<>();
        for (Reported r : reported) {
            if (!counted.contains(r.executionId() + " " + r.attempt() + " " + r.generation())) {
                forgotten.add(r);
            }
            String taskId = r.executionId().substring(r.executionId().indexOf('/') + 1);
            String runId = r.executionId().substring(0, r.executionId().indexOf('/'));
            int layer = LedgerWorkload.layer(taskId);
            if (layer > 0) {
                for (int producer : LedgerWorkload.producers(LedgerWorkload.position(taskId))) {
                    String producerId = runId + "/" + LedgerWorkload.taskId(layer - 1, producer);
                    Integer made = completedIn.get(producerId);
                    if (made != null && made > r.generation()) {
                        readBeforeMade.add(r + " read " + producerId + ", completed in generation " + made);
                    }
                }
            }
        }
        if (!reported.isEmpty()) {
            System.out.printf("reported deliveries: %d, missing from the ledger: %d, read a completion made later: %d%n",
                    reported.size(), forgotten.size(), readBeforeMade.size());
        }
        assertThat(forgotten).as("deliveries reported as committed but missing from the ledger").isEmpty();
        assertThat(readBeforeMade).as("deliveries that read a completion the store later lost").isEmpty();
        int effectRows = LedgerWorkload.effectCount(ledger);
        Tally tally = new Tally(runs, effectRows, lost, duplicated, totalDeliveries, redelivered, reported.size());
        System.out.println("durability: " + tally);
        // name what was lost, with every delivery of it (attempt, JVM generation) and its events, so a failure says
        // whether the effect was never applied or the database dropped it
        for (String id : lostIds) {
            String runId = id.substring(0, id.indexOf('/'));
            String taskId = id.substring(id.indexOf('/') + 1);
            System.out.println("lost effect of " + id + ": deliveries " + LedgerWorkload.attempts(ledger, id)
                    + ", events " + store.events(runId).stream().filter(e -> taskId.equals(e.taskId())).toList());
        }
        assertThat(lost).as("lost effects (%s)", lostIds).isZero();
        assertThat(duplicated).as("duplicated effects").isZero();
        assertThat(effectRows).as("effect rows").isEqualTo(runs * LedgerWorkload.TASKS);
        return tally;
    }
}
