package dev.baton.plan;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** An insertion-ordered, deeply immutable JSON object. */
    static final class FrozenMap extends AbstractMap<String, Object> {
        private final Map<String, Object> delegate;
        private final Set<Map.Entry<String, Object>> entries;

        FrozenMap(LinkedHashMap<String, Object> delegate) {
            this.delegate = delegate;
            this.entries = Collections.unmodifiableMap(delegate).entrySet();
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            return entries;
        }

        @Override
        public Object get(Object key) {
            return delegate.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return delegate.containsKey(key);
        }

        @Override
        public int size() {
            return delegate.size();
        }

        /** Walks the members in order without an iterator or an entry wrapper per member, as validation does. */
        @Override
        public void forEach(BiConsumer<? super String, ? super Object> action) {
            delegate.forEach(action);
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
