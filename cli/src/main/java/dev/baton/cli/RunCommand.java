package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.InvalidPlanException;
import dev.baton.Orchestrator;
import dev.baton.RunError;
import dev.baton.RunListener;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.RunView;
import dev.baton.ServiceOptions;
import dev.baton.TaskView;
import dev.baton.event.RunEvent;
import dev.baton.event.TaskCompleted;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.event.TaskStarted;
import dev.baton.event.WebhookAttempted;
import dev.baton.json.CatalogEntry;
import dev.baton.json.NetworkntSchemaChecker;
import dev.baton.json.PlanJson;
import dev.baton.json.ServiceCatalogJson;
import dev.baton.persistence.RunStore;
import dev.baton.plan.Plan;
import dev.baton.store.jdbc.JdbcRunStore;
import dev.baton.time.Scheduler;
import dev.baton.transport.http.DestinationPolicy;
import dev.baton.transport.http.HttpTransport;
import dev.baton.transport.http.WebhookSender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code baton run PLAN.json --services CATALOG.json [--param k=v ...] [--store JDBC_URL] [--webhook URL]}: runs a
 * plan against HTTP services. Each catalog service needs a {@code url}; a service that needs a credential names the
 * environment variable holding it in {@code credentialEnv} (sent as a bearer token, never printed). Prints one line
 * per task attempt as it happens and ends with the inspect view. With {@code --webhook}, the result is POSTed signed
 * with the secret in {@code BATON_WEBHOOK_SECRET}, and the delivery's outcome is the last line; one that was not
 * delivered ({@code FAILED} or {@code REFUSED}) is also reported on stderr, naming the webhook's host. The exit code
 * is the run's either way: 0 means that the run completed, as the exit codes below promise.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a plan against the HTTP services of a catalog and show its progress.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the run completed", "1:the plan is invalid", "2:usage error or unreadable file",
                "3:the run did not complete"})
final class RunCommand implements Callable<Integer> {

    /** The longest {@code --timeout}: the wait for the run is counted in nanoseconds, which end at 292 years. */
    static final Duration MAX_TIMEOUT = Duration.ofDays(36_500);

    /** The environment variable holding the webhook secret. */
    static final String WEBHOOK_SECRET_ENV = "BATON_WEBHOOK_SECRET";

    /** How much of a {@code --webhook} host or scheme a usage error quotes; a longer one is cut there. */
    static final int MAX_QUOTED = 100;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PLAN.json", description = "The plan to run.")
    private Path planFile;

    @Option(names = "--services", required = true, paramLabel = "CATALOG.json",
            description = "The service catalog, with a url (and optionally credentialEnv) per service.")
    private Path servicesFile;

    @Option(names = "--param", paramLabel = "k=v", description = "A plan parameter (repeatable); overrides the plan's.")
    private Map<String, String> params = new LinkedHashMap<>();

    @Mixin
    private StoreOptions store = new StoreOptions();

    @Option(names = "--webhook", paramLabel = "URL", description = "POST the signed result to this http(s) URL when the run ends.")
    private URI webhook;

    @Option(names = "--webhook-allow-local",
            description = "Allow a loopback, private or link-local webhook address.")
    private boolean webhookAllowLocal;

    @Option(names = "--run-id", paramLabel = "ID", description = "The run id (default: generated).")
    private String runId;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30M",
            description = "How long the run may take, ISO-8601, at most 100 years (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    /** Reads the process environment; replaced in tests. */
    java.util.function.Function<String, String> env = System::getenv;

    /** Runs the webhook's attempts and waits out its backoff; {@code null}: the command's own timers. For tests. */
    Scheduler webhookScheduler;

    /** Told of each of the run's events after the command's own listeners; {@code null}: none. For tests. */
    RunListener eventListener;

