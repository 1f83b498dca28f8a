package dev.baton.cli;

import dev.baton.ActionPlanning;
import dev.baton.NotActionableException;
import dev.baton.PlannedAction;
import dev.baton.PlanningAttempt;
import dev.baton.PlanningFailedException;
import dev.baton.json.NetworkntSchemaChecker;
import dev.baton.json.PlanJson;
import dev.baton.planner.Action;
import dev.baton.planner.PlanProblem;
import dev.baton.planner.ServiceCatalog;
import dev.baton.planner.llm.LlmPlanner;
import dev.baton.validation.PlanValidator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code baton plan "ACTION TEXT" --services CATALOG.json [--param k=v ...] --llm-base-url URL --llm-model NAME
 * [--llm-api-key-env NAME]}: asks an LLM planner for a plan, validates it against the catalog (re-planning with the
 * errors up to the attempt limit) and prints the accepted plan. Plans only; runs nothing.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Plan an action with an LLM over the catalog's services and print the accepted plan as JSON.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:a plan was accepted (printed as JSON with its parallel groups)",
                "1:no valid plan (every attempt's errors are printed), or the action is not actionable",
                "2:usage error or unreadable file"})
final class PlanCommand implements Callable<Integer> {

    /** The variable the API key is read from unless {@code --llm-api-key-env} names another. */
    static final String DEFAULT_KEY_ENV = "OPENAI_API_KEY";

    private final Function<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ACTION TEXT", description = "What to do, in plain words.")
    private String intent;

    @Option(names = "--services", required = true, paramLabel = "CATALOG.json", description = "The service catalog.")
    private Path servicesFile;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "An action parameter (task0 input); repeatable. Values are strings.")
    private Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--llm-base-url", required = true, paramLabel = "URL",
            description = "Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1.")
    private URI baseUrl;

    @Option(names = "--llm-model", required = true, paramLabel = "NAME", description = "The model name.")
    private String model;

    @Option(names = "--llm-api-key-env", paramLabel = "NAME",
            description = "The environment variable holding the API key (default: " + DEFAULT_KEY_ENV + ").")
    private String keyEnv;

    @Option(names = "--llm-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Timeout of each request to the model, in seconds (default: ${DEFAULT-VALUE}).")
    private long timeoutSeconds;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "3",
            description = "How many plans to ask for before giving up (default: ${DEFAULT-VALUE}).")
    private int attempts;

    PlanCommand(Function<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (attempts < 1) {
            throw new CommandLine.ParameterException(cl, "--attempts must be at least 1, was " + attempts);
        }
        if (timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(cl, "--llm-timeout must be at least 1 second, was " + timeoutSeconds);
        }
        if (intent.isBlank()) {
            throw new CommandLine.ParameterException(cl, "the action text is blank");
        }
        LlmPlanner.Builder llm = LlmPlanner.builder().model(model).requestTimeout(Duration.ofSeconds(timeoutSeconds))
                .environment(environment);
        try {
            llm.baseUrl(baseUrl);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--llm-base-url: " + e.getMessage());
        }
        String variable = keyEnv == null ? DEFAULT_KEY_ENV : keyEnv;
        String key = environment.apply(variable);
        if (key != null && !key.isBlank()) {
            llm.apiKeyFromEnv(variable);
        } else if (keyEnv != null) {
            throw new CliFailure(BatonCli.USAGE, "environment variable " + keyEnv + " (the API key) is not set");
        } else {
            cl.getErr().println("baton: " + DEFAULT_KEY_ENV + " is not set; calling the model without an API key");
        }
        ServiceCatalog catalog = Inputs.catalog(servicesFile);
        PlanValidator validator = PlanValidator.builder().catalog(catalog).schemaChecker(new NetworkntSchemaChecker()).build();
        ActionPlanning planning = ActionPlanning.of(llm.build(), validator, catalog, attempts);
        PrintWriter out = cl.getOut();
        try {
            PlannedAction planned = planning.plan(Action.of(intent, params));
            out.println(PlanJson.defaults().write(planned.plan().withParallelGroups(planned.parallelGroups())));
            out.flush();
            return BatonCli.OK;
        } catch (PlanningFailedException e) {
            out.println("no valid plan after " + e.attempts().size() + (e.attempts().size() == 1 ? " attempt" : " attempts")
                    + " (planner " + e.planner() + ")");
            for (PlanningAttempt a : e.attempts()) {
                out.println("attempt " + a.number() + ":");
                for (PlanProblem p : a.problems()) {
                    out.println("  " + Inputs.oneLine(p));
                }
            }
            out.flush();
            return BatonCli.INVALID;
        } catch (NotActionableException e) {
            out.println("not actionable: " + Inputs.oneLine(e.reason()));
            out.flush();
            return BatonCli.INVALID;
        }
    }
}
