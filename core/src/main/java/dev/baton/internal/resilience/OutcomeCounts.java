package dev.baton.internal.resilience;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lock-free counts of call outcomes, either as a count-based sliding window (a ring of the latest outcomes) or as a
 * plain tally. Every count lives in one packed {@code long}, so each update is a single atomic add whose result is a
 * consistent snapshot of all counts: the caller evaluates thresholds on exactly the counts its own update produced.
 *
 * <p>Packing: three 21-bit fields (buffered, failed, slow), each stored with a bias of 2^19 so that a field briefly
 * below zero (possible only when more writers than window slots race on the same slot) never borrows from its
 * neighbour; decoded values are clamped. Thread-safe.
 */
public final class OutcomeCounts {

    /** Outcome bit: the slot holds a call. */
    private static final int PRESENT = 1;
    /** Outcome bit: the call failed. */
    private static final int FAILED = 2;
    /** Outcome bit: the call was slow. */
    private static final int SLOW = 4;

    /** A successful call that was not slow. */
    public static final int SUCCESS = PRESENT;
    /** A failed call that was not slow. */
    public static final int FAILURE = PRESENT | FAILED;
    /** A successful slow call. */
    public static final int SLOW_SUCCESS = PRESENT | SLOW;
    /** A failed slow call. */
    public static final int SLOW_FAILURE = PRESENT | FAILED | SLOW;

    /** Returned by {@link #record(int)} when the update left every count as it was. */
    public static final long UNCHANGED = -1L;

    private static final int FAILED_SHIFT = 21;
    private static final int SLOW_SHIFT = 42;
    private static final long MASK = (1L << 21) - 1;
    private static final long BIAS = 1L << 19;
    private static final long EMPTY = BIAS | (BIAS << FAILED_SHIFT) | (BIAS << SLOW_SHIFT);

    private final AtomicIntegerArray slots; // null for a tally
    private final int size;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong counts = new AtomicLong(EMPTY);

    private OutcomeCounts(int size, boolean ring) {
        this.size = size;
        this.slots = ring ? new AtomicIntegerArray(size) : null;
    }

    /**
     * @param size the number of latest outcomes kept
     * @return an empty sliding window
     */
    public static OutcomeCounts window(int size) {
        return new OutcomeCounts(size, true);
    }

    /** @return an empty tally that keeps every outcome */
    public static OutcomeCounts tally() {
        return new OutcomeCounts(0, false);
    }

    /**
     * Records one outcome, evicting the oldest from a full window.
     *
     * @param outcome one of {@link #SUCCESS}, {@link #FAILURE}, {@link #SLOW_SUCCESS}, {@link #SLOW_FAILURE}
     * @return the packed counts right after this update, or {@link #UNCHANGED} if it changed none
     */
    public long record(int outcome) {
        int old = 0;
        if (slots != null) {
            int index = (int) (head.getAndIncrement() % size);
            old = slots.getAndSet(index, outcome);
            if (old == outcome) {
                return UNCHANGED; // the common steady state: a success replacing a success costs no count update
            }
        }
        long delta = (outcome & PRESENT) - (old & PRESENT)
                + ((long) (((outcome & FAILED) >> 1) - ((old & FAILED) >> 1)) << FAILED_SHIFT)
                + ((long) (((outcome & SLOW) >> 2) - ((old & SLOW) >> 2)) << SLOW_SHIFT);
        return counts.addAndGet(delta);
    }

    /** @return the current packed counts */
    public long snapshot() {
        return counts.get();
    }

    /**
     * @param packed packed counts
     * @return the number of buffered calls
     */
    public static int buffered(long packed) {
        return field(packed, 0);
    }

    /**
     * @param packed packed counts
     * @return the number of failed calls
     */
    public static int failed(long packed) {
        return field(packed, FAILED_SHIFT);
    }

    /**
     * @param packed packed counts
     * @return the number of slow calls
     */
    public static int slow(long packed) {
        return field(packed, SLOW_SHIFT);
    }

    private static int field(long packed, int shift) {
        return (int) Math.max(0L, ((packed >>> shift) & MASK) - BIAS);
    }
}
