package dev.baton.time;

import dev.baton.internal.Saturating;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A clock and a scheduler that only move when told to: tests call {@link #advance(Duration)} and every action due by
 * the new time runs, in time order, on the calling thread. Thread-safe.
 *
 * <pre>{@code
 * ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
 * Orchestrator o = Orchestrator.builder().time(time)...build();
 * time.advance(Duration.ofSeconds(5));   // fires the retries and timeouts due in the next 5 s
 * }</pre>
 */
public final class ManualTime extends Clock implements Scheduler {

    private final Object lock = new Object();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private Instant now;
    private long sequence;

    /**
     * @param start the initial time
     */
    public ManualTime(Instant start) {
        this.now = start;
    }

    /** Starts at 2026-01-01T00:00:00Z. */
    public ManualTime() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public Instant instant() {
        synchronized (lock) {
            return now;
        }
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("ManualTime is always UTC");
    }

    @Override
    public long millis() {
        return instant().toEpochMilli();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable action) {
        synchronized (lock) {
            Entry e = new Entry(Saturating.plus(now, delay.isNegative() ? Duration.ZERO : delay), sequence++, action);
            queue.add(e);
            return () -> {
                synchronized (lock) {
                    queue.remove(e);
                }
            };
        }
    }

    /**
     * Moves time forward and runs every action due by the new time, earliest first; actions scheduled by those
     * actions run too when they fall due within the step.
     *
     * @param step how far to move; not negative
     */
    public void advance(Duration step) {
        if (step.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + step);
        }
        Instant target;
        synchronized (lock) {
            target = Saturating.plus(now, step);
        }
        while (true) {
            Entry next;
            synchronized (lock) {
                next = queue.peek();
                if (next == null || next.due.isAfter(target)) {
                    now = target;
                    return;
                }
                queue.poll();
                if (next.due.isAfter(now)) {
                    now = next.due;
                }
            }
            next.action.run();
        }
    }

    /** Runs every action already due, without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** @return how many actions are waiting */
    public int pending() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** @return the due times of waiting actions, earliest first */
    public List<Instant> dueTimes() {
        synchronized (lock) {
            List<Entry> copy = new ArrayList<>(queue);
            copy.sort(null);
            List<Instant> out = new ArrayList<>(copy.size());
            for (Entry e : copy) {
                out.add(e.due);
            }
            return out;
        }
    }

    private record Entry(Instant due, long seq, Runnable action) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = due.compareTo(o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
