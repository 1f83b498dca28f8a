package dev.baton.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One task of a {@link Plan}: the service to call and its input, whose string values may be {@link Reference
 * references} to earlier outputs.
 *
 * <p>{@code task0} is special: it carries the caller's parameters as its input, has no service and never runs.
 * Immutable and thread-safe; the input is deeply frozen.
 *
 * @param id        the task id; valid ids match {@code [A-Za-z0-9_-]{1,128}} (checked by validation, not here)
 * @param service   the service to call; {@code null} only on {@code task0}
 * @param input     a JSON object
 * @param dependsOn ids of tasks that must finish first without passing data (ordering only)
 */
public record Task(String id, String service, Map<String, Object> input, List<String> dependsOn) {

    /**
     * Freezes the components.
     *
     * @param id        the task id; valid ids match {@code [A-Za-z0-9_-]{1,128}} (checked by validation, not here)
     * @param service   the service to call; {@code null} only on {@code task0}
     * @param input     a JSON object
     * @param dependsOn ids of tasks that must finish first without passing data (ordering only)
     * @throws InvalidJsonValueException if the input is not a JSON object (a key that is not a string, say); its
     *                                   message names the task (its id on one line, cut after 200 characters) and
     *                                   its pointer points into the input
     */
    public Task {
        Objects.requireNonNull(id, "task id");
        try {
            input = JsonValues.freezeObject(input);
        } catch (InvalidJsonValueException e) {
            // the id is not validated yet: it may be huge or hold a line break, and the message goes to a log
            throw new InvalidJsonValueException("task '" + ReferenceSyntaxException.abbreviate(id) + "' input",
                    e.pointer(), e.reason());
        }
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    /**
     * A task without ordering-only dependencies.
     *
     * @param id      task id
     * @param service service name
     * @param input   JSON object input
     * @return the task
     */
    @SuppressWarnings("unchecked")
    public static Task of(String id, String service, Map<String, ?> input) {
        return new Task(id, service, (Map<String, Object>) input, List.of());
    }

    /**
     * Whether this is the parameters pseudo-task {@code task0}.
     *
     * @return true for {@code task0}
     */
    public boolean isParams() {
        return Reference.PARAMS_TASK.equals(id);
    }

    /**
     * Calls the visitor for every reference-shaped string in the input, nested objects and arrays included, in
     * document order.
     *
     * @param visitor receives the JSON pointer and raw text of each reference
     */
    public void visitReferences(ReferenceVisitor visitor) {
        List<String> path = new ArrayList<>();
        for (Map.Entry<String, Object> e : input.entrySet()) {
            path.add(JsonValues.escape(e.getKey()));
            walk(e.getValue(), path, visitor);
            path.remove(path.size() - 1);
        }
    }

    private static void walk(Object value, List<String> path, ReferenceVisitor visitor) {
        if (value instanceof String s) {
            if (Reference.isReference(s)) {
                visitor.visit(pointer(path), s);
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                path.add(JsonValues.escape((String) e.getKey()));
                walk(e.getValue(), path, visitor);
                path.remove(path.size() - 1);
            }
        } else if (value instanceof List<?> list) {
            int i = 0;
            for (Object item : list) {
                path.add(Integer.toString(i++));
                walk(item, path, visitor);
                path.remove(path.size() - 1);
            }
        }
    }

    private static String pointer(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String p : path) {
            sb.append('/').append(p);
        }
        return sb.toString();
    }
}
