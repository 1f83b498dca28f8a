package dev.baton.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.baton.json.NetworkntSchemaChecker;
import dev.baton.validation.PlanValidator;
import dev.baton.validation.ValidationError;
import dev.baton.validation.ValidationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code baton validate PLAN.json [--services CATALOG.json] [--json]}. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a plan and print its schedule or every problem found.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the plan is valid", "1:the plan is invalid", "2:usage error or unreadable file"})
final class ValidateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PLAN.json", description = "The plan to check.")
    private Path planFile;

    @Option(names = "--services", paramLabel = "CATALOG.json",
            description = "A service catalog: also check service names, input schemas and output fields.")
    private Path servicesFile;

    @Option(names = "--json", description = "Print one JSON object instead of a report.")
    private boolean json;

    @Override
    public Integer call() {
        PlanValidator.Builder builder = PlanValidator.builder();
        if (servicesFile != null) {
            builder.catalog(Inputs.catalog(servicesFile)).schemaChecker(new NetworkntSchemaChecker());
        }
        Inputs.PlanInput input = Inputs.plan(planFile);
        ValidationResult result = input.plan() == null ? ValidationResult.invalid(input.errors())
                : builder.build().validate(input.plan());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(result));
        } else {
            report(out, result);
        }
        out.flush();
        return result.isValid() ? BatonCli.OK : BatonCli.INVALID;
    }

    private void report(PrintWriter out, ValidationResult result) {
        if (result.isValid()) {
            List<List<String>> groups = result.parallelGroups();
            int tasks = groups.stream().mapToInt(List::size).sum();
            boolean fromPlan = result.graph().map(g -> g.groupsFromPlan()).orElse(false);
            out.println(planFile + ": valid, " + tasks + (tasks == 1 ? " task" : " tasks") + " in " + groups.size()
                    + (groups.size() == 1 ? " group" : " groups") + (fromPlan ? " (from the plan)" : " (computed)"));
            for (int g = 0; g < groups.size(); g++) {
                out.println("  group " + (g + 1) + ": " + String.join(", ", groups.get(g)));
            }
            out.println("critical path length: " + result.criticalPathLength());
        } else {
            Inputs.reportInvalid(out, planFile, result.errors());
        }
    }

    /** The {@code --json} document: {@code parallel_groups} only when valid, as the issue specifies. */
    static String toJson(ValidationResult result) {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(sw)) {
            g.writeStartObject();
            g.writeBooleanField("valid", result.isValid());
            if (result.isValid()) {
                g.writeArrayFieldStart("parallel_groups");
                for (List<String> group : result.parallelGroups()) {
                    g.writeStartArray();
                    for (String id : group) {
                        g.writeString(id);
                    }
                    g.writeEndArray();
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("errors");
            for (ValidationError e : result.errors()) {
                g.writeStartObject();
                g.writeStringField("code", e.code().name());
                g.writeStringField("task", e.taskId());
                g.writeStringField("path", e.path());
                g.writeStringField("message", e.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }
}
