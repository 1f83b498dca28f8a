package dev.baton.internal.engine;

import dev.baton.plan.JsonValues;
import dev.baton.plan.Reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves a task's input at dispatch: every reference is replaced by the value it points at in its producer's
 * output, every escaped {@code $$} literal loses its first {@code $}. A path look-up and nothing else. Containers
 * without references or escapes are shared, not copied, and the JSON pointer of a value is only spelled out when a
 * reference fails.
 */
final class InputResolver {

    /** Marks a path step that does not exist. */
    static final Object MISSING = new Object();

    private InputResolver() {
    }

    /**
     * @param input   the task's input as planned
     * @param outputs producer output by task id ({@code task0}: the parameters); {@link #MISSING} when unknown
     * @return the resolved input, frozen
     * @throws UnresolvedReferenceException when a path does not exist in its producer's output
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> resolve(Map<String, Object> input, Function<String, Object> outputs) {
        return (Map<String, Object>) walk(input, outputs, new ArrayList<>(4));
    }

    private static Object walk(Object value, Function<String, Object> outputs, List<String> path) {
        if (value instanceof String s) {
            if (s.isEmpty() || s.charAt(0) != '$') {
                return s;
            }
            if (Reference.isEscaped(s)) {
                return Reference.unescape(s);
            }
            Reference ref = Reference.parse(s); // validated before the run started
            Object producer = outputs.apply(ref.taskId());
            if (producer == MISSING) {
                throw new UnresolvedReferenceException(s, pointer(path), "task '" + ref.taskId() + "' has no output");
            }
            Object v = ref.select(producer, MISSING);
            if (v == MISSING) {
                int ok = ref.resolvablePrefix(producer);
                throw new UnresolvedReferenceException(s, pointer(path), "'" + ref.taskId() + "' output has no "
                        + describe(ref, ok));
            }
            return v;
        }
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                return value;
            }
            Map<String, Object> copy = null;
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object v = e.getValue();
                Object r = v;
                if (v instanceof String || v instanceof Map || v instanceof List) {
                    path.add((String) e.getKey());
                    r = walk(v, outputs, path);
                    path.remove(path.size() - 1);
                }
                if (r != v && copy == null) {
                    copy = new LinkedHashMap<>();
                    int j = 0;
                    for (Map.Entry<?, ?> p : map.entrySet()) {
                        if (j++ == i) {
                            break;
                        }
                        copy.put((String) p.getKey(), p.getValue());
                    }
                }
                if (copy != null) {
                    copy.put((String) e.getKey(), r);
                }
                i++;
            }
            return copy == null ? value : JsonValues.freeze(copy);
        }
        if (value instanceof List<?> list) {
            Object[] copy = null;
            for (int i = 0; i < list.size(); i++) {
                Object v = list.get(i);
                Object r = v;
                if (v instanceof String || v instanceof Map || v instanceof List) {
                    path.add(Integer.toString(i));
                    r = walk(v, outputs, path);
                    path.remove(path.size() - 1);
                }
                if (r != v && copy == null) {
                    copy = list.toArray();
                }
                if (copy != null) {
                    copy[i] = r;
                }
            }
            return copy == null ? value : JsonValues.freeze(Arrays.asList(copy));
        }
        return value;
    }

    private static String pointer(List<String> path) {
        if (path.isEmpty()) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (String p : path) {
            sb.append('/').append(JsonValues.escape(p));
        }
        return sb.toString();
    }

    private static String describe(Reference ref, int resolved) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= resolved && i < ref.path().size(); i++) {
            sb.append(ref.path().get(i));
        }
        String s = sb.toString();
        return "'" + (s.startsWith(".") ? s.substring(1) : s) + "'";
    }

    /** A reference whose path does not exist at run time. */
    static final class UnresolvedReferenceException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnresolvedReferenceException(String reference, String pointer, String reason) {
            super("reference '" + reference + "' at " + pointer + " cannot be resolved: " + reason, null, false, false);
        }
    }
}
