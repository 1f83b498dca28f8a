package dev.baton.cli;

import dev.baton.Orchestrator;
import dev.baton.RunError;
import dev.baton.RunView;
import dev.baton.TaskView;
import dev.baton.persistence.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code baton inspect RUN_ID [-d] [--json]}: one run as the store holds it (what {@code orra inspect -d} shows): its
 * status, times and groups, and per task the service, status, attempts and duration; with {@code -d} also each task's
 * execution id, resolved input, output and last error.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show one run from the run store: status, times and every task.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:shown", "1:no run with that id in the store",
                "2:usage error, no run store there, or the store cannot be opened"})
final class InspectCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run to show.")
    private String runId;

    @Option(names = {"-d", "--details"}, description = "Also show each task's execution id, input, output and error.")
    private boolean details;

    @Option(names = "--json", description = "Print the run as one JSON object.")
    private boolean json;

    private final Function<String, String> env;

    InspectCommand(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (RunStore runStore = store.openExisting(env);
             Orchestrator reader = PsCommand.readOnly(runStore)) {
            Optional<RunView> found = reader.inspect(runId);
            if (found.isEmpty()) {
                spec.commandLine().getErr().println("baton: no run " + runId + " in the store");
                spec.commandLine().getErr().flush();
                return BatonCli.INVALID;
            }
            RunView v = found.get();
            if (json) {
                out.println(PsCommand.mapper().writeValueAsString(toJson(v)));
            } else {
                print(out, v, details);
            }
            out.flush();
        }
        return BatonCli.OK;
    }

    static Map<String, Object> toJson(RunView v) {
        Map<String, Object> m = PsCommand.summary(v);
        m.put("parallelGroups", v.parallelGroups());
        m.put("error", error(v.err()));
        List<Object> tasks = new ArrayList<>();
        for (TaskView t : v.tasks()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("taskId", t.taskId());
            tm.put("service", t.service());
            tm.put("status", t.status().name());
            tm.put("attempts", t.attempts());
            tm.put("executionId", t.executionId());
            tm.put("startedAt", t.startedAt() == null ? null : t.startedAt().toString());
            tm.put("endedAt", t.endedAt() == null ? null : t.endedAt().toString());
            tm.put("input", t.input());
            tm.put("output", t.output());
            tm.put("lastError", error(t.lastError()));
            tasks.add(tm);
        }
        m.put("taskViews", tasks);
        return m;
    }

    private static Map<String, Object> error(RunError e) {
        if (e == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("taskId", e.taskId());
        m.put("code", e.code());
        m.put("message", e.message());
        return m;
    }

    /**
     * The human view of a run. Every line goes through {@link Inputs#oneLine}: error messages, names and values come
     * from the store and, before it, from services, and must neither add lines nor reach the terminal as control
     * sequences.
     */
    static void print(PrintWriter out, RunView v, boolean details) {
        line(out, "run " + v.runId() + ": " + v.status().name().toLowerCase());
        line(out, "  created: " + PsCommand.time(v.createdAt())
                + (v.endedAt() == null ? "" : ", took " + PsCommand.took(v)));
        if (v.correlationId() != null) {
            line(out, "  correlation id: " + v.correlationId());
        }
        line(out, "  groups: " + v.parallelGroups());
        RunError err = v.err();
        if (err != null) {
            // an error of the whole run (RUN_TIMEOUT, CANCELLED) has no task
            line(out, "  error: " + (err.taskId() == null ? "" : err.taskId() + " ") + err.code() + ": "
                    + err.message());
        }
        line(out, String.format("  %-20s %-24s %-10s %-9s %s", "TASK", "SERVICE", "STATUS", "DURATION", "ATTEMPTS"));
        for (TaskView t : v.tasks()) {
            line(out, String.format("  %-20s %-24s %-10s %-9s %d", t.taskId(), t.service(),
                    t.status().name().toLowerCase(), t.duration().map(PsCommand::format).orElse("-"), t.attempts()));
        }
        if (!details) {
            return;
        }
        for (TaskView t : v.tasks()) {
            out.println();
            line(out, "  " + t.taskId() + " (" + t.executionId() + ")");
            line(out, "    input:  " + compact(t.input()));
            line(out, "    output: " + compact(t.output()));
            if (t.lastError() != null) {
                line(out, "    error:  " + t.lastError().code() + ": " + t.lastError().message());
            }
        }
    }

    private static void line(PrintWriter out, String text) {
        out.println(Inputs.oneLine(text));
    }

    private static String compact(Object value) {
        try {
            return PsCommand.mapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
