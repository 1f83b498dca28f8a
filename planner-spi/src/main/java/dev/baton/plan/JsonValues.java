package dev.baton.plan;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Helpers for the plain Java JSON values the plan model is made of: {@code Map<String,Object>} (objects, insertion
 * order kept), {@code List<Object>} (arrays), {@code String}, {@code Number}, {@code Boolean} and {@code null}.
 *
 * <p>Thread-safe: every method is a pure function.
 */
public final class JsonValues {

    /**
     * The deepest nesting {@link #freeze(Object)} accepts. Readers of untrusted text enforce tighter limits first;
     * this bound only keeps programmatic input from exhausting the stack.
     */
    public static final int MAX_DEPTH = 1_000;

    private JsonValues() {
    }

    /**
     * Returns a deeply immutable copy of a JSON value. Maps keep their insertion order.
     *
     * @param value a JSON value
     * @return an immutable equivalent; immutable values already frozen may be returned as they are
     * @throws InvalidJsonValueException if the value holds something that is not a JSON value (an object with a key
     *                                   that is not a string or appears twice, or a map whose entries disagree with
     *                                   its size, included) or nests deeper than {@link #MAX_DEPTH}; it names the JSON
     *                                   pointer of the offending value
     */
    public static Object freeze(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean
                || value instanceof FrozenJson.FrozenMap || value instanceof FrozenJson.FrozenList) {
            return value; // the common cases of a handler's output: nothing to copy, no path to keep
        }
        return freeze(value, new ArrayList<>(), 0);
    }

    /**
     * Freezes a JSON object.
     *
     * @param object a JSON object, or {@code null} for an empty one
     * @return an immutable, insertion-ordered copy
     * @throws InvalidJsonValueException as {@link #freeze(Object)}
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> freezeObject(Map<String, ?> object) {
        if (object == null) {
            return Map.of();
        }
        return (Map<String, Object>) freeze(object, new ArrayList<>(), 0);
    }

    /**
     * Freezes a JSON object given as parallel arrays of keys and values, in that order, for a caller that already holds
     * its members in arrays and knows its keys to be distinct (the task ids of a validated plan, say). The keys are not
     * checked for repeats, so a large object builds its look-up index on its first look-up by key, and one that is only
     * iterated never builds it. Given a repeated key anyway, the object is still immutable and a look-up answers the
     * first of the repeats. The arrays are copied.
     *
     * @param keys   distinct, non-null keys
     * @param values the value of each key, at the same position
     * @return an immutable, insertion-ordered object
     * @throws IllegalArgumentException if the arrays differ in length or a value is not a JSON value (as
     *                                  {@link #freeze(Object)}, the message names its pointer)
     */
    public static Map<String, Object> freezeObjectOfDistinctKeys(String[] keys, Object[] values) {
        String[] k = keys.clone();
        return new FrozenJson.FrozenMap(k, frozenValues(k, values));
    }

    /** The values, frozen, in a new array; checks the lengths and the keys for null. */
    private static Object[] frozenValues(String[] k, Object[] values) {
        if (k.length != values.length) {
            throw new IllegalArgumentException(k.length + " keys but " + values.length + " values");
        }
        Object[] v = new Object[k.length];
        for (int i = 0; i < k.length; i++) {
            java.util.Objects.requireNonNull(k[i], "JSON object key");
            Object value = values[i];
            v[i] = value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                    || value instanceof Long || value instanceof FrozenJson.FrozenMap
                    || value instanceof FrozenJson.FrozenList
                    ? value : freeze(value, new ArrayList<>(List.of(k[i])), 1);
        }
        return v;
    }

    /**
     * A frozen JSON object with the keys of {@code object}, in its order, and the given values by position: what
     * {@link #mapValues} builds when the new values are already known. When {@code object} is already frozen the
     * result shares its keys and look-up index, so it costs one array of values. The array is copied.
     *
     * @param object a JSON object
     * @param values the value of each entry, at the position of its key in {@code object}'s order
     * @return an immutable, insertion-ordered object
     * @throws IllegalArgumentException if the lengths differ, or (an {@link InvalidJsonValueException}, as
     *                                  {@link #freeze(Object)}) the object's keys or a value are not JSON
     */
    public static Map<String, Object> withValues(Map<String, ?> object, Object[] values) {
        if (object instanceof FrozenJson.FrozenMap frozen) {
            return new FrozenJson.FrozenMap(frozen.keys, frozenValues(frozen.keys, values), frozen.table());
        }
        String[] keys = new String[object.size()];
        int i = 0;
        for (Object key : object.keySet()) {
            if (i == keys.length) {
                throw invalid(List.of(), "the object has more entries than its size");
            }
            keys[i++] = key(key, List.of());
        }
        if (i != keys.length) {
            throw invalid(List.of(), "the object has fewer entries than its size");
        }
        if (!DISTINCT_KEYS.contains(object.getClass())) {
            checkDistinct(keys, List.of());
        }
        return new FrozenJson.FrozenMap(keys, frozenValues(keys, values));
    }

    /**
     * A frozen JSON object with the keys of {@code object}, in its order, and each value replaced by
     * {@code f(key, value)}, frozen. When {@code object} is already frozen the result shares its keys, and when no
     * value changed (every {@code f} returned its argument) the result is {@code object} itself: cheap enough to run
     * on every task dispatch.
     *
     * @param object a JSON object
     * @param f      the new value of each entry, given its key and current value
     * @return an immutable, insertion-ordered object
     * @throws InvalidJsonValueException if a key is not a string or a new value is not a JSON value, as
     *                                   {@link #freeze(Object)}
     */
    public static Map<String, Object> mapValues(Map<String, ?> object, BiFunction<String, Object, Object> f) {
        if (object instanceof FrozenJson.FrozenMap frozen) {
            Object[] copy = null;
            for (int i = 0; i < frozen.keys.length; i++) {
                Object v = frozen.values[i];
                Object r = f.apply(frozen.keys[i], v);
                if (r != v) {
                    if (copy == null) {
                        copy = frozen.values.clone();
                    }
                    copy[i] = freezeMember(frozen.keys[i], r);
                }
            }
            return copy == null ? frozen : new FrozenJson.FrozenMap(frozen.keys, copy, frozen.table());
        }
        String[] keys = new String[object.size()];
        Object[] values = new Object[keys.length];
        int i = 0;
        for (Map.Entry<?, ?> e : object.entrySet()) {
            if (i == keys.length) {
                throw invalid(List.of(), "the object has more entries than its size");
            }
            keys[i] = key(e.getKey(), List.of());
            values[i] = freezeMember(keys[i], f.apply(keys[i], e.getValue()));
            i++;
        }
        if (i < keys.length) {
            throw invalid(List.of(), "the object has fewer entries than its size");
        }
        if (!DISTINCT_KEYS.contains(object.getClass())) {
            checkDistinct(keys, List.of());
        }
        return new FrozenJson.FrozenMap(keys, values);
    }

    /** Freezes the value of an object's member: a problem's pointer starts with its key. */
    private static Object freezeMember(String key, Object value) {
        if (value == null || value instanceof String || value instanceof Boolean
                || value instanceof FrozenJson.FrozenMap || value instanceof FrozenJson.FrozenList) {
            return value;
        }
        return freeze(value, new ArrayList<>(List.of(key)), 1);
    }

    private static Object freeze(Object value, List<String> path, int depth) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            return checkNumber(n, path);
        }
        if (depth >= MAX_DEPTH) {
            throw invalid(path, "JSON value nests deeper than " + MAX_DEPTH + " levels");
        }
        if (value instanceof FrozenJson.FrozenMap || value instanceof FrozenJson.FrozenList) {
            return value; // deeply frozen by construction
        }
        if (value instanceof Map<?, ?> map) {
            int n = map.size();
            String[] keys = new String[n];
            Object[] values = new Object[n];
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = key(e.getKey(), path);
                if (i == n) {
                    throw invalid(path, "the object has more entries than its size");
                }
                path.add(key);
                keys[i] = key;
                values[i] = freeze(e.getValue(), path, depth + 1);
                path.remove(path.size() - 1);
                i++;
            }
            if (i < n) {
                throw invalid(path, "the object has fewer entries than its size");
            }
            if (!DISTINCT_KEYS.contains(map.getClass())) {
                checkDistinct(keys, path);
            }
            return new FrozenJson.FrozenMap(keys, values);
        }
        if (value instanceof List<?> list) {
            Object[] copy = new Object[list.size()];
            int i = 0;
            for (Object item : list) {
                path.add(Integer.toString(i));
                copy[i] = freeze(item, path, depth + 1);
                path.remove(path.size() - 1);
                i++;
            }
            return FrozenJson.list(copy);
        }
        throw invalid(path, "a " + value.getClass().getName() + " is not a JSON value");
    }

    /** An object's key, checked to be a string as every JSON key is; {@code path} is the object's. */
    private static String key(Object key, List<String> path) {
        if (key instanceof String s) {
            return s;
        }
        throw invalid(path, "JSON object key " + (key == null ? "null" : abbreviate(String.valueOf(key)) + " ("
                + key.getClass().getSimpleName() + ")") + " is not a string");
    }

    private static String abbreviate(String s) {
        return ReferenceSyntaxException.abbreviate(s); // shortened, on one line
    }

    private static InvalidJsonValueException invalid(List<String> path, String reason) {
        return new InvalidJsonValueException(null, pointer(path), reason);
    }

    /**
     * Map classes whose keys are distinct by {@code equals}, so their copies need no check. Any other map (an
     * {@code IdentityHashMap} holding two equal strings, a view, a map of the caller's own) is checked: a JSON object
     * has each key once.
     */
    private static final java.util.Set<Class<?>> DISTINCT_KEYS = java.util.Set.copyOf(List.of(java.util.HashMap.class,
            java.util.LinkedHashMap.class, java.util.TreeMap.class, java.util.concurrent.ConcurrentHashMap.class,
            Map.of().getClass(), Map.of("k", 0).getClass(), Map.of("k", 0, "l", 1).getClass()));

    private static void checkDistinct(String[] keys, List<String> path) {
        if (keys.length < 2) {
            return;
        }
        if (keys.length <= 8) {
            for (int i = 1; i < keys.length; i++) {
                for (int j = 0; j < i; j++) {
                    if (keys[i].equals(keys[j])) {
                        throw duplicate(keys[i], path);
                    }
                }
            }
            return;
        }
        java.util.Set<String> seen = new java.util.HashSet<>(keys.length * 2);
        for (String k : keys) {
            if (!seen.add(k)) {
                throw duplicate(k, path);
            }
        }
    }

    private static InvalidJsonValueException duplicate(String key, List<String> path) {
        return invalid(path, "JSON object key '" + abbreviate(key) + "' appears twice");
    }

    private static Number checkNumber(Number n, List<String> path) {
        if (n instanceof Integer || n instanceof Long || n instanceof BigInteger || n instanceof BigDecimal
                || n instanceof Short || n instanceof Byte) {
            return n;
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw invalid(path, n + " is not a finite JSON number");
            }
            return n;
        }
        throw invalid(path, "a " + n.getClass().getName() + " is not a JSON number type");
    }

    private static String pointer(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String p : path) {
            sb.append('/').append(escape(p));
        }
        return sb.toString();
    }

    /**
     * Whether a value is a JSON value this model accepts, checked shallowly (containers are not walked).
     *
     * @param value any object
     * @return true for null, String, Boolean, the JDK's Number types, Map and List
     */
    public static boolean isJsonType(Object value) {
        return value == null || value instanceof String || value instanceof Boolean || value instanceof Number
                || value instanceof Map || value instanceof List;
    }

    /**
     * Escapes one JSON-pointer token (RFC 6901: {@code ~} as {@code ~0}, {@code /} as {@code ~1}).
     *
     * @param token an object key
     * @return the escaped token
     */
    public static String escape(String token) {
        if (token.indexOf('~') < 0 && token.indexOf('/') < 0) {
            return token;
        }
        return token.replace("~", "~0").replace("/", "~1");
    }

    /**
     * The JSON type name of a value as JSON Schema spells it.
     *
     * @param value a JSON value
     * @return {@code object}, {@code array}, {@code string}, {@code integer}, {@code number}, {@code boolean} or
     *         {@code null}
     */
    public static String typeName(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "object";
        }
        if (value instanceof List) {
            return "array";
        }
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger || value instanceof Short
                || value instanceof Byte) {
            return "integer";
        }
        if (value instanceof Number) {
            return "number";
        }
        return value.getClass().getSimpleName();
    }
}
