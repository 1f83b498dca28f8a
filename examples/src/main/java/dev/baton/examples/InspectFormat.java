package dev.baton.examples;

import dev.baton.RunView;
import dev.baton.TaskView;

import java.time.Duration;
import java.util.Map;

/**
 * Renders a {@link RunView} the way {@code orra inspect -d} does: the run, then per task its service, status,
 * duration, input and output.
 */
public final class InspectFormat {

    private InspectFormat() {
    }

    /**
     * @param v the run
     * @return a multi-line, human-readable rendering
     */
    public static String render(RunView v) {
        StringBuilder sb = new StringBuilder();
        sb.append("┌─ Orchestration Details\n");
        sb.append("│ ID:      ").append(v.runId()).append('\n');
        sb.append("│ Status:  ").append(v.status().name().toLowerCase()).append('\n');
        sb.append("│ Created: ").append(v.createdAt()).append('\n');
        if (v.endedAt() != null) {
            sb.append("│ Took:    ").append(format(Duration.between(v.createdAt(), v.endedAt()))).append('\n');
        }
        v.error().ifPresent(e -> sb.append("│ Error:   ").append(e).append('\n'));
        sb.append("│ Groups:  ").append(v.parallelGroups()).append('\n');
        sb.append("\n┌─ Tasks\n");
        sb.append(String.format("│ %-10s %-22s %-10s %-9s %s%n", "ID", "SERVICE", "STATUS", "DURATION", "ATTEMPTS"));
        for (TaskView t : v.tasks()) {
            sb.append(String.format("│ %-10s %-22s %-10s %-9s %d%n", t.taskId(), t.service(),
                    t.status().name().toLowerCase(), t.duration().map(InspectFormat::format).orElse("-"), t.attempts()));
        }
        for (TaskView t : v.tasks()) {
            sb.append("\n┌─ ").append(t.taskId()).append(" (").append(t.executionId()).append(")\n");
            sb.append("│ input:  ").append(json(t.input())).append('\n');
            sb.append("│ output: ").append(json(t.output())).append('\n');
            if (t.lastError() != null) {
                sb.append("│ error:  ").append(t.lastError()).append('\n');
            }
        }
        return sb.toString();
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + "ms" : String.format("%.1fs", ms / 1000.0);
    }

    /** A compact JSON-ish rendering of plain values, enough for a terminal. */
    static String json(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return '"' + s + '"';
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                sb.append('"').append(e.getKey()).append("\": ").append(json(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (v instanceof Iterable<?> it) {
            StringBuilder sb = new StringBuilder("[");
            boolean first = true;
            for (Object o : it) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                sb.append(json(o));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(v);
    }
}
