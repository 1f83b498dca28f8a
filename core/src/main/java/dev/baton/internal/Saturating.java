package dev.baton.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Time arithmetic that saturates instead of throwing. Every duration option accepts any positive length, and a very
 * long one is a natural way to say "as good as for ever"; the JDK's {@code Duration.toNanos}, {@code toMillis} and
 * {@code Instant.plus} throw past their ranges, which would fail a task or leave it half-recorded far from the option
 * that caused it. Not API.
 */
public final class Saturating {

    private Saturating() {
    }

    /**
     * @param d a duration
     * @return its length in nanoseconds, {@link Long#MAX_VALUE} (about 292 years) or {@link Long#MIN_VALUE} past
     *     that range
     */
    public static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException beyond) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * @param d a duration
     * @return its length in milliseconds, {@link Long#MAX_VALUE} or {@link Long#MIN_VALUE} past that range
     */
    public static long millis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException beyond) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * @param a a number
     * @param b another
     * @return their sum, {@link Long#MAX_VALUE} or {@link Long#MIN_VALUE} where it overflows
     */
    public static long add(long a, long b) {
        long sum = a + b;
        // overflow only when both have the sign the sum lacks
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /**
     * @param at an instant
     * @param d  a duration to add
     * @return {@code at + d}, {@link Instant#MAX} or {@link Instant#MIN} where that lies past the range of
     *     {@code Instant}
     */
    public static Instant plus(Instant at, Duration d) {
        try {
            return at.plus(d);
        } catch (ArithmeticException | java.time.DateTimeException beyond) {
            return d.isNegative() ? Instant.MIN : Instant.MAX;
        }
    }

    /**
     * @param at an instant
     * @param d  a duration to subtract
     * @return {@code at - d}, {@link Instant#MIN} or {@link Instant#MAX} where that lies past the range of
     *     {@code Instant}
     */
    public static Instant minus(Instant at, Duration d) {
        try {
            return at.minus(d);
        } catch (ArithmeticException | java.time.DateTimeException beyond) {
            return d.isNegative() ? Instant.MAX : Instant.MIN;
        }
    }
}
