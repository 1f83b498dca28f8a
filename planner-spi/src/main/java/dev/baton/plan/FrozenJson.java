package dev.baton.plan;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
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
        /** Slot -> key position + 1 (0: empty); built on the first look-up of a large object, never for a small one. */
        private volatile int[] table;
        private Set<Map.Entry<String, Object>> entries;

        FrozenMap(String[] keys, Object[] values) {
            this(keys, values, null);
        }

        FrozenMap(String[] keys, Object[] values, int[] table) {
            this.keys = keys;
            this.values = values;
            this.table = table;
        }

        /** @return the index if built, for a map derived with the same keys to share */
        int[] table() {
            return table;
        }

        /** The open-addressing index of the keys' positions (plus one; 0 is an empty slot). */
        private static int[] index(String[] keys) {
            int cap = Integer.highestOneBit(keys.length * 2 - 1) << 1;
            int[] t = new int[cap];
            int mask = cap - 1;
            for (int i = 0; i < keys.length; i++) {
                int s = spread(keys[i].hashCode()) & mask;
                while (t[s] != 0) {
                    s = (s + 1) & mask;
                }
                t[s] = i + 1;
            }
            return t;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
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
            int[] table = this.table;
            if (table == null) {
                table = index(keys); // racing builders build equal tables; the volatile write publishes one
                this.table = table;
            }
            int mask = table.length - 1;
            int s = spread(k.hashCode()) & mask;
            int p;
            while ((p = table[s]) != 0) {
                String x = keys[p - 1];
                if (x == k || x.equals(k)) {
                    return p - 1;
                }
                s = (s + 1) & mask;
            }
            return -1;
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
