package dev.baton.internal.engine;

import dev.baton.plan.JsonValues;
import dev.baton.plan.Reference;

import java.util.ArrayList;
import java.util.Arrays;
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
    static Map<String, Object> resolve(Map<String, Object> input, Function<String, Object> outputs) {
        return resolve(input, outputs, Reference::parse);
    }

    /**
     * Resolves with a parser of the caller's choice: a run passes one that remembers the texts it parsed, so a text
     * repeated across tasks ({@code $task0.orderId} in each, a producer's output in every consumer) is parsed once.
     *
     * @param input   the task's input as planned
     * @param outputs producer output by task id ({@code task0}: the parameters); {@link #MISSING} when unknown
     * @param parser  parses a reference text that validation accepted
     * @return the resolved input, frozen
     * @throws UnresolvedReferenceException when a path does not exist in its producer's output
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> resolve(Map<String, Object> input, Function<String, Object> outputs,
                                       Function<String, Reference> parser) {
        if (input.isEmpty()) {
            return input;
        }
        try {
            return (Map<String, Object>) new Walk(parser, outputs, null).walk(input);
        } catch (UnresolvedReferenceException e) {
            // the fast walk keeps no path; walk again keeping it, so the error names where the reference is
            return (Map<String, Object>) new Walk(parser, outputs, new ArrayList<>(4)).walk(input);
        }
    }

    /**
     * One walk over an input. Without a path (dispatch, the common case) it allocates nothing per level; with one it
     * keeps the keys down to the current value, for an error's pointer. The walk is its own entry function, so no
     * lambda per object.
     */
    private static final class Walk implements java.util.function.BiFunction<String, Object, Object> {
        private final Function<String, Reference> parser;
        private final Function<String, Object> outputs;
        private final List<String> path; // null: not kept

        Walk(Function<String, Reference> parser, Function<String, Object> outputs, List<String> path) {
            this.parser = parser;
            this.outputs = outputs;
            this.path = path;
        }

        /** One entry of an object. */
        @Override
        public Object apply(String key, Object v) {
            return isContainerOrString(v) ? step(key, v) : v;
        }

        private Object step(String key, Object v) {
            if (path == null) {
                return walk(v);
            }
            path.add(key);
            try {
                return walk(v);
            } finally {
                path.remove(path.size() - 1);
            }
        }

        Object walk(Object value) {
            if (value instanceof String s) {
                if (s.isEmpty() || s.charAt(0) != '$') {
                    return s;
                }
                if (Reference.isEscaped(s)) {
                    return Reference.unescape(s);
                }
                // validated before the run started: the parse cannot fail, only the look-up can
                Reference ref = parser.apply(s);
                return select(s, ref, path == null ? null : pointer(path), outputs);
            }
            if (value instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) map;
                return m.isEmpty() ? m : JsonValues.mapValues(m, this);
            }
            if (value instanceof List<?> list) {
                Object[] copy = null;
                for (int i = 0; i < list.size(); i++) {
                    Object v = list.get(i);
                    Object r = isContainerOrString(v) ? step(path == null ? null : Integer.toString(i), v) : v;
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
    }

    private static boolean isContainerOrString(Object v) {
        return v instanceof String || v instanceof Map || v instanceof List;
    }

    /**
     * @param pointer the value's JSON pointer, or {@code null} on the fast walk (which then walks again to spell it)
     */
    private static Object select(String text, Reference ref, String pointer, Function<String, Object> outputs) {
        Object producer = outputs.apply(ref.taskId());
        if (producer == MISSING) {
            throw new UnresolvedReferenceException(text, pointer, "task '" + ref.taskId() + "' has no output");
        }
        Object v = ref.select(producer, MISSING);
        if (v == MISSING) {
            int ok = ref.resolvablePrefix(producer);
            throw new UnresolvedReferenceException(text, pointer, "'" + ref.taskId() + "' output has no "
                    + describe(ref, ok));
        }
        return v;
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
