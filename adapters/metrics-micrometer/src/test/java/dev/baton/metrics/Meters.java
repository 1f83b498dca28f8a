package dev.baton.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Every meter of a registry as text, for exact comparisons: {@code name{k=v,...}} to its value. */
final class Meters {

    private Meters() {
    }

    static Map<String, String> all(MeterRegistry registry) {
        Map<String, String> out = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
            out.put(id(m), value(m));
        }
        return out;
    }

    static String id(Meter m) {
        StringJoiner tags = new StringJoiner(",", "{", "}");
        for (Tag t : m.getId().getTags()) { // sorted by key
            tags.add(t.getKey() + "=" + t.getValue());
        }
        return m.getId().getName() + tags;
    }

    static String value(Meter m) {
        if (m instanceof Counter c) {
            return count(c.count());
        }
        if (m instanceof Timer t) {
            return "count=" + t.count() + " total=" + Duration.ofNanos((long) t.totalTime(TimeUnit.NANOSECONDS));
        }
        if (m instanceof Gauge g) {
            return String.valueOf(g.value());
        }
        throw new AssertionError("unexpected meter " + m.getId());
    }

    private static String count(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** The timer text for a count and a total. */
    static String timer(long count, Duration total) {
        return "count=" + count + " total=" + total;
    }
}
