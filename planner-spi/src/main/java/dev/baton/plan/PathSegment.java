package dev.baton.plan;

/**
 * One step of a {@link Reference} path: an object key or an array index.
 */
public sealed interface PathSegment {

    /**
     * Looks this segment up in a JSON value.
     *
     * @param value   the value to step into
     * @param missing what to return when the step does not exist (wrong type, absent key, index out of range)
     * @return the value at this step, or {@code missing}
     */
    Object select(Object value, Object missing);

    /**
     * An object key.
     *
     * @param name the key, never empty
     */
    record Key(String name) implements PathSegment {
        /**
         * Checks the key.
         *
         * @param name the key, never empty
         */
        public Key {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a path key is never empty");
            }
        }

        @Override
        public Object select(Object value, Object missing) {
            if (value instanceof java.util.Map<?, ?> map) {
                Object v = map.get(name);
                return v != null || map.containsKey(name) ? v : missing;
            }
            return missing;
        }

        @Override
        public String toString() {
            return "." + name;
        }
    }

    /**
     * An array index.
     *
     * @param index zero-based, never negative
     */
    record Index(int index) implements PathSegment {
        /**
         * Checks the index.
         *
         * @param index zero-based, never negative
         */
        public Index {
            if (index < 0) {
                throw new IllegalArgumentException("a path index is never negative: " + index);
            }
        }

        @Override
        public Object select(Object value, Object missing) {
            if (value instanceof java.util.List<?> list) {
                return index < list.size() ? list.get(index) : missing;
            }
            return missing;
        }

        @Override
        public String toString() {
            return "[" + index + "]";
        }
    }
}
