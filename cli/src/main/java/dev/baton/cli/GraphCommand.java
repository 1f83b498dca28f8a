package dev.baton.cli;

import dev.baton.validation.PlanGraph;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.ValidationError;
import dev.baton.validation.ValidationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code baton graph PLAN.json --format mermaid|dot}. */
@Command(name = "graph", mixinStandardHelpOptions = true,
        description = "Draw a valid plan as a Mermaid flowchart or a Graphviz DOT graph, one subgraph per parallel group.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:drawn", "1:the plan is invalid (errors on standard error)", "2:usage error or unreadable file"})
final class GraphCommand implements Callable<Integer> {

    /** Output formats. */
    enum Format { mermaid, dot }

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PLAN.json", description = "The plan to draw.")
    private Path planFile;

    @Option(names = "--format", paramLabel = "mermaid|dot", defaultValue = "mermaid",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Format format;

    @Override
    public Integer call() {
        Inputs.PlanInput input = Inputs.plan(planFile);
        ValidationResult result = input.plan() == null ? ValidationResult.invalid(input.errors())
                : PlanValidator.defaults().validate(input.plan());
        if (result.graph().isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(planFile + ": invalid, cannot draw it");
            for (ValidationError e : result.errors()) {
                err.println(Inputs.oneLine(e));
            }
            err.flush();
            return BatonCli.INVALID;
        }
        PlanGraph graph = result.graph().get();
        PrintWriter out = spec.commandLine().getOut();
        out.print(format == Format.dot ? dot(graph) : mermaid(graph));
        out.flush();
        return BatonCli.OK;
    }

    static String mermaid(PlanGraph g) {
        StringBuilder sb = new StringBuilder("flowchart TD\n");
        List<List<String>> groups = g.parallelGroups();
        for (int k = 0; k < groups.size(); k++) {
            sb.append("  subgraph group").append(k + 1).append("[\"group ").append(k + 1).append("\"]\n");
            for (String id : groups.get(k)) {
                int i = g.indexOf(id);
                // node ids are generated: task ids may collide with Mermaid keywords such as "end"
                sb.append("    n").append(i).append("[\"").append(mermaidText(id)).append("<br/>")
                        .append(mermaidText(g.task(i).service())).append("\"]\n");
            }
            sb.append("  end\n");
        }
        for (int i = 0; i < g.size(); i++) {
            for (int d : g.dependencies(i)) {
                sb.append("  n").append(d).append(" --> n").append(i).append('\n');
            }
        }
        return sb.toString();
    }

    static String dot(PlanGraph g) {
        StringBuilder sb = new StringBuilder("digraph plan {\n  rankdir=LR;\n  node [shape=box];\n");
        List<List<String>> groups = g.parallelGroups();
        for (int k = 0; k < groups.size(); k++) {
            sb.append("  subgraph cluster_").append(k + 1).append(" {\n    label=\"group ").append(k + 1).append("\";\n");
            for (String id : groups.get(k)) {
                int i = g.indexOf(id);
                sb.append("    \"").append(dotText(id)).append("\" [label=\"").append(dotText(id)).append("\\n")
                        .append(dotText(g.task(i).service())).append("\"];\n");
            }
            sb.append("  }\n");
        }
        for (int i = 0; i < g.size(); i++) {
            for (int d : g.dependencies(i)) {
                sb.append("  \"").append(dotText(g.task(d).id())).append("\" -> \"").append(dotText(g.task(i).id()))
                        .append("\";\n");
            }
        }
        return sb.append("}\n").toString();
    }

    private static String mermaidText(String s) {
        return s.replace("&", "#amp;").replace("\"", "#quot;").replace("<", "#lt;").replace(">", "#gt;");
    }

    private static String dotText(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
