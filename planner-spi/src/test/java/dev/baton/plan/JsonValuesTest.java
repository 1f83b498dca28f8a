package dev.baton.plan;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonValuesTest {

    @Test
    void frozenObjectsKeepOrderAndBehaveAsMaps() {
        Map<String, Object> src = new LinkedHashMap<>();
        src.put("b", 1);
        src.put("a", null);
        src.put("c", List.of("x"));
        Map<String, Object> f = JsonValues.freezeObject(src);
        assertThat(f).isEqualTo(src).hasSameHashCodeAs(src);
        assertThat(f.keySet()).containsExactly("b", "a", "c");
        assertThat(f.containsKey("a")).isTrue();
        assertThat(f.get("a")).isNull();
        assertThat(f.containsKey("z")).isFalse();
        assertThat(f.get(7)).isNull();
        assertThatThrownBy(() -> f.put("d", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(JsonValues.freeze(f)).isSameAs(f);
    }

    @Test
    void largeObjectsAreFoundByKey() {
        Map<String, Object> src = new LinkedHashMap<>();
        for (int i = 0; i < 1_000; i++) {
            src.put("k" + i, i);
        }
        Map<String, Object> f = JsonValues.freezeObject(src);
        for (int i = 0; i < 1_000; i++) {
            assertThat(f.get("k" + i)).isEqualTo(i);
        }
        assertThat(f.get("k1000")).isNull();
        assertThat(f.containsKey("k999")).isTrue();
        assertThat(f).isEqualTo(src);
        StringBuilder order = new StringBuilder();
        f.forEach((k, v) -> order.append(k.equals("k" + v) ? "" : "!"));
        assertThat(order.toString()).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void mapValuesSharesAnUnchangedObjectAndFreezesNewValues() {
        Map<String, Object> f = JsonValues.freezeObject(Map.of("a", "$x", "b", 2));
        assertThat(JsonValues.mapValues(f, (k, v) -> v)).isSameAs(f);
        Map<String, Object> g = JsonValues.mapValues(f, (k, v) -> k.equals("a") ? new LinkedHashMap<>(Map.of("n", 1)) : v);
        assertThat(g).containsEntry("a", Map.of("n", 1)).containsEntry("b", 2);
        assertThatThrownBy(() -> ((Map<String, Object>) g.get("a")).put("m", 2))
                .isInstanceOf(UnsupportedOperationException.class);
        // a plain map comes back frozen, in its order
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("z", 1);
        plain.put("y", 2);
        Map<String, Object> h = JsonValues.mapValues(plain, (k, v) -> ((Integer) v) * 10);
        assertThat(h.keySet()).containsExactly("z", "y");
        assertThat(h).containsEntry("z", 10).containsEntry("y", 20);
        assertThatThrownBy(() -> JsonValues.mapValues(plain, (k, v) -> new Object()))
                .isInstanceOf(IllegalArgumentException.class);
        // a bad new value is named by its place in the object, as withValues names it
        Map<String, Object> nan = new LinkedHashMap<>(Map.of("b", Double.NaN));
        for (Map<String, ?> o : List.<Map<String, ?>>of(f, plain)) {
            String key = o.keySet().iterator().next();
            assertThatThrownBy(() -> JsonValues.mapValues(o, (k, v) -> k.equals(key) ? nan : v))
                    .isInstanceOfSatisfying(InvalidJsonValueException.class,
                            e -> assertThat(e.pointer()).isEqualTo("/" + key + "/b"));
            assertThatThrownBy(() -> JsonValues.mapValues(o, (k, v) -> k.equals(key) ? Double.NaN : v))
                    .isInstanceOfSatisfying(InvalidJsonValueException.class,
                            e -> assertThat(e.pointer()).isEqualTo("/" + key));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void withValuesKeepsTheKeysAndOrderAndFreezesAndChecksTheNewValues() {
        Map<String, Object> plain = new LinkedHashMap<>();
        plain.put("z", "$x");
        plain.put("y", 2);
        plain.put("w", List.of());
        Map<String, Object> f = JsonValues.freezeObject(plain);
        Object[] values = {new LinkedHashMap<>(Map.of("n", 1)), 20, null};
        Map<String, Object> g = JsonValues.withValues(f, values);
        assertThat(g.keySet()).containsExactly("z", "y", "w");
        assertThat(g).containsEntry("z", Map.of("n", 1)).containsEntry("y", 20).containsEntry("w", null);
        assertThatThrownBy(() -> ((Map<String, Object>) g.get("z")).put("m", 2))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> g.put("v", 1)).isInstanceOf(UnsupportedOperationException.class);
        values[1] = 99; // the array is copied: the object does not change with it
        assertThat(g).containsEntry("y", 20);
        assertThat(f).containsEntry("z", "$x").containsEntry("y", 2); // the source is untouched
        // a plain map gives the same object as its frozen copy does
        assertThat(JsonValues.withValues(plain, new Object[]{1, 2, 3}))
                .isEqualTo(JsonValues.withValues(f, new Object[]{1, 2, 3}))
                .isEqualTo(Map.of("z", 1, "y", 2, "w", 3));
        assertThatThrownBy(() -> JsonValues.withValues(f, new Object[]{1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 keys but 2 values");
        assertThatThrownBy(() -> JsonValues.withValues(f, new Object[]{1, new Object(), 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/y");
    }

    @Test
    void anObjectFromParallelArraysEqualsTheSameObjectFrozenFromAMap() {
        for (int n : new int[]{0, 3, 8, 9, 1_000}) {
            String[] keys = new String[n];
            Object[] values = new Object[n];
            Map<String, Object> expected = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                keys[i] = "t" + (n - i); // not in sorted order: insertion order is kept
                values[i] = i % 2 == 0 ? Map.of("v", i) : List.of(i, "x");
                expected.put(keys[i], values[i]);
            }
            Map<String, Object> frozen = JsonValues.freezeObjectOfDistinctKeys(keys, values);
            assertThat(frozen).isEqualTo(expected);
            assertThat(frozen.keySet()).containsExactlyElementsOf(expected.keySet());
            for (String k : keys) {
                assertThat(frozen.get(k)).isEqualTo(expected.get(k)); // small objects scan, large ones index
            }
            assertThat(frozen.get("missing")).isNull();
            assertThat(JsonValues.freezeObject(frozen)).as("already frozen: kept as it is").isSameAs(frozen);
            if (n > 0) {
                keys[0] = "changed";
                values[0] = "changed";
                assertThat(frozen).as("the arrays are copied").isEqualTo(expected);
            }
        }
    }

    @Test
    void anObjectOfDistinctKeysIndexesOnItsFirstLookUpAndAnswersAsTheOneFrozenFromAMap() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int n : new int[]{0, 3, 8, 9, 1_000, 20_000}) {
                String[] keys = new String[n];
                Object[] values = new Object[n];
                Map<String, Object> expected = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    keys[i] = "t" + (n - i);
                    values[i] = i % 3 == 0 ? null : i % 3 == 1 ? Map.of("v", i) : List.of(i, "x");
                    expected.put(keys[i], values[i]);
                }
                Map<String, Object> checked = JsonValues.freezeObject(expected); // frozen from a map: the reference
                Map<String, Object> lazy = JsonValues.freezeObjectOfDistinctKeys(keys, values);
                FrozenJson.FrozenMap frozen = (FrozenJson.FrozenMap) lazy;
                assertThat(frozen.table()).as("no index before a look-up by key").isNull();

                // iterating, hashing and comparing it with another map (which looks its keys up there) need no index
                assertThat(lazy.hashCode()).isEqualTo(checked.hashCode()).isEqualTo(expected.hashCode());
                assertThat(lazy.keySet()).containsExactlyElementsOf(expected.keySet());
                assertThat(lazy.equals(expected)).isTrue();
                assertThat(lazy.equals(checked)).isTrue();
                assertThat(frozen.table()).isNull();

                // the first look-ups come from other threads at once: each may build the index, any one is published
                CyclicBarrier start = new CyclicBarrier(4);
                List<Future<List<String>>> answers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    answers.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return mismatches(lazy, checked, expected, keys);
                    }));
                }
                for (Future<List<String>> a : answers) {
                    assertThat(a.get(30, TimeUnit.SECONDS)).as("n = %d", n).isEmpty();
                }
                assertThat(mismatches(lazy, checked, expected, keys)).isEmpty();
                if (n > 8) {
                    assertThat(frozen.table()).as("a large object is indexed now").isNotNull();
                } else {
                    assertThat(frozen.table()).as("a small one is scanned, never indexed").isNull();
                }
                assertThat(lazy).isEqualTo(checked).isEqualTo(expected);
                assertThat(checked).isEqualTo(lazy); // these look up the lazy one's keys
                assertThat(expected).isEqualTo(lazy);
                assertThat(JsonValues.freeze(lazy)).isSameAs(lazy);
                if (n > 0) {
                    Map<String, Object> other = new LinkedHashMap<>(expected);
                    other.put(keys[n - 1], "another");
                    assertThat(lazy).isNotEqualTo(other);
                    assertThat(JsonValues.freezeObjectOfDistinctKeys(keys, other.values().toArray())).isNotEqualTo(lazy);
                    keys[0] = "changed";
                    assertThat(lazy).as("the arrays are copied").isEqualTo(expected);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every key, and some that are absent, read by get and containsKey; what differs from the expected answers. */
    private static List<String> mismatches(Map<String, Object> lazy, Map<String, Object> checked,
                                           Map<String, Object> expected, String[] keys) {
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (!lazy.containsKey(k) || !java.util.Objects.equals(lazy.get(k), expected.get(k))
                    || !java.util.Objects.equals(lazy.get(k), checked.get(k))) {
                out.add(k);
            }
        }
        for (Object absent : new Object[]{"missing", "t0", "t" + (keys.length + 1), "", 7, null}) {
            if (lazy.containsKey(absent) || lazy.get(absent) != null || checked.containsKey(absent)) {
                out.add(String.valueOf(absent));
            }
        }
        return out;
    }

    @Test
    void anObjectOfDistinctKeysChecksItsArraysAndValues() {
        assertThatThrownBy(() -> JsonValues.freezeObjectOfDistinctKeys(new String[]{"a"}, new Object[]{1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 keys but 2 values");
        assertThatThrownBy(() -> JsonValues.freezeObjectOfDistinctKeys(new String[]{"a", "b"},
                new Object[]{1, Map.of("when", new Object())}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/b/when");
        assertThatThrownBy(() -> JsonValues.freezeObjectOfDistinctKeys(new String[]{"a", "b"}, new Object[]{1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/b");
        assertThatThrownBy(() -> JsonValues.freezeObjectOfDistinctKeys(new String[]{null}, new Object[]{1}))
                .isInstanceOf(NullPointerException.class);
        Map<String, Object> mutable = new LinkedHashMap<>(Map.of("n", 1));
        Map<String, Object> f = JsonValues.freezeObjectOfDistinctKeys(new String[]{"m"}, new Object[]{mutable});
        mutable.put("n", 2);
        assertThat(f).isEqualTo(Map.of("m", Map.of("n", 1)));
        // not checked, but well defined: a repeated key answers its first value, scanned or indexed
        assertThat(JsonValues.freezeObjectOfDistinctKeys(new String[]{"a", "b", "a"}, new Object[]{1, 2, 3}).get("a"))
                .isEqualTo(1);
        String[] many = new String[20];
        Object[] vals = new Object[20];
        for (int i = 0; i < many.length; i++) {
            many[i] = "k" + i;
            vals[i] = i;
        }
        many[17] = "k3";
        assertThat(JsonValues.freezeObjectOfDistinctKeys(many, vals).get("k3")).isEqualTo(3);
    }

    @Test
    void anObjectHasEachKeyOnceAndAsManyEntriesAsItsSize() {
        Map<String, Object> twice = new java.util.IdentityHashMap<>();
        twice.put("a", 1);
        twice.put(new String("a"), 2); // equal, not identical: two entries of one JSON key
        assertThatThrownBy(() -> JsonValues.freezeObject(Map.of("in", twice)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a' appears twice at '/in'");
        assertThatThrownBy(() -> Task.of("t", "s", twice)).isInstanceOf(IllegalArgumentException.class);
        Map<String, Object> many = new java.util.IdentityHashMap<>();
        for (int i = 0; i < 20; i++) {
            many.put("k" + i, i);
        }
        many.put(new String("k7"), 0);
        assertThatThrownBy(() -> JsonValues.freeze(many)).hasMessageContaining("'k7' appears twice");
        assertThatThrownBy(() -> JsonValues.mapValues(twice, (k, v) -> v)).hasMessageContaining("appears twice");
        assertThatThrownBy(() -> JsonValues.withValues(twice, new Object[] {1, 2})).hasMessageContaining("appears twice");

        Map<String, Object> liar = new java.util.AbstractMap<>() {
            @Override
            public java.util.Set<Map.Entry<String, Object>> entrySet() {
                return new java.util.LinkedHashSet<>(List.of(Map.entry("a", 1), Map.entry("b", 2)));
            }

            @Override
            public int size() {
                return 1;
            }
        };
        assertThatThrownBy(() -> JsonValues.freeze(liar)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more entries than its size");
        assertThatThrownBy(() -> JsonValues.mapValues(liar, (k, v) -> v)).isInstanceOf(IllegalArgumentException.class);

        Map<String, Object> shortOfItsSize = new java.util.AbstractMap<>() {
            @Override
            public java.util.Set<Map.Entry<String, Object>> entrySet() {
                return new java.util.LinkedHashSet<>(List.of(Map.entry("a", 1)));
            }

            @Override
            public int size() {
                return 2;
            }
        };
        assertThatThrownBy(() -> JsonValues.withValues(shortOfItsSize, new Object[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fewer entries than its size");
        assertThatThrownBy(() -> JsonValues.freeze(shortOfItsSize)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fewer entries than its size");

        Map<String, Object> distinct = new java.util.IdentityHashMap<>(Map.of("a", 1, "b", 2));
        assertThat(JsonValues.freezeObject(distinct)).isEqualTo(Map.of("a", 1, "b", 2));
        assertThat(JsonValues.freezeObject(java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(Map.of("x", 1)))))
                .isEqualTo(Map.of("x", 1));
    }

    /** An insertion-ordered map of any keys, as a caller of the Java API might build one. */
    private static Map<Object, Object> anyKeys(Object... keysAndValues) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<String, Object> unchecked(Map<Object, Object> m) {
        return (Map) m;
    }

    @Test
    void aKeyThatIsNotAStringIsATypedErrorWithItsPointerWhereverItIs() {
        Map<Object, Object> nested = anyKeys("a", List.of("x", anyKeys("ok", 1, 2, "y")));
        assertThatThrownBy(() -> JsonValues.freeze(nested))
                .isInstanceOfSatisfying(InvalidJsonValueException.class, e -> {
                    assertThat(e.pointer()).isEqualTo("/a/1");
                    assertThat(e.reason()).isEqualTo("JSON object key 2 (Integer) is not a string");
                    assertThat(e.getMessage()).isEqualTo("JSON object key 2 (Integer) is not a string at '/a/1'");
                });
        assertThatThrownBy(() -> JsonValues.freezeObject(unchecked(anyKeys(null, 1))))
                .isInstanceOfSatisfying(InvalidJsonValueException.class, e -> {
                    assertThat(e.pointer()).isEmpty();
                    assertThat(e.reason()).isEqualTo("JSON object key null is not a string");
                });

        // before: these two cast the key and threw a ClassCastException
        Map<String, Object> integerKey = unchecked(anyKeys("a", 1, 7L, 2));
        assertThatThrownBy(() -> JsonValues.mapValues(integerKey, (k, v) -> v))
                .isInstanceOfSatisfying(InvalidJsonValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("JSON object key 7 (Long) is not a string"));
        assertThatThrownBy(() -> JsonValues.withValues(integerKey, new Object[] {1, 2}))
                .isInstanceOfSatisfying(InvalidJsonValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("JSON object key 7 (Long) is not a string"));
    }

    @Test
    void aTaskWhoseInputIsNotJsonSaysWhichTaskAndWhereInTheInput() {
        assertThatThrownBy(() -> Plan.builder().task("t1", "s", unchecked(anyKeys("in", anyKeys(3, "x")))))
                .isInstanceOfSatisfying(InvalidJsonValueException.class, e -> {
                    assertThat(e.pointer()).isEqualTo("/in");
                    assertThat(e.getMessage()).isEqualTo("task 't1' input: JSON object key 3 (Integer) is not a string at '/in'");
                });
        assertThatThrownBy(() -> Task.of("t2", "s", Map.of("n", Double.NaN)))
                .isInstanceOfSatisfying(InvalidJsonValueException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("task 't2' input: NaN is not a finite JSON number at '/n'"));
    }

    @Test
    void aTaskIdInThatMessageIsQuotedOnOneLineAndShortened() {
        // ids are checked by validation, later: here one may hold a line break, a bidi override, or go on and on
        assertThatThrownBy(() -> Task.of("t1\nforged: line\u202e", "s", Map.of("n", Double.NaN)))
                .isInstanceOfSatisfying(InvalidJsonValueException.class, e -> {
                    assertThat(e.getMessage()).isEqualTo("task 't1\\nforged: line\\u202e' input: NaN is not a finite"
                            + " JSON number at '/n'");
                    assertThat(e.pointer()).isEqualTo("/n");
                });
        String huge = "t".repeat(1_000_000);
        assertThatThrownBy(() -> Task.of(huge, "s", Map.of("n", Double.NaN)))
                .isInstanceOfSatisfying(InvalidJsonValueException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("task '" + "t".repeat(200) + "...' input: NaN is not a finite JSON number at '/n'"));
        // the keys in the pointer and in a key's own problem are quoted the same way
        assertThatThrownBy(() -> Task.of("t1", "s", Map.of("line\nbreak", Map.of("k".repeat(5_000), Double.NaN))))
                .isInstanceOfSatisfying(InvalidJsonValueException.class, e -> {
                    assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(400).contains("line\\nbreak");
                    assertThat(e.pointer()).isEqualTo("/line\nbreak/" + "k".repeat(5_000));
                });
    }
}