    /** Told of the webhook sender the command makes, as soon as it is made; {@code null}: none. For tests. */
    java.util.function.Consumer<WebhookSender> webhookSenderMade;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // checked before anything opens or runs: a timeout the wait cannot express failed only once the run had
        // started, leaving it unfinished in the store
        if (timeout.isNegative() || timeout.isZero()) {
            throw new CliFailure(BatonCli.USAGE, "--timeout must be positive, was " + timeout);
        }
        if (timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new CliFailure(BatonCli.USAGE, "--timeout must be at most " + MAX_TIMEOUT + " (100 years), was "
                    + timeout);
        }
        if (webhook != null) {
            checkWebhook(webhook);
        }
        Inputs.PlanInput input = Inputs.plan(planFile);
        if (input.plan() == null) {
            // not JSON, or not the shape of a plan: reported as validate and the catalog check below report it
            Inputs.reportInvalid(out, planFile, input.errors());
            out.flush();
            return BatonCli.INVALID;
        }
        Plan plan = withParams(input.plan());
        Inputs.catalog(servicesFile);                                   // usage errors with exit code 2
        List<CatalogEntry> entries = ServiceCatalogJson.defaults().readEntries(servicesFile);
        HttpTransport.Builder http = HttpTransport.builder().env(env);
        for (CatalogEntry e : entries) {
            String name = e.descriptor().name();
            Object url = e.extra().get("url");
            if (url == null) {
                throw new CliFailure(BatonCli.USAGE, "service '" + name + "' in " + servicesFile + " has no url");
            }
            if (!(url instanceof String u)) {
                throw new CliFailure(BatonCli.USAGE, "service '" + name + "' in " + servicesFile
                        + ": its url must be a string");
            }
            try {
                http.service(name, URI.create(u));
            } catch (IllegalArgumentException ex) {
                throw new CliFailure(BatonCli.USAGE, "service '" + name + "': " + ex.getMessage());
            }
            Object credentialEnv = e.extra().get("credentialEnv");
            if (credentialEnv instanceof String var) {
                http.credentialEnv(name, var);
            } else if (credentialEnv != null) {
                // ignoring it would call the service without its credential
                throw new CliFailure(BatonCli.USAGE, "service '" + name + "' in " + servicesFile
                        + ": its credentialEnv must be the name of an environment variable (a string)");
            }
        }
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-cli-timer");
            t.setDaemon(true);
            return t;
        });
        Scheduler scheduler = (delay, action) -> {
            var f = timers.schedule(action, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            return () -> f.cancel(false);
        };
        WebhookSender sender = null;
        HttpTransport transport;
        try {
            if (webhook != null) {
                sender = webhookSender(webhookScheduler == null ? scheduler : webhookScheduler);
                if (webhookSenderMade != null) {
                    webhookSenderMade.accept(sender);
                }
            }
            transport = http.build();
        } catch (RuntimeException e) {
            // the finally below is not reached yet
            if (sender != null) {
                sender.close();
            }
            timers.shutdownNow();
            throw e;
        }
        // the webhook's final attempt, as the orchestrator records it in the run's log
        Map<String, CompletableFuture<WebhookAttempted>> finalAttempt = new ConcurrentHashMap<>();
        try (RunStore runStore = openStore()) {
            // no recovery of other runs kept in the store: this process has only this catalog's services and this
            // webhook's allow-list; a resubmitted run id of an unfinished run is still resumed by its submit
            // the catalog's schemas are checked as `validate --services` checks them, and outputs at run time
            Orchestrator.Builder b = Orchestrator.builder().store(runStore).scheduler(scheduler).recoverOnStart(false)
                    .schemaChecker(new NetworkntSchemaChecker())
                    .listener(progress(out)).listener(e -> {
                        if (e instanceof WebhookAttempted w && w.isFinal()) {
                            finalAttempt.computeIfAbsent(w.runId(), k -> new CompletableFuture<>()).complete(w);
                        }
                    });
            if (eventListener != null) {
                b.listener(eventListener);
            }
            if (sender != null) {
                b.webhooks(sender);
            }
            for (CatalogEntry e : entries) {
                b.remoteService(e.descriptor(), transport, ServiceOptions.defaults());
            }
            RunView view;
            RunResult result;
            WebhookAttempted last = null;
            try (Orchestrator o = b.build()) {
                RunOptions.Builder options = RunOptions.builder().timeout(timeout);
                if (runId != null) {
                    options.runId(runId);
                }
                if (webhook != null) {
                    options.webhook(webhook);
                }
                try {
                    result = o.submit(plan, options.build()).await(timeout.plusMinutes(1));
                } catch (InvalidPlanException e) {
                    // rejected against the catalog's services (UNKNOWN_SERVICE, CYCLE, ...): nothing ran, exit 1
                    Inputs.reportInvalid(out, planFile, e.errors());
                    out.flush();
                    return BatonCli.INVALID;
                }
                view = o.inspect(result.runId()).orElseThrow();
                if (sender != null) {
                    // the orchestrator delivers it when the run ends; wait for the outcome before closing the store
                    last = finalAttempt.computeIfAbsent(result.runId(), k -> new CompletableFuture<>())
                            .get(10, TimeUnit.MINUTES);
                }
            }
            out.println();
            InspectCommand.print(out, view, false);
            String delivery = null;
            if (last != null) {
                delivery = last.outcome() + " after " + last.attempt()
                        + (last.attempt() == 1 ? " attempt" : " attempts")
                        + (last.error() == null ? "" : " (" + Inputs.oneLine(last.error()) + ")");
                out.println("webhook: " + delivery);
            }
            out.flush();
            if (last != null && !WebhookAttempted.DELIVERED.equals(last.outcome())) {
                // the exit code keeps saying how the run ended (0: it completed), as it does without --webhook;
                // that the notice asked for never arrived goes to stderr, seen even where stdout goes to a file
                PrintWriter err = spec.commandLine().getErr();
                err.println("baton: webhook not delivered to " + Inputs.oneLine(webhook.getHost()) + ": " + delivery);
                err.flush();
            }
            return result.isCompleted() ? BatonCli.OK : BatonCli.RUN_FAILED;
        } finally {
            // the orchestrator is closed by now, and its deliveries stopped: it does not close the webhook sender it
            // was given, so the sender's HTTP client is closed here, whatever ended the run or the command
            try {
                transport.close();
            } finally {
                if (sender != null) {
                    sender.close();
                }
                timers.shutdownNow();
            }
        }
    }

    private WebhookSender webhookSender(Scheduler scheduler) {
        String secret = env.apply(WEBHOOK_SECRET_ENV);
        if (secret == null || secret.isEmpty()) {
            throw new CliFailure(BatonCli.USAGE, "--webhook needs the secret in the environment variable "
                    + WEBHOOK_SECRET_ENV);
        }
        DestinationPolicy policy = DestinationPolicy.builder().allowHost(webhook.getHost())
                .allowLoopback(webhookAllowLocal).allowPrivate(webhookAllowLocal).allowLinkLocal(webhookAllowLocal)
                .build();
        return WebhookSender.builder().secret(secret).destinations(policy).scheduler(scheduler).build();
    }

    /**
     * Checks {@code --webhook} before anything opens or runs: an absolute http or https URL with a host name or an IP
     * address, and a port from 1 to 65535 if it names one. {@link URI} reads an authority that is no host and port (a
     * name with an underscore, a second '@', say) as a registry name and gives it no host; such a URL is refused
     * naming its host or its port, never its user info.
     */
    static void checkWebhook(URI url) {
        String scheme = url.getScheme();
        if (scheme == null) {
            throw new CliFailure(BatonCli.USAGE, "--webhook must be an absolute http(s) URL; it has no scheme");
        }
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new CliFailure(BatonCli.USAGE, "--webhook must be an http(s) URL; its scheme is "
                    + quoted(scheme));
        }
        String authority = url.getRawAuthority();
        if (url.getHost() != null) {
            if (url.getPort() == 0 || url.getPort() > 65_535) {
                // URI takes any port that fits an int, 0 too; each attempt would fail, after the run and its backoff
                throw badPort(authority.substring(authority.lastIndexOf(':') + 1));
            }
            return;
        }
        // URI gives no host: the authority is cut where URI would cut it, after the last '@' and before the last ':'
        int at = authority == null ? -1 : authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : authority.substring(0, at);
        String hostAndPort = authority == null ? "" : authority.substring(at + 1);
        String host = hostAndPort;
        String port = null;
        int colon = hostAndPort.lastIndexOf(':');
        if (colon >= 0) {
            host = hostAndPort.substring(0, colon);
            port = hostAndPort.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new CliFailure(BatonCli.USAGE, "--webhook must be an absolute http(s) URL with a host");
        }
        String problem = hostnameProblem(host);
        if (problem == null && port != null && !isPort(port)) {
            throw badPort(port);
        }
        if (problem == null && userInfo != null && userInfo.indexOf('@') >= 0) {
            // URI ends the user info at its first '@' and takes the rest, a second '@' in it, for a host it cannot
            // read: host and port are fine, the '@' is what is wrong; the user info may hold a password, so it is
            // not quoted
            throw new CliFailure(BatonCli.USAGE, "--webhook user info (before the host's '@') is not valid: an '@'"
                    + " in it must be written %40");
        }
        if (problem == null) {
            problem = "it is not a hostname or an IP address"; // what URI refused, although each part looks right
        }
        throw new CliFailure(BatonCli.USAGE, "--webhook host " + quoted(host) + " is not a valid hostname: " + problem);
    }

    /** Whether {@code port} is what a URL may have after its host's ':': nothing (the default port), or 1 to 65535. */
    private static boolean isPort(String port) {
        if (port.isEmpty()) {
            return true;
        }
        if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int n = Integer.parseInt(port);
        return n >= 1 && n <= 65_535;
    }

    private static CliFailure badPort(String port) {
        return new CliFailure(BatonCli.USAGE, "--webhook port " + quoted(port)
                + " is not a port number (digits, 1 to 65535)");
    }

    /** @return what makes {@code host} no hostname as {@link URI} reads one, or {@code null} when nothing does */
    private static String hostnameProblem(String host) {
        for (int i = 0; i < host.length(); ) {
            int c = host.codePointAt(i);
            boolean allowed = c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '.');
            if (!allowed) {
                String hint = Character.isLetterOrDigit(c) ? "; a name outside ASCII is written in its xn-- form" : "";
                return (c > 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("U+%04X", c))
                        + " is not allowed in a hostname (ASCII letters, digits, '-' and '.'" + hint + ")";
            }
            i += Character.charCount(c);
        }
        String[] labels = host.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.startsWith("-") || label.endsWith("-")) {
                return "each of its dot-separated labels must start and end with a letter or digit";
            }
        }
        String last = labels[labels.length - 1];
        if (!Character.isLetter(last.charAt(0))) {
            return "its last label must start with a letter (or it must be a whole IP address)";
        }
        return null;
    }

    /** {@code text} quoted on one line, cut after {@link #MAX_QUOTED} characters. */
    private static String quoted(String text) {
        if (text.length() <= MAX_QUOTED) {
            return "'" + Inputs.oneLine(text) + "'";
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_QUOTED - 1)) ? MAX_QUOTED - 1 : MAX_QUOTED;
        return "'" + Inputs.oneLine(text.substring(0, end)) + "...' (" + text.length() + " characters)";
    }

    private RunStore openStore() {
        return store.open(env);
    }

    private Plan withParams(Plan plan) {
        if (params.isEmpty()) {
            return plan;
        }
        // the plan's parameters are the input of its service-less task0
        Map<String, Object> json = new LinkedHashMap<>(PlanJson.toJson(plan));
        List<Object> tasks = new java.util.ArrayList<>((List<?>) json.get("tasks"));
        Map<String, Object> task0 = null;
        for (int i = 0; i < tasks.size(); i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) tasks.get(i);
            if ("task0".equals(t.get("id"))) {
                task0 = new LinkedHashMap<>(t);
                tasks.set(i, task0);
            }
        }
        if (task0 == null) {
            task0 = new LinkedHashMap<>();
            task0.put("id", "task0");
            task0.put("input", Map.of());
            tasks.add(0, task0);
        }
        Map<String, Object> input = new LinkedHashMap<>((Map<?, ?>) task0.get("input") == null ? Map.of()
                : castMap(task0.get("input")));
        input.putAll(params);
        task0.put("input", input);
        json.put("tasks", tasks);
        try {
            return PlanJson.defaults().read(new ObjectMapper().writeValueAsString(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | UncheckedIOException e) {
            throw new CliFailure(BatonCli.USAGE, "cannot apply --param: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    private static RunListener progress(PrintWriter out) {
        return new RunListener() {
            @Override
            public void onEvent(RunEvent event) {
                String line = null;
                if (event instanceof TaskStarted s) {
                    line = s.taskId() + ": started (attempt " + s.attempt() + ")";
                } else if (event instanceof TaskCompleted c) {
                    line = c.taskId() + ": completed (attempt " + c.attempt() + ")";
                } else if (event instanceof TaskFailed f) {
                    line = f.taskId() + ": attempt " + f.attempt() + " failed: " + f.error().code() + " "
                            + f.error().message() + (f.retrying() ? "" : " (giving up)");
                } else if (event instanceof TaskRetryScheduled r) {
                    line = r.taskId() + ": attempt " + r.nextAttempt() + " at " + r.notBefore();
                }
                if (line != null) {
                    // a service's error text is the service's to choose: it must not forge a line or reach the
                    // terminal as a control sequence
                    line = Inputs.oneLine(line);
                    synchronized (out) {
                        out.println(line);
                        out.flush();
                    }
                }
            }
        };
    }
}
