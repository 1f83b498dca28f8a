package dev.baton.plan;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The immutable containers {@link JsonValues#freeze(Object)} produces. Being our own types lets a value that is
 * already deeply frozen pass through {@code freeze} without another copy.
 */
final class FrozenJson {

    private FrozenJson() {
    }

    /**
     * An insertion-ordered, deeply immutable JSON object in two parallel arrays. Small objects (the usual task input)
     * are searched linearly; larger ones get an open-addressing index. Objects derived from another one with the same
     * keys (a resolved input, say) share its key array and index, so each costs little more than its values.
     */
    static final class FrozenMap extends AbstractMap<String, Object> {
        /** Up to this many keys, a look-up scans the keys instead of hashing. */
        private static final int LINEAR = 8;

        final String[] keys;
        final Object[] values;
        /** Built on the first look-up of a large object, never for a small one. */
        private volatile KeyIndex table;
        private Set<Map.Entry<String, Object>> entries;

        FrozenMap(String[] keys, Object[] values) {
            this(keys, values, null);
        }

        FrozenMap(String[] keys, Object[] values, KeyIndex table) {
            this.keys = keys;
            this.values = values;
            this.table = table;
        }

        /** @return the index if built, for a map derived with the same keys to share */
        KeyIndex table() {
            return table;
        }

        int position(Object key) {
            if (!(key instanceof String k)) {
                return -1;
            }
            if (keys.length <= LINEAR) {
                for (int i = 0; i < keys.length; i++) {
                    String x = keys[i];
                    if (x == k || x.equals(k)) {
                        return i;
                    }
                }
                return -1;
            }
            KeyIndex table = this.table;
            if (table == null) {
                table = KeyIndex.of(keys); // racing builders build equal indexes; the volatile write publishes one
                this.table = table;
            }
            return table.position(keys, k);
        }

        @Override
        public Object get(Object key) {
            int p = position(key);
            return p < 0 ? null : values[p];
        }

        @Override
        public boolean containsKey(Object key) {
            return position(key) >= 0;
        }

        @Override
        public int size() {
            return keys.length;
        }

        @Override
        public boolean isEmpty() {
            return keys.length == 0;
        }

        @Override
        public void forEach(BiConsumer<? super String, ? super Object> action) {
            for (int i = 0; i < keys.length; i++) {
                action.accept(keys[i], values[i]);
            }
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            Set<Map.Entry<String, Object>> e = entries;
            if (e == null) {
                e = new Entries();
                entries = e;
            }
            return e;
        }

        private final class Entries extends AbstractSet<Map.Entry<String, Object>> {
            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keys.length;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (next >= keys.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new AbstractMap.SimpleImmutableEntry<>(keys[i], values[i]);
                    }
                };
            }

            @Override
            public int size() {
                return keys.length;
            }
        }
    }

    /**
     * The positions of an object's distinct keys: open addressing over {@code String.hashCode}, which keys chosen to
     * collide could turn into a linear search per look-up (and a quadratic build). No key is placed more than
     * {@link #MAX_PROBES} slots past its home, so every look-up reads at most that many; keys that cannot all be
     * placed so are indexed by a {@link HashMap} instead, whose bins of colliding strings are balanced trees.
     */
    static final class KeyIndex {
        /** Far beyond the longest displacement of honest keys at a load factor of at most 1/2. */
        static final int MAX_PROBES = 64;

        /** Slot -> key position + 1 (0: empty); null when {@link #fallback} is used. */
        private final int[] slots;
        private final HashMap<String, Integer> fallback;

        private KeyIndex(int[] slots, HashMap<String, Integer> fallback) {
            this.slots = slots;
            this.fallback = fallback;
        }

        static KeyIndex of(String[] keys) {
            int cap = Integer.highestOneBit(keys.length * 2 - 1) << 1;
            int[] t = new int[cap];
            int mask = cap - 1;
            for (int i = 0; i < keys.length; i++) {
                int s = spread(keys[i].hashCode()) & mask;
                int probe = 0;
                while (t[s] != 0) {
                    if (++probe == MAX_PROBES) {
                        return hashed(keys);
                    }
                    s = (s + 1) & mask;
                }
                t[s] = i + 1;
            }
            return new KeyIndex(t, null);
        }

        private static KeyIndex hashed(String[] keys) {
            HashMap<String, Integer> m = new HashMap<>(keys.length * 2);
            for (int i = 0; i < keys.length; i++) {
                m.putIfAbsent(keys[i], i); // a repeated key answers its first place, as the slots do
            }
            return new KeyIndex(null, m);
        }

        /** @return whether the keys were indexed by the fallback (for tests) */
        boolean hashed() {
            return fallback != null;
        }

        int position(String[] keys, String k) {
            if (fallback != null) {
                Integer p = fallback.get(k);
                return p == null ? -1 : p;
            }
            int[] t = slots;
            int mask = t.length - 1;
            int s = spread(k.hashCode()) & mask;
            for (int probe = 0; probe < MAX_PROBES; probe++) {
                int p = t[s];
                if (p == 0) {
                    return -1;
                }
                String x = keys[p - 1];
                if (x == k || x.equals(k)) {
                    return p - 1;
                }
                s = (s + 1) & mask;
            }
            return -1; // no key is placed further from its home
        }

        /** Mixes the high bits in: keys such as {@code f1, f2, ...} differ in low bits, which linear probing clusters. */
        static int spread(int h) {
            h *= 0x9E3779B9;
            return h ^ (h >>> 16);
        }
    }

    /** A deeply immutable JSON array. */
    static final class FrozenList extends AbstractList<Object> implements RandomAccess {
        private final Object[] items;

        FrozenList(Object[] items) {
            this.items = items;
        }

        @Override
        public Object get(int index) {
            return items[index];
        }

        @Override
        public int size() {
            return items.length;
        }
    }

    static List<Object> list(Object[] items) {
        return new FrozenList(items);
    }
}
