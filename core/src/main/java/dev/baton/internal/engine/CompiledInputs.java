package dev.baton.internal.engine;

import dev.baton.plan.JsonValues;
import dev.baton.plan.Reference;
import dev.baton.validation.PlanGraph;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A validated plan's task inputs, compiled for dispatch: each input's references are parsed and their producers
 * looked up once, on the task's first dispatch, so a dispatch only copies an array of values and follows the
 * references' paths. Every run of one plan instance shares one of these (the catalog keeps it beside the remembered
 * validation), so a plan submitted again parses none of its top-level references again.
 *
 * <p>What is compiled: an input whose references and {@code $$} escapes all sit at its top level, the usual shape.
 * An input with a reference or escape inside a nested object or array is resolved by {@link InputResolver}'s walk on
 * every dispatch, as before. A failed look-up always goes through the walk too, so the error names the pointer.
 *
 * <p>Thread-safe without locks: two runs compiling the same task at once build equal templates, and a template is
 * immutable (final fields), so publishing it through a plain array write is safe.
 */
final class CompiledInputs {

    /** A task whose input has a reference or escape below its top level: walk it on each dispatch. */
    private record Walk(Map<String, Object> input) {
    }

    /** A producer index: the caller's parameters. */
    private static final int PARAMS = -1;
    /** A producer index: no such task (validation rules it out; the walk then names the error). */
    private static final int UNKNOWN = -2;

    private final PlanGraph graph;
    /** Per task: null (not compiled yet), a {@link Walk}, a constant {@code Map} input, or a {@link Template}. */
    private volatile Object[] byTask;

    CompiledInputs(PlanGraph graph) {
        this.graph = graph;
    }

    /** @return the graph whose inputs these are */
    PlanGraph graph() {
        return graph;
    }

    /**
     * Resolves task {@code i}'s input.
     *
     * @param i          task index
     * @param outputAt   a producer's output by task index, {@link InputResolver#MISSING} when it has none yet
     * @param outputById the same by task id ({@code task0}: the parameters), for the walk
     * @param parser     the walk's reference parser
     * @return the resolved input, frozen
     * @throws InputResolver.UnresolvedReferenceException when a path does not exist in its producer's output
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> resolve(int i, IntFunction<Object> outputAt, Function<String, Object> outputById,
                                Function<String, Reference> parser) {
        // The compiled form first: a dispatch of a compiled task then reads neither its Task nor its input map, which
        // sit scattered in memory and cost cache misses on a large plan.
        Object[] all = byTask;
        if (all == null) {
            byTask = all = new Object[graph.size()]; // a racing run may keep its own array: it only recompiles
        }
        Object compiled = all[i];
        if (compiled == null) {
            all[i] = compiled = compile(graph.task(i).input());
        }
        if (compiled instanceof Template t) {
            Map<String, Object> resolved = t.resolve(outputAt, graph.params());
            if (resolved != null) {
                return resolved;
            }
            return InputResolver.resolve(t.input, outputById, parser);
        }
        if (compiled instanceof Walk w) {
            return InputResolver.resolve(w.input, outputById, parser);
        }
        return (Map<String, Object>) compiled; // an input without references, the same on every dispatch
    }

    private Object compile(Map<String, Object> input) {
        Compiler c = new Compiler(input.size());
        input.forEach(c); // a frozen input visits its arrays: no entry objects
        if (c.walk) {
            return new Walk(input);
        }
        if (c.count == 0) {
            return c.escaped ? JsonValues.withValues(input, c.base) : input;
        }
        return new Template(input, c.base, Arrays.copyOf(c.slots, c.count), Arrays.copyOf(c.refs, c.count),
                Arrays.copyOf(c.producers, c.count));
    }

    /** One pass over an input's entries, in order, collecting what its template holds. */
    private final class Compiler implements java.util.function.BiConsumer<String, Object> {
        final Object[] base;
        final int[] slots;
        final Reference[] refs;
        final int[] producers;
        int count;
        int k;
        boolean escaped;
        boolean walk;

        Compiler(int size) {
            base = new Object[size];
            slots = new int[size];
            refs = new Reference[size];
            producers = new int[size];
        }

        @Override
        public void accept(String key, Object v) {
            if (walk) {
                return;
            }
            if (v instanceof String s && !s.isEmpty() && s.charAt(0) == '$') {
                if (Reference.isEscaped(s)) {
                    base[k] = Reference.unescape(s);
                    escaped = true;
                } else {
                    // validated before any run of the plan: the parse cannot fail
                    Reference r = Reference.parse(s);
                    int producer = r.isParams() ? PARAMS : graph.indexOf(r.taskId());
                    slots[count] = k;
                    refs[count] = r;
                    producers[count] = producer < 0 && !r.isParams() ? UNKNOWN : producer;
                    count++;
                }
            } else if ((v instanceof Map || v instanceof List) && hasDollarString(v)) {
                walk = true;
            } else {
                base[k] = v;
            }
            k++;
        }
    }

    /** Whether a nested value holds a string starting with {@code $} (a reference or an escape). Iterative. */
    private static boolean hasDollarString(Object root) {
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Object v = todo.pop();
            if (v instanceof String s) {
                if (!s.isEmpty() && s.charAt(0) == '$') {
                    return true;
                }
            } else if (v instanceof Map<?, ?> m) {
                for (Object x : m.values()) {
                    if (x instanceof String || x instanceof Map || x instanceof List) {
                        todo.push(x);
                    }
                }
            } else if (v instanceof List<?> l) {
                for (Object x : l) {
                    if (x instanceof String || x instanceof Map || x instanceof List) {
                        todo.push(x);
                    }
                }
            }
        }
        return false;
    }

    /**
     * A top-level-only input: the values that never change, and per reference its position, its parse and its
     * producer's index ({@link #PARAMS}, {@link #UNKNOWN} or a task's).
     */
    private static final class Template {
        /** The input as planned: its keys, and what the walk resolves when a look-up fails. */
        final Map<String, Object> input;
        private final Object[] base;
        private final int[] slots;
        private final Reference[] refs;
        private final int[] producers;

        Template(Map<String, Object> input, Object[] base, int[] slots, Reference[] refs, int[] producers) {
            this.input = input;
            this.base = base;
            this.slots = slots;
            this.refs = refs;
            this.producers = producers;
        }

        /** @return the resolved input, or null when a look-up fails (the caller walks, to name the pointer) */
        Map<String, Object> resolve(IntFunction<Object> outputAt, Map<String, Object> params) {
            Object[] values = base.clone();
            for (int s = 0; s < slots.length; s++) {
                int p = producers[s];
                Object producer = p >= 0 ? outputAt.apply(p) : p == PARAMS ? params : InputResolver.MISSING;
                if (producer == InputResolver.MISSING) {
                    return null;
                }
                Object v = refs[s].select(producer, InputResolver.MISSING);
                if (v == InputResolver.MISSING) {
                    return null;
                }
                values[slots[s]] = v;
            }
            return JsonValues.withValues(input, values);
        }
    }
}
