package dev.baton.planner.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.planner.PlanProblem;
import dev.baton.planner.PlanningRequest;
import dev.baton.planner.Revision;
import dev.baton.planner.ServiceDescriptor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the chat messages for one planning request: a system message with the plan format and rules, and a user
 * message holding the action, the catalog and the previous attempt's errors as JSON.
 */
final class Prompts {

    static final String SYSTEM = String.join("\n",
            "You plan work for an orchestrator. Answer with exactly one JSON object and nothing else:",
            "{\"tasks\": [{\"id\": \"task0\", \"input\": {...the action's parameters...}},",
            "            {\"id\": \"task1\", \"service\": \"<service name>\", \"input\": {...}}, ...],",
            " \"parallel_groups\": [[\"task1\", \"task2\"], [\"task3\"]]}",
            "Rules:",
            "- Use only services from the catalog, by exact name, with inputs matching their input schemas.",
            "- task0 holds the action's parameters and has no service; it never runs.",
            "- A string input value \"$taskN\" is the whole output of task N, \"$taskN.field\" (or a deeper path) one",
            "  field of it; \"$task0.name\" is a parameter. Only reference earlier tasks; no cycles.",
            "- Task ids match [A-Za-z0-9_-]+ and are unique. parallel_groups is optional: each group runs after the",
            "  previous one, and every task except task0 is in exactly one group.",
            "- If the action cannot be done with these services, answer",
            "  {\"tasks\": [{\"id\": \"task0\", \"input\": {}}, {\"id\": \"final\", \"input\": {\"error\": \"<why>\"}}]}",
            "- If previous errors are given, your previous plan was rejected for them: fix every one.",
            "- If a revision is given, a task of the running plan failed for good: answer with a revised plan that",
            "  reaches the action's goal without repeating that failure. Keep completed tasks unchanged (same id,",
            "  service and input) so their outputs are reused instead of running them again.");

    private Prompts() {
    }

    /**
     * @param request the planning request
     * @param mapper  writes the JSON
     * @return the chat messages, as plain values
     * @throws JsonProcessingException if the user message cannot be written as JSON
     */
    static List<Map<String, Object>> messages(PlanningRequest request, ObjectMapper mapper) throws JsonProcessingException {
        Map<String, Object> user = new LinkedHashMap<>();
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("intent", request.action().intent());
        action.put("params", request.action().params());
        user.put("action", action);
        List<Object> services = new ArrayList<>();
        for (ServiceDescriptor d : request.catalog().services()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", d.name());
            s.put("description", d.description());
            s.put("version", d.version());
            request.catalog().version(d.name()).ifPresent(v -> s.put("catalog_version", v));
            d.input().ifPresent(schema -> s.put("input_schema", schema));
            d.output().ifPresent(schema -> s.put("output_schema", schema));
            services.add(s);
        }
        user.put("services", services);
        user.put("attempt", request.attempt());
        if (!request.previousProblems().isEmpty()) {
            List<Object> errors = new ArrayList<>();
            for (PlanProblem p : request.previousProblems()) {
                errors.add(p.toJson());
            }
            user.put("previous_errors", errors);
        }
        if (request.isRevision()) {
            user.put("revision", revision(request.revision()));
        }
        String userText = (request.isRevision() ? "Revise the running plan of this action with these services.\n"
                : "Plan this action with these services.\n") + mapper.writerWithDefaultPrettyPrinter().writeValueAsString(user);
        return List.of(Map.of("role", "system", "content", SYSTEM), Map.of("role", "user", "content", userText));
    }

    private static Map<String, Object> revision(Revision r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan_version", r.planVersion());
        m.put("current_plan", r.plan().toJsonMap());
        List<Object> completed = new ArrayList<>();
        for (Revision.CompletedTask t : r.completed()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", t.taskId());
            c.put("service", t.service());
            c.put("input", t.input());
            c.put("output", t.output());
            completed.add(c);
        }
        m.put("completed_tasks", completed);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", r.failure().taskId());
        f.put("service", r.failure().service());
        f.put("error_code", r.failure().code());
        f.put("error", r.failure().message());
        f.put("attempts", r.failure().attempts());
        m.put("failed_task", f);
        return m;
    }
}
