package dev.baton.store.jdbc;

import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskStarted;
import dev.baton.plan.JsonValues;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The task events' direct JSON path writes exactly what the map-based path writes, character for character, for every
 * kind of JSON value.
 */
class EventCodecTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00.123456789Z");
    private final EventCodec codec = new EventCodec();

    @Test
    void taskEventsAreWrittenAsTheMapBasedPathWritesThem() {
        for (Object value : values()) {
            Map<String, Object> io = JsonValues.freezeObject(Map.of("v", value == null ? "null" : value));
            Map<String, Object> withNull = new LinkedHashMap<>();
            withNull.put("v", value);
            for (RunEvent e : List.of(
                    new TaskStarted("r1", 2, AT, "t1", "r1/t1", 1, io),
                    new TaskStarted("r1", 2, AT, "t1", "r1/t1", 3, JsonValues.freezeObject(withNull)),
                    new TaskCompleted("r1", 3, AT, "t1", "r1/t1", 1, io, false),
                    new TaskCompleted("r\"1", 3, AT, "t\u00e91", null, 2, JsonValues.freezeObject(withNull), true))) {
                String direct = codec.encode(e);
                assertThat(direct).as("%s", e).isEqualTo(codec.encodeAsMap(e));
                assertThat(codec.decode(direct)).isInstanceOf(e.getClass());
            }
        }
    }

    @Test
    void aValueTheEngineWouldNotHaveFrozenIsWrittenAsTheMapperWritesIt() {
        // the records do not freeze their values: a caller of the store may hand it a map with a key that is not a
        // string, or a value of another type
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("byNumber", Map.of(7, "seven"));
        input.put("id", java.util.UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        TaskStarted e = new TaskStarted("r1", 2, AT, "t1", "r1/t1", 1, input);
        assertThat(codec.encode(e)).isEqualTo(codec.encodeAsMap(e)).contains("{\"7\":\"seven\"}");
    }

    @Test
    void aStringLongerThanJacksonsDefaultReadLimitIsReadBack() {
        // Jackson reads no string over 20,000,000 characters unless told; it writes any, so without a higher
        // limit an output this long would be stored and then fail every read of its log
        String doc = "x".repeat(20_000_001);
        TaskCompleted e = new TaskCompleted("r1", 3, AT, "t1", "r1/t1", 1, Map.of("doc", doc), false);
        TaskCompleted back = (TaskCompleted) codec.decode(codec.encode(e));
        assertThat(((String) ((Map<?, ?>) back.output()).get("doc")).length()).isEqualTo(doc.length());
        assertThat(back.equals(e)).isTrue();
    }

    @Test
    void keysNumbersAndNestingPastJacksonsOtherDefaultReadLimitsAreReadBack() {
        // what the engine accepts and Jackson writes, but by default would not read: a key over 50,000 characters,
        // a number over 1,000 digits, an output nested as deep as the engine allows (1,000 levels) inside the event
        String key = "k".repeat(60_000);
        BigDecimal wide = new BigDecimal("9".repeat(3_000) + "." + "1".repeat(2_000));
        Object deep = "bottom";
        for (int i = 1; i < JsonValues.MAX_DEPTH; i++) {
            deep = i % 2 == 0 ? List.of(deep) : Map.of("d", deep);
        }
        Map<String, Object> output = JsonValues.freezeObject(Map.of(key, 1, "wide", wide, "deep", deep));
        TaskCompleted e = new TaskCompleted("r1", 3, AT, "t1", "r1/t1", 1, output, false);
        TaskCompleted back = (TaskCompleted) codec.decode(codec.encode(e));
        assertThat(back.output()).isEqualTo(output);
        assertThat(((Map<?, ?>) back.output()).get("wide")).isEqualTo(wide);
    }

    @Test
    void readingLogsLeavesNoKeyBehindInTheCodec() {
        // canonicalizing, the codec's factory would keep every distinct key of every log it read back
        assertThat(codec.mapper.getFactory().isEnabled(
                com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)).isFalse();
    }

    private static List<Object> values() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("z", 1);
        nested.put("a", List.of("x", 2L, 3.5, true));
        nested.put("empty", Map.of());
        List<Object> values = new ArrayList<>(Arrays.asList(null, "text with \"quotes\" and \n and \u2603", "", 0,
                -7, Integer.MAX_VALUE, Long.MIN_VALUE, 0.1, -2.5e-300, 1e21, true, false, List.of(), nested,
                new BigDecimal("12345678901234567890.123456789"), new BigInteger("123456789012345678901234567890"),
                1.5f));
        values.add(List.of(nested, List.of(List.of()), "deep"));
        return values;
    }
}
