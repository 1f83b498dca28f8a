package dev.baton.store.jdbc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.event.ErrorInfo;
import dev.baton.event.FailedAttempt;
import dev.baton.event.PlanRevised;
import dev.baton.event.PlanRevisionRejected;
import dev.baton.event.RunCancelled;
import dev.baton.event.RunCompleted;
import dev.baton.event.RunCreated;
import dev.baton.event.RunEvent;
import dev.baton.event.RunFailed;
import dev.baton.event.RunSettings;
import dev.baton.event.TaskCancelled;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskDeadLettered;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRedriven;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.event.TaskSkipped;
import dev.baton.event.TaskStarted;
import dev.baton.event.WebhookAttempted;
import dev.baton.persistence.StoreException;
import dev.baton.plan.JsonValues;
import dev.baton.plan.Plan;
import dev.baton.plan.Task;
import dev.baton.planner.PlanProblem;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns run events into JSON text and back. Kept in one class so that a shared JSON module can take it over later.
 *
 * <p>Each event is a JSON object with a {@code type} field naming its record and one field per component; times are
 * ISO-8601 strings (exact to the nanosecond), durations ISO-8601 durations, plans their tasks and groups. Thread-safe.
 */
final class EventCodec {

    // Jackson's default read limits are below what it writes and what the engine accepts: no string value over
    // 20,000,000 characters, no key over 50,000, no number over 1,000 digits and no nesting past 1,000 levels (an
    // output may nest 1,000 levels inside the event's own). An event past one of them would be stored and then fail
    // every read of its log, so the run could never be read or resumed again (and past 1,000 levels Jackson would
    // not even write it). The store reads back what it wrote: its own limit on an event's JSON bounds every string,
    // key and number in it, and the depth is the engine's.
    final ObjectMapper mapper = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxStringLength(StoredPayload.MAX_CHARS)
                    .maxNameLength(StoredPayload.MAX_CHARS)
                    .maxNumberLength(StoredPayload.MAX_CHARS)
                    .maxNestingDepth(dev.baton.plan.JsonValues.MAX_DEPTH + 16)
                    .build())
            .streamWriteConstraints(com.fasterxml.jackson.core.StreamWriteConstraints.builder()
                    .maxNestingDepth(dev.baton.plan.JsonValues.MAX_DEPTH + 16).build())
            // no key kept: the factory would hold every distinct key of every log it read (outputs come from
            // services, and a key may be as long as an event) for as long as the store lives
            .disable(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build())
            // keep integers as small as they fit, so values read back equal to what was written
            .disable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("baton-exact-decimals")
                    .addDeserializer(Object.class, new ExactDecimals()));

    /**
     * Plain values with decimals read back as they were written: a Double when the Double prints as the same text
     * (every Double does), else an exact BigDecimal, so an amount of {@code 19.90} or one with more digits than a
     * Double holds is not rounded by a round trip through the database. The rule of the JSON module's readers
     * ({@code JsonSupport.decimal} there; this store does not depend on that module).
     */
    private static final class ExactDecimals extends com.fasterxml.jackson.databind.deser.std.UntypedObjectDeserializer {
        private static final long serialVersionUID = 1L;

        ExactDecimals() {
            super((com.fasterxml.jackson.databind.JavaType) null, (com.fasterxml.jackson.databind.JavaType) null);
        }

        @Override
        public Object deserialize(com.fasterxml.jackson.core.JsonParser p,
                                  com.fasterxml.jackson.databind.DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT) {
                String text = p.getText();
                double d = p.getDoubleValue();
                return Double.isFinite(d) && Double.toString(d).equals(text) ? (Object) d : p.getDecimalValue();
            }
            return super.deserialize(p, ctxt);
        }
    }

    /**
     * @param e an event
     * @return its type name, as stored beside the JSON
     */
    static String typeOf(RunEvent e) {
        return e.getClass().getSimpleName();
    }

    /**
     * @param e an event
     * @return its JSON text
     */
    String encode(RunEvent e) {
        return e instanceof TaskStarted || e instanceof TaskCompleted ? encodeTaskEvent(e) : encodeAsMap(e);
    }

    /**
     * Every event as a map of its fields, written by the mapper: the rare events' path, and the reference the task
     * events' direct path is tested against.
     */
    String encodeAsMap(RunEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", typeOf(e));
        m.put("runId", e.runId());
        m.put("seq", e.seq());
        m.put("at", e.at().toString());
        if (e instanceof RunCreated c) {
            m.put("plan", plan(c.plan()));
            m.put("settings", settings(c.settings()));
        } else if (e instanceof TaskStarted s) {
            task(m, s.taskId(), s.executionId());
            m.put("attempt", s.attempt());
            m.put("input", s.input());
        } else if (e instanceof TaskCompleted c) {
            task(m, c.taskId(), c.executionId());
            m.put("attempt", c.attempt());
            m.put("output", c.output());
            m.put("reused", c.reused());
        } else if (e instanceof TaskFailed f) {
            task(m, f.taskId(), f.executionId());
            m.put("attempt", f.attempt());
            m.put("error", error(f.error()));
            m.put("retrying", f.retrying());
        } else if (e instanceof TaskRetryScheduled r) {
            task(m, r.taskId(), r.executionId());
            m.put("nextAttempt", r.nextAttempt());
            m.put("notBefore", str(r.notBefore()));
        } else if (e instanceof TaskSkipped s) {
            m.put("taskId", s.taskId());
            m.put("cause", s.cause());
        } else if (e instanceof TaskCancelled c) {
            m.put("taskId", c.taskId());
        } else if (e instanceof TaskDeadLettered d) {
            task(m, d.taskId(), d.executionId());
            m.put("service", d.service());
            m.put("input", d.input());
            List<Object> attempts = new ArrayList<>(d.attempts().size());
            for (FailedAttempt a : d.attempts()) {
                Map<String, Object> am = new LinkedHashMap<>();
                am.put("attempt", a.attempt());
                am.put("at", str(a.at()));
                am.put("error", error(a.error()));
                attempts.add(am);
            }
            m.put("attempts", attempts);
        } else if (e instanceof TaskRedriven r) {
            task(m, r.taskId(), r.executionId());
        } else if (e instanceof PlanRevised r) {
            m.put("version", r.version());
            m.put("plan", plan(r.plan()));
            m.put("failedTaskId", r.failedTaskId());
            m.put("kept", r.kept());
            m.put("executionIds", new java.util.TreeMap<>(r.executionIds()));
            m.put("serviceVersions", new java.util.TreeMap<>(r.serviceVersions()));
        } else if (e instanceof PlanRevisionRejected r) {
            m.put("attempt", r.attempt());
            m.put("failedTaskId", r.failedTaskId());
            m.put("plan", r.plan() == null ? null : plan(r.plan()));
            List<Object> problems = new ArrayList<>(r.problems().size());
            for (PlanProblem p : r.problems()) {
                problems.add(p.toJson());
            }
            m.put("problems", problems);
        } else if (e instanceof RunFailed f) {
            m.put("taskId", f.taskId());
            m.put("error", error(f.error()));
        } else if (e instanceof RunCancelled c) {
            m.put("reason", c.reason());
        } else if (e instanceof WebhookAttempted w) {
            m.put("endSeq", w.endSeq());
            m.put("destination", w.destination());
            m.put("attempt", w.attempt());
            m.put("outcome", w.outcome());
            m.put("status", w.status());
            m.put("error", w.error());
            m.put("nextAttemptAt", str(w.nextAttemptAt()));
        } else if (!(e instanceof RunCompleted)) {
            throw new IllegalArgumentException("unknown event type " + e.getClass().getName());
        }
        try {
            return mapper.writeValueAsString(m);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("event " + typeOf(e) + " of run '" + e.runId()
                    + "' holds a value that is not JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    /**
     * The two events of every task attempt, most of the log: written field by field with the generator, the same JSON
     * as the map-based path gives, without building a map per event or looking up a serializer per field. Their
     * inputs and outputs are JSON values as the engine freezes them (maps, lists, strings, numbers, booleans, null),
     * written directly; anything else goes through the mapper. (The JSON module's writer, which this store does not
     * depend on, refuses what is not JSON instead; here the text must stay the mapper's.)
     */
    private String encodeTaskEvent(RunEvent e) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", typeOf(e));
            g.writeStringField("runId", e.runId());
            g.writeNumberField("seq", e.seq());
            g.writeStringField("at", e.at().toString());
            if (e instanceof TaskStarted s) {
                g.writeStringField("taskId", s.taskId());
                g.writeStringField("executionId", s.executionId());
                g.writeNumberField("attempt", s.attempt());
                g.writeFieldName("input");
                writeValue(g, s.input(), 0);
            } else {
                TaskCompleted c = (TaskCompleted) e;
                g.writeStringField("taskId", c.taskId());
                g.writeStringField("executionId", c.executionId());
                g.writeNumberField("attempt", c.attempt());
                g.writeFieldName("output");
                writeValue(g, c.output(), 0);
                g.writeBooleanField("reused", c.reused());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalArgumentException("event " + typeOf(e) + " of run '" + e.runId()
                    + "' holds a value that is not JSON: " + ex.getMessage(), ex);
        }
        return out.toString();
    }

    /** Writes a plain JSON value; anything else (never in a frozen value) goes through the mapper as before. */
    private void writeValue(JsonGenerator g, Object v, int depth) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String str) {
            g.writeString(str);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (depth < JsonValues.MAX_DEPTH && v instanceof Map<?, ?> map && stringKeys(map)) {
            g.writeStartObject();
            for (Map.Entry<?, ?> en : map.entrySet()) {
                g.writeFieldName((String) en.getKey());
                writeValue(g, en.getValue(), depth + 1);
            }
            g.writeEndObject();
        } else if (depth < JsonValues.MAX_DEPTH && v instanceof List<?> list) {
            g.writeStartArray();
            for (int k = 0, n = list.size(); k < n; k++) {
                writeValue(g, list.get(k), depth + 1);
            }
            g.writeEndArray();
        } else {
            // other numbers (BigDecimal, BigInteger, ...), maps with keys that are not strings and anything else the
            // event's maker did not freeze: exactly as the mapper writes them
            mapper.writeValue(g, v);
        }
    }

    private static boolean stringKeys(Map<?, ?> map) {
        for (Object k : map.keySet()) {
            if (!(k instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param json JSON text written by {@link #encode}
     * @return the event
     * @throws StoreException if the text is not an event this codec wrote
     */
    RunEvent decode(String json) {
        Map<String, Object> m;
        try {
            m = mapper.readValue(json, MAP);
        } catch (JsonProcessingException ex) {
            throw new StoreException("stored event is not valid JSON: " + ex.getOriginalMessage(), ex);
        }
        if (m == null) {
            throw new StoreException("stored event is not a JSON object: null");
        }
        try {
            return decode(m);
        } catch (RuntimeException ex) {
            throw new StoreException("stored event cannot be read: " + m.get("type") + " (" + ex + ")", ex);
        }
    }

    /**
     * @param value a JSON object of plain values (a saved definition, for instance)
     * @return its JSON text
     */
    String encodeObject(Map<String, Object> value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException ex) {
            throw new StoreException("value cannot be written as JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    /**
     * @param json JSON text written by {@link #encodeObject}
     * @return the JSON object
     * @throws StoreException if the text is not a JSON object
     */
    Map<String, Object> decodeObject(String json) {
        try {
            return mapper.readValue(json, MAP);
        } catch (JsonProcessingException ex) {
            throw new StoreException("stored value is not valid JSON: " + ex.getOriginalMessage(), ex);
        }
    }

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> MAP =
            new com.fasterxml.jackson.core.type.TypeReference<>() {
            };

    private static RunEvent decode(Map<String, Object> m) {
        String type = (String) m.get("type");
        String runId = (String) m.get("runId");
        long seq = ((Number) m.get("seq")).longValue();
        Instant at = Instant.parse((String) m.get("at"));
        String taskId = (String) m.get("taskId");
        String executionId = (String) m.get("executionId");
        return switch (type) {
            case "RunCreated" -> new RunCreated(runId, seq, at, plan(map(m.get("plan"))), settings(map(m.get("settings"))));
            case "TaskStarted" -> new TaskStarted(runId, seq, at, taskId, executionId, integer(m, "attempt"),
                    JsonValues.freezeObject(map(m.get("input"))));
            case "TaskCompleted" -> new TaskCompleted(runId, seq, at, taskId, executionId, integer(m, "attempt"),
                    JsonValues.freeze(m.get("output")), Boolean.TRUE.equals(m.get("reused")));
            case "TaskFailed" -> new TaskFailed(runId, seq, at, taskId, executionId, integer(m, "attempt"),
                    error(map(m.get("error"))), Boolean.TRUE.equals(m.get("retrying")));
            case "TaskRetryScheduled" -> new TaskRetryScheduled(runId, seq, at, taskId, executionId,
                    integer(m, "nextAttempt"), instant(m.get("notBefore")));
            case "TaskSkipped" -> new TaskSkipped(runId, seq, at, taskId, (String) m.get("cause"));
            case "TaskCancelled" -> new TaskCancelled(runId, seq, at, taskId);
            case "TaskDeadLettered" -> {
                List<FailedAttempt> attempts = new ArrayList<>();
                for (Object o : (List<?>) m.get("attempts")) {
                    Map<String, Object> am = map(o);
                    attempts.add(new FailedAttempt(integer(am, "attempt"), instant(am.get("at")), error(map(am.get("error")))));
                }
                yield new TaskDeadLettered(runId, seq, at, taskId, executionId, (String) m.get("service"),
                        JsonValues.freezeObject(map(m.get("input"))), attempts);
            }
            case "TaskRedriven" -> new TaskRedriven(runId, seq, at, taskId, executionId);
            case "PlanRevised" -> {
                Map<String, Integer> versions = new LinkedHashMap<>();
                Map<String, Object> vm = map(m.get("serviceVersions"));
                if (vm != null) {
                    vm.forEach((k, v) -> versions.put(k, ((Number) v).intValue()));
                }
                Map<String, String> ids = new LinkedHashMap<>();
                map(m.get("executionIds")).forEach((k, v) -> ids.put(k, (String) v));
                yield new PlanRevised(runId, seq, at, integer(m, "version"), plan(map(m.get("plan"))),
                        (String) m.get("failedTaskId"), strings(m.get("kept")), ids, versions);
            }
            case "PlanRevisionRejected" -> {
                List<PlanProblem> problems = new ArrayList<>();
                for (Object o : (List<?>) m.get("problems")) {
                    Map<String, Object> pm = map(o);
                    problems.add(new PlanProblem((String) pm.get("code"), (String) pm.get("taskId"),
                            (String) pm.get("path"), (String) pm.get("message")));
                }
                Object plan = m.get("plan");
                yield new PlanRevisionRejected(runId, seq, at, integer(m, "attempt"), (String) m.get("failedTaskId"),
                        plan == null ? null : plan(map(plan)), problems);
            }
            case "RunCompleted" -> new RunCompleted(runId, seq, at);
            case "RunFailed" -> new RunFailed(runId, seq, at, taskId, error(map(m.get("error"))));
            case "RunCancelled" -> new RunCancelled(runId, seq, at, (String) m.get("reason"));
            case "WebhookAttempted" -> new WebhookAttempted(runId, seq, at, ((Number) m.get("endSeq")).longValue(),
                    (String) m.get("destination"),
                    integer(m, "attempt"), (String) m.get("outcome"), integer(m, "status"), (String) m.get("error"),
                    instant(m.get("nextAttemptAt")));
            default -> throw new IllegalArgumentException("unknown event type '" + type + "'");
        };
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object x : (List<?>) o) {
            out.add((String) x);
        }
        return out;
    }

    private static void task(Map<String, Object> m, String taskId, String executionId) {
        m.put("taskId", taskId);
        m.put("executionId", executionId);
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }

    private static Instant instant(Object o) {
        return o == null ? null : Instant.parse((String) o);
    }

    private static int integer(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).intValue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> error(ErrorInfo e) {
        if (e == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("code", e.code());
        m.put("message", e.message());
        m.put("type", e.type());
        return m;
    }

    private static ErrorInfo error(Map<String, Object> m) {
        return m == null ? null : new ErrorInfo((String) m.get("code"), (String) m.get("message"), (String) m.get("type"));
    }

    private static Map<String, Object> plan(Plan p) {
        List<Object> tasks = new ArrayList<>(p.tasks().size());
        for (Task t : p.tasks()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("id", t.id());
            tm.put("service", t.service());
            tm.put("input", t.input());
            tm.put("dependsOn", t.dependsOn());
            tasks.add(tm);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tasks", tasks);
        m.put("parallelGroups", p.parallelGroups());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Plan plan(Map<String, Object> m) {
        List<Task> tasks = new ArrayList<>();
        for (Object o : (List<?>) m.get("tasks")) {
            Map<String, Object> tm = map(o);
            tasks.add(new Task((String) tm.get("id"), (String) tm.get("service"), map(tm.get("input")),
                    (List<String>) tm.get("dependsOn")));
        }
        List<List<String>> groups = new ArrayList<>();
        for (Object g : (List<?>) m.get("parallelGroups")) {
            groups.add((List<String>) g);
        }
        return Plan.of(tasks, groups);
    }

    private static Map<String, Object> settings(RunSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("correlationId", s.correlationId());
        m.put("maxParallel", s.maxParallel());
        m.put("schedulingMode", s.schedulingMode());
        m.put("failurePolicy", s.failurePolicy());
        m.put("timeout", s.timeout() == null ? null : s.timeout().toString());
        m.put("attributes", s.attributes());
        return m;
    }

    private static RunSettings settings(Map<String, Object> m) {
        Object timeout = m.get("timeout");
        return new RunSettings((String) m.get("correlationId"), integer(m, "maxParallel"),
                (String) m.get("schedulingMode"), (String) m.get("failurePolicy"),
                timeout == null ? null : Duration.parse((String) timeout), map(m.get("attributes")));
    }
}
