package dev.baton.plan;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JSON object's keys come from the caller, who may choose them to collide: a frozen object then still finds every
 * key, and no look-up reads more than {@link FrozenJson.KeyIndex#MAX_PROBES} slots of its index.
 */
class FrozenKeyCollisionTest {

    /** {@code 2^blocks} distinct keys of {@code 2 * blocks} letters, all with one {@code String.hashCode}. */
    private static List<String> collidingKeys(int blocks) {
        List<String> out = new ArrayList<>(1 << blocks);
        for (int bits = 0; bits < 1 << blocks; bits++) {
            StringBuilder b = new StringBuilder(2 * blocks);
            for (int i = 0; i < blocks; i++) {
                b.append((bits >>> i & 1) == 0 ? "Aa" : "BB");
            }
            out.add(b.toString());
        }
        return out;
    }

    private static FrozenJson.FrozenMap frozen(List<String> keys) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            m.put(keys.get(i), i);
        }
        return (FrozenJson.FrozenMap) JsonValues.freezeObject(m);
    }

    @Test
    void keysThatAllShareOneHashAreFoundThroughTheFallbackIndex() {
        List<String> all = collidingKeys(14);
        List<String> keys = all.subList(0, all.size() - 50);
        FrozenJson.FrozenMap m = frozen(keys);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(m.get(keys.get(i))).isEqualTo(i);
        }
        assertThat(m.table().hashed()).isTrue();
        for (String missing : all.subList(keys.size(), all.size())) {
            assertThat(m.containsKey(missing)).isFalse();
        }
        // a map derived with the same keys shares the index and finds its own values
        Map<String, Object> doubled = JsonValues.mapValues(m, (k, v) -> ((Integer) v) * 2);
        assertThat(((FrozenJson.FrozenMap) doubled).table()).isSameAs(m.table());
        assertThat(doubled.get(keys.get(100))).isEqualTo(200);
    }

    @Test
    void keysOfDistinctHashesCrowdedOntoOneHomeSlotAreBoundedToo() {
        int n = 300; // a table of 1,024 slots
        int mask = 1023;
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < 100; i++) {
            String k = "k" + i;
            if ((FrozenJson.KeyIndex.spread(k.hashCode()) & mask) == 0) {
                keys.add(k);
            }
        }
        assertThat(keys.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(keys.size());
        for (int i = 0; keys.size() < n; i++) {
            keys.add("other" + i);
        }
        FrozenJson.FrozenMap m = frozen(keys);
        for (int i = 0; i < n; i++) {
            assertThat(m.get(keys.get(i))).isEqualTo(i);
        }
        assertThat(m.table().hashed()).isTrue();
        assertThat(m.get("k-missing")).isNull();
    }

    @Test
    void aRepeatedKeyAnswersItsFirstPlaceThroughTheFallbackToo() {
        List<String> keys = new ArrayList<>(collidingKeys(8)); // 256 colliding keys: the fallback index
        keys.add(keys.get(0));
        String[] k = keys.toArray(String[]::new);
        Object[] v = new Object[k.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        FrozenJson.FrozenMap m = (FrozenJson.FrozenMap) JsonValues.freezeObjectOfDistinctKeys(k, v);
        assertThat(m.get(keys.get(0))).isEqualTo(0);
        assertThat(m.table().hashed()).isTrue();
    }

    @Test
    void honestKeysKeepTheOpenAddressingIndex() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            keys.add("field_" + i);
        }
        FrozenJson.FrozenMap m = frozen(keys);
        assertThat(m.get("field_49999")).isEqualTo(49_999);
        assertThat(m.get("field_50000")).isNull();
        assertThat(m.table().hashed()).isFalse();
    }
}
