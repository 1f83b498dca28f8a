package dev.baton.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.baton.plan.InvalidJsonValueException;
import dev.baton.plan.JsonValues;
import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import dev.baton.validation.ValidationCode;
import dev.baton.validation.ValidationError;
import dev.baton.validation.ValidationLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes plans in Orra's JSON format:
 * {@code {"tasks": [{"id", "service", "input", "depends_on"?}, ...], "parallel_groups": [[...], ...]?}}.
 *
 * <p>Unknown fields are ignored. Text that is not JSON fails with {@code MALFORMED_JSON} (line and column in the
 * message; bytes that are no text in their encoding, the byte offset), JSON of the wrong shape with {@code INVALID_STRUCTURE} (every shape problem at once), and documents over
 * the {@link ValidationLimits limits} (size, nesting, string length) or over the fixed key and number limits with
 * {@code LIMIT_EXCEEDED}; all as a {@link PlanParseException}. An object key has at most 50,000 characters (fewer if
 * the string limit is lower), however long a string value may be. A number has at most 1,000 digits, and its digits sit at
 * most 1,000 places from its decimal point (its scale, fraction digits minus exponent, is within plus or minus 1,000:
 * {@code 1e1000} and {@code 1e-1000} read, {@code 1e1001} does not), so a few bytes cannot stand for a value that
 * later arithmetic (a schema's {@code multipleOf}) expands to millions of digits. Reading never recurses on the document's nesting. Numbers keep their type: integers
 * read as Integer, Long or BigInteger, decimals as Double when that is exact, else BigDecimal, so a plan written
 * back is the same plan.
 *
 * <p>Immutable and thread-safe.
 */
public final class PlanJson {

    private static final PlanJson DEFAULTS = new PlanJson(ValidationLimits.defaults());

    private final ValidationLimits limits;
    private final JsonFactory factory;

    private PlanJson(ValidationLimits limits) {
        this.limits = limits;
        // root object, tasks array and task object come before the input's own levels
        this.factory = JsonSupport.factory(limits.maxPlanBytes(), limits.maxDepth() + 3, limits.maxStringLength());
    }

    /** @return a reader and writer with the default limits */
    public static PlanJson defaults() {
        return DEFAULTS;
    }

    /**
     * @param limits the limits to read with
     * @return a reader and writer enforcing them
     */
    public static PlanJson withLimits(ValidationLimits limits) {
        return new PlanJson(Objects.requireNonNull(limits, "limits"));
    }

    private String tooDeep() {
        return "the plan nests deeper than its limit of " + limits.maxDepth() + " levels of task input";
    }

    /** @return the limits enforced while reading */
    public ValidationLimits limits() {
        return limits;
    }

    /**
     * Reads a plan from text.
     *
     * @param json the document
     * @return the plan (not yet validated)
     * @throws PlanParseException if the text is not a plan document
     */
    public Plan read(String json) {
        Objects.requireNonNull(json, "json");
        try (JsonParser p = factory.createParser(json)) {
            return toPlan(JsonSupport.readTree(p));
        } catch (IOException e) {
            throw JsonSupport.toParseException(e, tooDeep());
        }
    }

    /**
     * Reads a plan from a character stream, which is not closed.
     *
     * @param reader the document
     * @return the plan
     * @throws PlanParseException   if the text is not a plan document
     * @throws UncheckedIOException if reading fails
     */
    public Plan read(Reader reader) {
        Objects.requireNonNull(reader, "reader");
        try (JsonParser p = factory.createParser(reader)) {
            return toPlan(JsonSupport.readTree(p));
        } catch (IOException e) {
            throw JsonSupport.toParseException(e, tooDeep());
        }
    }

    /**
     * Reads a plan from a UTF-8 byte stream, which is not closed.
     *
     * @param in the document
     * @return the plan
     * @throws PlanParseException   if the bytes are not a plan document
     * @throws UncheckedIOException if reading fails
     */
    public Plan read(InputStream in) {
        Objects.requireNonNull(in, "in");
        try (JsonParser p = factory.createParser(in)) {
            return toPlan(JsonSupport.readTree(p));
        } catch (IOException e) {
            throw JsonSupport.toParseException(e, tooDeep());
        }
    }

    /**
     * Reads a plan file. A file bigger than the size limit is refused before it is read.
     *
     * @param file the file
     * @return the plan
     * @throws PlanParseException   if the file is not a plan document
     * @throws UncheckedIOException if the file cannot be read
     */
    public Plan read(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            JsonSupport.checkFileSize(file, limits.maxPlanBytes());
            try (InputStream in = Files.newInputStream(file)) {
                return read(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a plan as indented JSON.
     *
     * @param plan the plan
     * @return the document
     */
    public String write(Plan plan) {
        StringWriter out = new StringWriter();
        write(plan, out);
        return out.toString();
    }

    /**
     * Writes a plan as indented JSON to a character stream, which is flushed but not closed.
     *
     * @param plan the plan
     * @param out  where to write
     * @throws UncheckedIOException if writing fails
     */
    public void write(Plan plan, Writer out) {
        Objects.requireNonNull(plan, "plan");
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            JsonSupport.write(g, toJson(plan));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The plain JSON value of a plan: what {@link #write(Plan)} prints.
     *
     * @param plan the plan
     * @return an insertion-ordered map
     */
    public static Map<String, Object> toJson(Plan plan) {
        return plan.toJsonMap();
    }

    /**
     * Builds a plan from plain JSON values (a parsed document), reporting every shape problem at once.
     *
     * @param root the parsed document
     * @return the plan
     * @throws PlanParseException with {@code INVALID_STRUCTURE} errors if the shape is wrong or the values are not JSON
     *                            (an object key that is not a string, say, reported at the object that holds it)
     */
    public Plan fromJson(Object root) {
        return toPlan(root);
    }

    private Plan toPlan(Object root) {
        List<ValidationError> errors = new ArrayList<>();
        if (!(root instanceof Map<?, ?> doc)) {
            throw structure(errors, null, "", "a plan is a JSON object with a \"tasks\" array, not " + kind(root));
        }
        checkKeys(doc, null, "", errors);
        Object tasksValue = doc.get("tasks");
        List<Task> tasks = new ArrayList<>();
        if (!(tasksValue instanceof List<?> list)) {
            structure(errors, null, "/tasks", tasksValue == null ? "the plan has no \"tasks\" array"
                    : "\"tasks\" must be an array, not " + kind(tasksValue));
        } else if (list.size() > limits.maxTasks() + 1) {
            throw new PlanParseException(List.of(new ValidationError(ValidationCode.LIMIT_EXCEEDED, null, "/tasks",
                    "the plan has " + list.size() + " tasks; the limit is " + limits.maxTasks())));
        } else {
            for (int k = 0; k < list.size(); k++) {
                Task t = toTask(list.get(k), "/tasks/" + k, errors);
                if (t != null) {
                    tasks.add(t);
                }
            }
        }
        List<List<String>> groups = new ArrayList<>();
        Object groupsValue = doc.get("parallel_groups");
        if (groupsValue != null) {
            if (!(groupsValue instanceof List<?> gl)) {
                structure(errors, null, "/parallel_groups", "\"parallel_groups\" must be an array of arrays of task ids, not " + kind(groupsValue));
            } else {
                for (int g = 0; g < gl.size(); g++) {
                    List<String> ids = strings(gl.get(g), "/parallel_groups/" + g, null, errors);
                    if (ids != null) {
                        groups.add(ids);
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new PlanParseException(errors);
        }
        return Plan.of(tasks, groups);
    }

    @SuppressWarnings("unchecked")
    private static Task toTask(Object value, String at, List<ValidationError> errors) {
        if (!(value instanceof Map<?, ?> m)) {
            structure(errors, null, at, "a task is a JSON object, not " + kind(value));
            return null;
        }
        int before = errors.size();
        Object id = m.get("id");
        String taskId = id instanceof String s ? s : null;
        if (taskId == null) {
            structure(errors, null, at + "/id", id == null ? "the task has no \"id\"" : "a task id is a string, not " + kind(id));
        }
        checkKeys(m, taskId, at, errors);
        Object service = m.get("service");
        if (service != null && !(service instanceof String)) {
            structure(errors, taskId, at + "/service", "a service name is a string, not " + kind(service));
        }
        Object input = m.get("input");
        if (input != null && !(input instanceof Map)) {
            structure(errors, taskId, at + "/input", "a task input is a JSON object, not " + kind(input));
        }
        List<String> dependsOn = m.get("depends_on") == null ? List.of()
                : strings(m.get("depends_on"), at + "/depends_on", taskId, errors);
        if (errors.size() > before) {
            return null;
        }
        try {
            return new Task(taskId, (String) service, (Map<String, Object>) input, dependsOn);
        } catch (InvalidJsonValueException e) {
            // a map given to fromJson rather than read from text may hold what JSON cannot: say where, in the plan
            structure(errors, taskId, at + "/input" + e.pointer(), e.reason());
            return null;
        } catch (IllegalArgumentException e) {
            structure(errors, taskId, at + "/input", e.getMessage());
            return null;
        }
    }

    /**
     * Reports each key that is not a string, which only a map given to {@link #fromJson} can hold, in the words
     * {@link JsonValues} uses for one inside an input. Such a key is not JSON at all, so it is not ignored as an
     * unknown field is.
     */
    private static void checkKeys(Map<?, ?> object, String taskId, String at, List<ValidationError> errors) {
        for (Object key : object.keySet()) {
            if (!(key instanceof String)) {
                String shown = key == null ? "null" : String.valueOf(key);
                shown = shown.length() <= 100 ? shown : shown.substring(0, 100) + "...";
                structure(errors, taskId, at, "JSON object key " + shown
                        + (key == null ? "" : " (" + key.getClass().getSimpleName() + ")") + " is not a string");
            }
        }
    }

    private static List<String> strings(Object value, String at, String taskId, List<ValidationError> errors) {
        if (!(value instanceof List<?> list)) {
            structure(errors, taskId, at, "expected an array of task ids, not " + kind(value));
            return null;
        }
        List<String> out = new ArrayList<>(list.size());
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof String s) {
                out.add(s);
            } else {
                structure(errors, taskId, at + "/" + i, "a task id is a string, not " + kind(list.get(i)));
                ok = false;
            }
        }
        return ok ? out : null;
    }

    private static PlanParseException structure(List<ValidationError> errors, String taskId, String at, String message) {
        errors.add(new ValidationError(ValidationCode.INVALID_STRUCTURE, taskId, at, message));
        return new PlanParseException(errors);
    }

    static String kind(Object value) {
        return switch (JsonValues.typeName(value)) {
            case "object" -> "an object";
            case "array" -> "an array";
            case "integer" -> "an integer";
            default -> "a " + JsonValues.typeName(value);
        };
    }
}
