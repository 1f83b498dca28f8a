package dev.baton.store;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;

import java.time.Instant;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * One run's log in parallel arrays. The two events every task writes, {@link TaskStarted} and {@link TaskCompleted},
 * are kept as their fields (time as epoch nanoseconds) and rebuilt, equal by value, when read; every other event is
 * kept as it is. A log of a large run is then a few arrays instead of several objects per task, which is what keeps
 * the garbage collector's work small while many runs are retained. Not thread-safe: its slot's monitor guards it.
 */
final class CompactLog {

    private static final byte OTHER = 0;
    private static final byte STARTED = 1;
    private static final byte COMPLETED = 2;
    private static final byte COMPLETED_REUSED = 3;
    /** Epoch seconds whose nanoseconds fit in a long, with room to spare. */
    private static final long MAX_SECONDS = 9_000_000_000L;

    /** Marks an execution id that was null (null itself means "derived from the run and task ids"). */
    private static final Object NO_ID = new Object();

    private final String runId;
    private byte[] kinds = new byte[8];
    private long[] times = new long[8];
    private int[] attempts = new int[8];
    private Object[] taskIds = new Object[8];
    private Object[] executionIds = new Object[8];
    /** The input or output of a compact event; the event itself otherwise. */
    private Object[] values = new Object[8];
    private int size;

    CompactLog(String runId) {
        this.runId = runId;
    }

    int size() {
        return size;
    }

    void ensureCapacity(int capacity) {
        if (capacity > kinds.length) {
            kinds = Arrays.copyOf(kinds, capacity);
            times = Arrays.copyOf(times, capacity);
            attempts = Arrays.copyOf(attempts, capacity);
            taskIds = Arrays.copyOf(taskIds, capacity);
            executionIds = Arrays.copyOf(executionIds, capacity);
            values = Arrays.copyOf(values, capacity);
        }
    }

    /** Appends an event; its seq must be {@code size() + 1} (the store has checked). */
    void add(RunEvent e) {
        if (size == kinds.length) {
            ensureCapacity(Math.max(8, size + (size >> 1)));
        }
        int k = size++;
        if (e instanceof TaskStarted s && fits(s.at()) && runId.equals(s.runId())) {
            kinds[k] = STARTED;
            times[k] = nanos(s.at());
            attempts[k] = s.attempt();
            taskIds[k] = s.taskId();
            executionIds[k] = compress(s.executionId(), s.taskId());
            values[k] = s.input();
        } else if (e instanceof TaskCompleted c && fits(c.at()) && runId.equals(c.runId())) {
            kinds[k] = c.reused() ? COMPLETED_REUSED : COMPLETED;
            times[k] = nanos(c.at());
            attempts[k] = c.attempt();
            taskIds[k] = c.taskId();
            executionIds[k] = compress(c.executionId(), c.taskId());
            values[k] = c.output();
        } else {
            kinds[k] = OTHER;
            values[k] = e;
        }
    }

    /**
     * Execution ids are usually {@code <runId>/<taskId>} (what the engine derives): those are not kept but spelled
     * again when read, so a retained log holds no string per task of its own.
     */
    private Object compress(String executionId, String taskId) {
        if (executionId != null && taskId != null && executionId.length() == runId.length() + 1 + taskId.length()
                && executionId.startsWith(runId) && executionId.charAt(runId.length()) == '/'
                && executionId.endsWith(taskId)) {
            return null;
        }
        return executionId == null ? NO_ID : executionId;
    }

    private String executionId(int k) {
        Object id = executionIds[k];
        if (id == null) {
            return runId + '/' + taskIds[k];
        }
        return id == NO_ID ? null : (String) id;
    }

    private static boolean fits(Instant at) {
        return at != null && at.getEpochSecond() > -MAX_SECONDS && at.getEpochSecond() < MAX_SECONDS;
    }

    private static long nanos(Instant at) {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    /** @return the event at position {@code k} (seq {@code k + 1}), rebuilt if it was kept as fields */
    RunEvent get(int k) {
        byte kind = kinds[k];
        if (kind == OTHER) {
            return (RunEvent) values[k];
        }
        Instant at = Instant.ofEpochSecond(Math.floorDiv(times[k], 1_000_000_000L), Math.floorMod(times[k], 1_000_000_000L));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> input = kind == STARTED ? (java.util.Map<String, Object>) values[k] : null;
        return kind == STARTED
                ? new TaskStarted(runId, k + 1L, at, (String) taskIds[k], executionId(k), attempts[k], input)
                : new TaskCompleted(runId, k + 1L, at, (String) taskIds[k], executionId(k), attempts[k],
                values[k], kind == COMPLETED_REUSED);
    }

    /** @return the event at {@code k} if it is kept as it is (any kind but a start or a completion), else null */
    RunEvent stored(int k) {
        return kinds[k] == OTHER ? (RunEvent) values[k] : null;
    }

    /** @return whether the event at {@code k} is a {@link TaskCompleted} */
    boolean isCompletion(int k) {
        return kinds[k] == COMPLETED || kinds[k] == COMPLETED_REUSED || values[k] instanceof TaskCompleted;
    }

    /** @return an immutable copy of the whole log */
    List<RunEvent> snapshot() {
        RunEvent[] out = new RunEvent[size];
        for (int k = 0; k < size; k++) {
            out[k] = get(k);
        }
        return new Snapshot(out);
    }

    /** An unmodifiable list over a fresh array: what {@code List.copyOf} would give, without copying again. */
    private static final class Snapshot extends AbstractList<RunEvent> implements RandomAccess {
        private final RunEvent[] events;

        Snapshot(RunEvent[] events) {
            this.events = events;
        }

        @Override
        public RunEvent get(int index) {
            return events[index];
        }

        @Override
        public int size() {
            return events.length;
        }
    }
}
