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
 * One run's log in segments of parallel arrays. The two events every task writes, {@link TaskStarted} and
 * {@link TaskCompleted}, are kept as their fields (time as epoch nanoseconds) and rebuilt, equal by value, when read;
 * every other event is kept as it is. A log of a large run is then a few arrays instead of several objects per task,
 * which is what keeps the garbage collector's work small while many runs are retained. Not thread-safe: its slot's
 * monitor guards it.
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

    /** Entries per segment past the first; a power of two, so a position splits by shift and mask. */
    private static final int SEGMENT_BITS = 10;
    private static final int SEGMENT = 1 << SEGMENT_BITS;

    private final String runId;
    /**
     * The log in segments: the first grows by copying until it holds {@link #SEGMENT} entries (a small run's log is
     * small), every later one is allocated at that size and never copied, so a large run's log costs no copy of
     * what it already holds and no array of the whole log's size.
     */
    private Segment[] segments = {new Segment(8)};
    private int size;

    /** One segment's parallel arrays. */
    private static final class Segment {
        byte[] kinds;
        long[] times;
        int[] attempts;
        Object[] taskIds;
        Object[] executionIds;
        /** The input or output of a compact event; the event itself otherwise. */
        Object[] values;

        Segment(int capacity) {
            kinds = new byte[capacity];
            times = new long[capacity];
            attempts = new int[capacity];
            taskIds = new Object[capacity];
            executionIds = new Object[capacity];
            values = new Object[capacity];
        }

        void grow(int capacity) {
            kinds = Arrays.copyOf(kinds, capacity);
            times = Arrays.copyOf(times, capacity);
            attempts = Arrays.copyOf(attempts, capacity);
            taskIds = Arrays.copyOf(taskIds, capacity);
            executionIds = Arrays.copyOf(executionIds, capacity);
            values = Arrays.copyOf(values, capacity);
        }
    }

    CompactLog(String runId) {
        this.runId = runId;
    }

    int size() {
        return size;
    }

    /** The segment that holds (or is about to hold) position {@code k}. */
    private Segment segment(int k) {
        return segments[k >>> SEGMENT_BITS];
    }

    /** Appends an event; its seq must be {@code size() + 1} (the store has checked). */
    void add(RunEvent e) {
        int k = size;
        Segment g = room(k);
        int j = k & (SEGMENT - 1);
        size = k + 1;
        if (e instanceof TaskStarted s && fits(s.at()) && runId.equals(s.runId())) {
            g.kinds[j] = STARTED;
            g.times[j] = nanos(s.at());
            g.attempts[j] = s.attempt();
            g.taskIds[j] = s.taskId();
            g.executionIds[j] = compress(s.executionId(), s.taskId());
            g.values[j] = s.input();
        } else if (e instanceof TaskCompleted c && fits(c.at()) && runId.equals(c.runId())) {
            g.kinds[j] = c.reused() ? COMPLETED_REUSED : COMPLETED;
            g.times[j] = nanos(c.at());
            g.attempts[j] = c.attempt();
            g.taskIds[j] = c.taskId();
            g.executionIds[j] = compress(c.executionId(), c.taskId());
            g.values[j] = c.output();
        } else {
            g.kinds[j] = OTHER;
            g.values[j] = e;
        }
    }

    /** The segment where position {@code k} (the next one) goes, grown or added first if it is full. */
    private Segment room(int k) {
        int s = k >>> SEGMENT_BITS;
        if (s == 0) {
            Segment first = segments[0];
            if (k == first.kinds.length) {
                first.grow(Math.min(SEGMENT, k + (k >> 1)));
            }
            return first;
        }
        if (s == segments.length) {
            segments = Arrays.copyOf(segments, s + (s >> 1) + 1);
        }
        Segment g = segments[s];
        if (g == null) {
            g = segments[s] = new Segment(SEGMENT);
        }
        return g;
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

    private String executionId(Segment g, int j) {
        Object id = g.executionIds[j];
        if (id == null) {
            return runId + '/' + g.taskIds[j];
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
        Segment g = segment(k);
        int j = k & (SEGMENT - 1);
        byte kind = g.kinds[j];
        if (kind == OTHER) {
            return (RunEvent) g.values[j];
        }
        long t = g.times[j];
        Instant at = Instant.ofEpochSecond(Math.floorDiv(t, 1_000_000_000L), Math.floorMod(t, 1_000_000_000L));
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> input = kind == STARTED ? (java.util.Map<String, Object>) g.values[j] : null;
        return kind == STARTED
                ? new TaskStarted(runId, k + 1L, at, (String) g.taskIds[j], executionId(g, j), g.attempts[j], input)
                : new TaskCompleted(runId, k + 1L, at, (String) g.taskIds[j], executionId(g, j), g.attempts[j],
                g.values[j], kind == COMPLETED_REUSED);
    }

    /** @return the event at {@code k} if it is kept as it is (any kind but a start or a completion), else null */
    RunEvent stored(int k) {
        Segment g = segment(k);
        int j = k & (SEGMENT - 1);
        return g.kinds[j] == OTHER ? (RunEvent) g.values[j] : null;
    }

    /** @return whether the event at {@code k} is a {@link TaskCompleted} */
    boolean isCompletion(int k) {
        Segment g = segment(k);
        int j = k & (SEGMENT - 1);
        byte kind = g.kinds[j];
        return kind == COMPLETED || kind == COMPLETED_REUSED || g.values[j] instanceof TaskCompleted;
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
