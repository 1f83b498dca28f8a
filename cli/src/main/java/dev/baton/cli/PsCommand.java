package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.baton.Orchestrator;
import dev.baton.RunQuery;
import dev.baton.RunStatus;
import dev.baton.RunView;
import dev.baton.TaskStatus;
import dev.baton.TaskView;
import dev.baton.persistence.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code baton ps [--status S]... [--limit N] [--json]}: the runs kept in a store, newest first (what {@code orra ps}
 * shows): id, status, creation time, how long it took, and how many of its tasks completed.
 */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "List the runs kept in the run store, newest first.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:listed (also when there are none)",
                "2:usage error, no run store there, or the store cannot be opened"})
final class PsCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    @Spec
    private CommandSpec spec;

    @Mixin
    private StoreOptions store = new StoreOptions();

    @Option(names = "--status", paramLabel = "STATUS",
            description = "Only runs with this status (repeatable): ${COMPLETION-CANDIDATES}.")
    private Set<RunStatus> statuses = Set.of();

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "At most this many runs, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    private int limit;

    @Option(names = "--json", description = "Print one JSON object: {\"runs\": [...]}.")
    private boolean json;

    private final Function<String, String> env;

    PsCommand(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        if (limit < 1 || limit > 10_000) {
            throw new CliFailure(BatonCli.USAGE, "--limit must be between 1 and 10000, was " + limit);
        }
        RunQuery.Builder q = RunQuery.builder().limit(limit);
        statuses.forEach(q::status);
        PrintWriter out = spec.commandLine().getOut();
        try (RunStore runStore = store.openExisting(env);
             Orchestrator reader = readOnly(runStore)) {
            List<RunView> runs = reader.runs(q.build());
            if (json) {
                List<Object> rows = new ArrayList<>();
                for (RunView v : runs) {
                    rows.add(summary(v));
                }
                out.println(MAPPER.writeValueAsString(Map.of("runs", rows)));
            } else if (runs.isEmpty()) {
                out.println("no runs");
            } else {
                out.printf("%-36s %-10s %-24s %-9s %s%n", "RUN ID", "STATUS", "CREATED", "TOOK", "TASKS");
                for (RunView v : runs) {
                    out.printf("%-36s %-10s %-24s %-9s %d/%d%n", v.runId(), v.status().name().toLowerCase(),
                            time(v.createdAt()), took(v), completed(v), v.tasks().size());
                }
            }
            out.flush();
        }
        return BatonCli.OK;
    }

    /** An orchestrator that only reads: no services, and no recovery (it must never resume someone's runs). */
    static Orchestrator readOnly(RunStore runStore) {
        return Orchestrator.builder().store(runStore).recoverOnStart(false).build();
    }

    static Map<String, Object> summary(RunView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", v.runId());
        m.put("status", v.status().name());
        m.put("correlationId", v.correlationId());
        m.put("createdAt", v.createdAt() == null ? null : v.createdAt().toString());
        m.put("endedAt", v.endedAt() == null ? null : v.endedAt().toString());
        m.put("tasks", v.tasks().size());
        m.put("completedTasks", completed(v));
        return m;
    }

    /** An instant to the second, so that columns line up. */
    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    static int completed(RunView v) {
        int n = 0;
        for (TaskView t : v.tasks()) {
            if (t.status() == TaskStatus.COMPLETED) {
                n++;
            }
        }
        return n;
    }

    static String took(RunView v) {
        if (v.endedAt() == null || v.createdAt() == null) {
            return "-";
        }
        return format(Duration.between(v.createdAt(), v.endedAt()));
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + "ms" : String.format("%.1fs", ms / 1000.0);
    }

    /** @return the one JSON writer of {@code ps} and {@code inspect} (thread-safe once configured) */
    static ObjectMapper mapper() {
        return MAPPER;
    }
}
