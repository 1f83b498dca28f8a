package dev.baton.persistence;

import dev.baton.event.PlanRevised;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRedriven;
import dev.baton.event.TaskStarted;
import dev.baton.event.WebhookAttempted;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The rules every run log obeys, checked after the fact: what the contract test kit, the engine's tests and tools
 * run over a store's logs.
 *
 * <p>Per run: sequence numbers start at 1 without a gap; exactly one {@link RunCreated}, and it comes first; at most
 * one terminal event and nothing after it but {@link WebhookAttempted} (the result's delivery) and
 * {@link TaskRedriven} (which reopens the run); a {@link WebhookAttempted} only for an earlier terminal event (its
 * {@code endSeq}); every {@link TaskCompleted} matches an earlier {@link TaskStarted} of the same task and attempt,
 * under the plan version in effect, and so does every {@link TaskFailed} but one with attempt 0 (a task that failed
 * before its first attempt, e.g. after waiting out its service's health window); {@link PlanRevised} versions run
 * 2, 3, ... and a revision keeps only tasks that completed under the version before it (their starts and completions
 * carry over, every other task starts afresh).
 *
 * <p>Lives in the SPI (not in the core) so that the test kit, which must not depend on the core, can use it.
 * Thread-safe: every method is a pure function.
 */
public final class LogInvariants {

    /**
     * One broken rule.
     *
     * @param runId   the run whose log breaks it
     * @param seq     the sequence number of the offending event (0 when the rule is about the log as a whole)
     * @param rule    a stable upper-case name of the rule, e.g. {@code SEQ_GAP}
     * @param message what is wrong, for a person
     */
    public record Violation(String runId, long seq, String rule, String message) {
        @Override
        public String toString() {
            return rule + " in run '" + runId + "' at seq " + seq + ": " + message;
        }
    }

    /** Sequence numbers do not run 1, 2, 3, ... */
    public static final String SEQ_GAP = "SEQ_GAP";
    /** The first event is not a {@code RunCreated}. */
    public static final String NOT_CREATED_FIRST = "NOT_CREATED_FIRST";
    /** A second {@code RunCreated}. */
    public static final String DUPLICATE_CREATED = "DUPLICATE_CREATED";
    /** An event after the terminal one (a second terminal event included). */
    public static final String AFTER_TERMINAL = "AFTER_TERMINAL";
    /** A completion or failure without an earlier start of the same task and attempt. */
    public static final String UNMATCHED_OUTCOME = "UNMATCHED_OUTCOME";
    /** A {@code PlanRevised} whose version is not one more than the version in effect. */
    public static final String PLAN_VERSION = "PLAN_VERSION";
    /** A {@code PlanRevised} keeps a task that had not completed. */
    public static final String KEPT_NOT_COMPLETED = "KEPT_NOT_COMPLETED";
    /** A webhook attempt whose {@code endSeq} is not an earlier terminal event of the run. */
    public static final String WEBHOOK_BEFORE_END = "WEBHOOK_BEFORE_END";

    private LogInvariants() {
    }

    /**
     * Checks logs. The events may belong to several runs; each run's events must be in log order.
     *
     * @param events the events of one or more runs
     * @return every violation found, empty when the logs are sound
     */
    public static List<Violation> check(List<? extends RunEvent> events) {
        Objects.requireNonNull(events, "events");
        Map<String, List<RunEvent>> byRun = new LinkedHashMap<>();
        for (RunEvent e : events) {
            byRun.computeIfAbsent(e.runId(), k -> new ArrayList<>()).add(e);
        }
        List<Violation> out = new ArrayList<>();
        for (Map.Entry<String, List<RunEvent>> run : byRun.entrySet()) {
            checkRun(run.getKey(), run.getValue(), out);
        }
        return out;
    }

    private static void checkRun(String runId, List<RunEvent> log, List<Violation> out) {
        Set<String> started = new HashSet<>();
        Set<String> completed = new HashSet<>();
        int planVersion = 1;
        long expectedSeq = 1;
        boolean created = false;
        RunEvent terminal = null;
        Set<Long> ends = new HashSet<>();
        for (RunEvent e : log) {
            if (e.seq() != expectedSeq) {
                out.add(new Violation(runId, e.seq(), SEQ_GAP, "expected seq " + expectedSeq + ", found " + e.seq()));
            }
            expectedSeq = e.seq() + 1;
            if (e == log.get(0) && !(e instanceof RunCreated)) {
                out.add(new Violation(runId, e.seq(), NOT_CREATED_FIRST,
                        "the log starts with " + e.getClass().getSimpleName()));
            }
            if (e instanceof RunCreated) {
                if (created) {
                    out.add(new Violation(runId, e.seq(), DUPLICATE_CREATED, "a second RunCreated"));
                }
                created = true;
            }
            if (e instanceof WebhookAttempted w) {
                // a delivery of an earlier end may still run after a redrive reopened the run
                if (!ends.contains(w.endSeq())) {
                    out.add(new Violation(runId, e.seq(), WEBHOOK_BEFORE_END, "WebhookAttempted for seq " + w.endSeq()
                            + ", which is not an earlier terminal event"));
                }
            } else if (terminal != null && e instanceof TaskRedriven) {
                terminal = null; // a redrive of a dead letter reopens the run; it ends again with a new terminal event
            } else if (terminal != null) {
                out.add(new Violation(runId, e.seq(), AFTER_TERMINAL, e.getClass().getSimpleName()
                        + " after the terminal " + terminal.getClass().getSimpleName() + " at seq " + terminal.seq()));
            } else if (e.isTerminal()) {
                terminal = e;
                ends.add(e.seq());
            }
            if (e instanceof PlanRevised r) {
                if (r.version() != planVersion + 1) {
                    out.add(new Violation(runId, e.seq(), PLAN_VERSION, "plan version " + r.version()
                            + " follows version " + planVersion));
                }
                planVersion = r.version();
                for (String k : r.kept()) {
                    if (!completed.contains(k)) {
                        out.add(new Violation(runId, e.seq(), KEPT_NOT_COMPLETED, "plan version " + r.version()
                                + " keeps task '" + k + "', which had not completed"));
                    }
                }
                Set<String> kept = new HashSet<>(r.kept());
                completed.retainAll(kept);
                started.removeIf(key -> !kept.contains(key.substring(0, key.indexOf('\u0000'))));
            }
            if (e instanceof TaskStarted s) {
                started.add(attemptKey(s.taskId(), s.attempt()));
            } else if (e instanceof TaskCompleted c && !started.contains(attemptKey(c.taskId(), c.attempt()))) {
                out.add(new Violation(runId, e.seq(), UNMATCHED_OUTCOME,
                        "TaskCompleted of task '" + c.taskId() + "' attempt " + c.attempt() + " was never started"));
            } else if (e instanceof TaskCompleted c) {
                completed.add(c.taskId());
            } else if (e instanceof TaskFailed f && f.attempt() != 0
                    && !started.contains(attemptKey(f.taskId(), f.attempt()))) {
                out.add(new Violation(runId, e.seq(), UNMATCHED_OUTCOME,
                        "TaskFailed of task '" + f.taskId() + "' attempt " + f.attempt() + " was never started"));
            }
        }
    }

    private static String attemptKey(String taskId, int attempt) {
        return taskId + '\u0000' + attempt;
    }

    /**
     * Checks the shape of an append before a store looks at its log: what {@link RunStore#append} rejects with an
     * {@link IllegalArgumentException}. Stores call it so that they all reject the same things.
     *
     * @param runId       run id
     * @param expectedSeq the sequence number the writer expects the log to end at
     * @param events      the events to append
     * @throws IllegalArgumentException if the batch is empty, an event belongs to another run, the sequence numbers
     *                                  are not {@code expectedSeq + 1, expectedSeq + 2, ...}, a new log does not start
     *                                  with {@code RunCreated}, or a {@code RunCreated} appears past seq 1
     */
    public static void checkAppend(String runId, long expectedSeq, List<? extends RunEvent> events) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(events, "events");
        if (expectedSeq < 0) {
            throw new IllegalArgumentException("expectedSeq must be >= 0, was " + expectedSeq);
        }
        if (events.isEmpty()) {
            throw new IllegalArgumentException("nothing to append to run '" + runId + "'");
        }
        long seq = expectedSeq;
        for (RunEvent e : events) {
            Objects.requireNonNull(e, "event");
            seq++;
            if (!runId.equals(e.runId())) {
                throw new IllegalArgumentException("event " + e.getClass().getSimpleName() + " of run '" + e.runId()
                        + "' appended to run '" + runId + "'");
            }
            if (e.seq() != seq) {
                throw new IllegalArgumentException("run '" + runId + "': expected an event with seq " + seq
                        + ", found seq " + e.seq());
            }
            if ((seq == 1) != (e instanceof RunCreated)) {
                throw new IllegalArgumentException("run '" + runId + "': RunCreated must be the event at seq 1 and only"
                        + " there, found " + e.getClass().getSimpleName() + " at seq " + seq);
            }
        }
    }
}
