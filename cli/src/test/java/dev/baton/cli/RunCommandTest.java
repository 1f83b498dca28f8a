package dev.baton.cli;

import com.sun.net.httpserver.HttpServer;
import dev.baton.event.RunEvent;
import dev.baton.event.WebhookAttempted;
import dev.baton.persistence.RunStore;
import dev.baton.service.IdempotentService;
import dev.baton.service.ServiceException;
import dev.baton.service.ServiceHttpServer;
import dev.baton.store.jdbc.JdbcRunStore;
import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookOutcome;
import dev.baton.transport.http.WebhookPayload;
import dev.baton.transport.http.WebhookSender;
import dev.baton.transport.http.WebhookSignature;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class RunCommandTest {

    private static final String CANARY = "canary-cli-credential-93b1";
    private static final String WEBHOOK_SECRET = "canary-webhook-secret-4e2a";
    /** A service's error body that would forge a progress line and clear the terminal if printed as it is. */
    private static final String FORGED = "bad\nfake: completed (attempt 1)\u001b[2J\u009b2J";

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private ServiceHttpServer services;
    private HttpServer receiver;
    private final List<String> verdicts = new CopyOnWriteArrayList<>();
    private final AtomicInteger flaky = new AtomicInteger();
    private final AtomicInteger charges = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
    private final AtomicInteger failedDeliveries = new AtomicInteger();
    /**
     * The webhook's attempts run here, none of them after a wait: the first at once, each retry as soon as the attempt
     * before it is in the run's log (as a backoff of seconds would have it). The delay each one asked for is recorded.
     */
    private final ExecutorService webhookTimer = Executors.newSingleThreadExecutor();
    private final List<Duration> webhookDelays = new CopyOnWriteArrayList<>();
    private final java.util.Queue<Runnable> webhookRetries = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The webhook senders the command made. */
    private final List<WebhookSender> senders = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        services = ServiceHttpServer.builder()
                .service("customer-service", IdempotentService.builder(r -> Map.of("name", "Ada",
                        "id", r.input().get("customerId"))).build())
                .service("payment-service", IdempotentService.builder(r -> {
                    if (flaky.incrementAndGet() <= 2) {
                        throw new ServiceException("payment gateway warming up", true);
                    }
                    return Map.of("charged", charges.incrementAndGet(), "customer", r.input().get("customer"));
                }).build())
                .service("echo-service", IdempotentService.builder(r -> {
                    throw new ServiceException("refused token " + CANARY, false);
                }).build())
                .start();
        WebhookSignature verifier = WebhookSignature.verifier(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8),
                Duration.ofMinutes(5), Clock.systemUTC());
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            try {
                verifier.verify(ex.getRequestHeaders().getFirst(WebhookSignature.HEADER), body);
                verdicts.add("ok " + new String(body, StandardCharsets.UTF_8));
                ex.sendResponseHeaders(204, -1);
            } catch (RuntimeException e) {
                verdicts.add("bad");
                ex.sendResponseHeaders(401, -1);
            }
            ex.close();
        });
        receiver.createContext("/forger", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] body = FORGED.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(400, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        receiver.createContext("/fail", ex -> {
            ex.getRequestBody().readAllBytes();
            failedDeliveries.incrementAndGet();
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        receiver.createContext("/stall", ex -> {
            try {
                stalled.await(); // until the test is over: the run times out first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        stalled.countDown();
        services.close();
        receiver.stop(0);
        webhookTimer.shutdownNow();
    }

    private int run(String... args) {
        CommandLine cl = BatonCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        RunCommand cmd = cl.getSubcommands().get("run").getCommand();
        cmd.env = name -> switch (name) {
            case "PAYMENT_TOKEN" -> CANARY;
            case RunCommand.WEBHOOK_SECRET_ENV -> WEBHOOK_SECRET;
            default -> null;
        };
        cmd.webhookScheduler = (delay, action) -> {
            webhookDelays.add(delay);
            if (delay.isZero()) {
                webhookTimer.execute(action);
            } else {
                webhookRetries.add(action); // scheduled before its RETRYING attempt is told, so there by then
            }
            return () -> webhookRetries.remove(action);
        };
        cmd.webhookSenderMade = senders::add;
        cmd.eventListener = e -> {
            if (e instanceof WebhookAttempted w && WebhookAttempted.RETRYING.equals(w.outcome())) {
                Runnable retry = webhookRetries.poll();
                if (retry != null) {
                    webhookTimer.execute(retry);
                }
            }
        };
        return cl.execute(args);
    }

    private String catalog() throws Exception {
        Path p = dir.resolve("services.json");
        Files.writeString(p, "{\"services\": ["
                + "{\"name\": \"customer-service\", \"url\": \"" + services.uri("customer-service") + "\"},"
                + "{\"name\": \"payment-service\", \"url\": \"" + services.uri("payment-service") + "\","
                + " \"credentialEnv\": \"PAYMENT_TOKEN\"},"
                + "{\"name\": \"echo-service\", \"url\": \"" + services.uri("echo-service") + "\","
                + " \"credentialEnv\": \"PAYMENT_TOKEN\"}]}");
        return p.toString();
    }

    private String plan(String json) throws Exception {
        Path p = dir.resolve("plan-" + System.nanoTime() + ".json");
        Files.writeString(p, json);
        return p.toString();
    }

    private String store() {
        return "jdbc:h2:mem:cli" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    }

    @Test
    void runsAPlanOverHttpWithRetriesProgressInspectViewAndASignedWebhook() throws Exception {
        String plan = plan("{\"tasks\": ["
                + "{\"id\": \"task0\", \"input\": {\"customerId\": \"CUST1\"}},"
                + "{\"id\": \"customer\", \"service\": \"customer-service\", \"input\": {\"customerId\": \"$task0.customerId\"}},"
                + "{\"id\": \"charge\", \"service\": \"payment-service\", \"input\": {\"customer\": \"$customer.name\"}}]}");
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String store = store();

        int code = run("run", plan, "--services", catalog(), "--param", "customerId=CUST789", "--store", store,
                "--run-id", "cli-1", "--webhook", hook, "--webhook-allow-local");

        String text = out.toString();
        assertThat(code).as(text + err).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(text).contains("customer: started (attempt 1)", "customer: completed (attempt 1)",
                "charge: attempt 1 failed", "charge: completed (attempt 3)", "run cli-1: completed",
                "webhook: DELIVERED after 1 attempt");
        // the inspect view's row of the flaky task: service, status, duration, three attempts
        assertThat(text).containsPattern("\\n  charge +payment-service +completed +\\S+ +3\\n");
        assertThat(charges).hasValue(1);
        assertThat(verdicts).singleElement().asString().startsWith("ok {\"runId\":\"cli-1\",\"status\":\"COMPLETED\"")
                .contains("CUST789");
        assertThat(text + err).doesNotContain(CANARY).doesNotContain(WEBHOOK_SECRET);
        // the delivery went through the orchestrator: its attempt is in the run's log, and no secret is in the store
        List<RunEvent> log = storedEvents(store, "cli-1");
        assertThat(log).filteredOn(e -> e instanceof WebhookAttempted).singleElement()
                .satisfies(e -> assertThat(((WebhookAttempted) e).outcome()).isEqualTo(WebhookAttempted.DELIVERED));
        assertThat(log.toString()).doesNotContain(CANARY).doesNotContain(WEBHOOK_SECRET);
    }

    private static List<RunEvent> storedEvents(String url, String runId) {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(url);
        try (RunStore s = JdbcRunStore.h2(ds)) {
            return s.events(runId);
        }
    }

    @Test
    void aServicesErrorTextIsPrintedOnOneLineWithoutControlCharactersAndKeptAsItIsInJson() throws Exception {
        Path cat = dir.resolve("forger.json");
        Files.writeString(cat, "{\"services\": [{\"name\": \"forger\", \"url\": \"http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/forger\"}]}");
        String plan = plan("{\"tasks\": [{\"id\": \"victim\", \"service\": \"forger\", \"input\": {}}]}");
        String store = store();

        int code = run("run", plan, "--services", cat.toString(), "--store", store, "--run-id", "cli-forged");

        String text = out.toString();
        assertThat(code).as(text + err).isEqualTo(BatonCli.RUN_FAILED);
        // the progress line, the run's error and the task's row: none forged, no escape or C1 control printed
        assertThat(text).contains("victim: attempt 1 failed:", "run cli-forged: failed",
                "bad\\nfake: completed (attempt 1)\\u001b[2J\\u009b2J");
        assertThat(text.lines()).noneMatch(l -> l.startsWith("fake:"));
        assertThat(text).doesNotContain("\u001b").doesNotContain("\u009b");

        // inspect shows it the same way, also with -d; its --json keeps the message as the service sent it
        out.getBuffer().setLength(0);
        assertThat(run("inspect", "cli-forged", "--store", store, "-d")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("error:  ").contains("\\u001b[2J")
                .doesNotContain("\u001b").doesNotContain("\u009b");
        assertThat(out.toString().lines()).noneMatch(l -> l.startsWith("fake:"));
        out.getBuffer().setLength(0);
        assertThat(run("inspect", "cli-forged", "--store", store, "--json")).as(err.toString()).isZero();
        Map<?, ?> json = new com.fasterxml.jackson.databind.ObjectMapper().readValue(out.toString(), Map.class);
        assertThat((String) ((Map<?, ?>) json.get("error")).get("message")).endsWith(FORGED);
    }

    @Test
    void anErrorOfTheWholeRunIsShownWithoutATaskId() throws Exception {
        Path cat = dir.resolve("stall.json");
        Files.writeString(cat, "{\"services\": [{\"name\": \"stall\", \"url\": \"http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/stall\"}]}");
        String plan = plan("{\"tasks\": [{\"id\": \"wait\", \"service\": \"stall\", \"input\": {}}]}");
        String store = store();

        int code = run("run", plan, "--services", cat.toString(), "--store", store, "--run-id", "cli-slow",
                "--timeout", "PT1S");

        String text = out.toString();
        assertThat(code).as(text + err).isEqualTo(BatonCli.RUN_FAILED);
        assertThat(text).contains("\n  error: RUN_TIMEOUT: ").doesNotContain("null");
        out.getBuffer().setLength(0);
        assertThat(run("inspect", "cli-slow", "--store", store)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\n  error: RUN_TIMEOUT: ").doesNotContain("null");
    }

    @Test
    void aLoopbackWebhookWithoutPermissionIsRefusedAndRecordedWithoutFailingTheRun() throws Exception {
        String plan = plan("{\"tasks\": [{\"id\": \"customer\", \"service\": \"customer-service\","
                + " \"input\": {\"customerId\": \"C1\"}}]}");
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String store = store();

        int code = run("run", plan, "--services", catalog(), "--store", store, "--run-id", "cli-3", "--webhook", hook);

        String text = out.toString();
        assertThat(code).as(text + err).isZero();
        assertThat(text).contains("run cli-3: completed", "webhook: REFUSED after 1 attempt");
        // the run completed, so the exit code is 0; that its notice was never sent cannot go unseen
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("baton: webhook not delivered to 127.0.0.1: REFUSED after 1 attempt (")
                .contains("loopback");
        assertThat(verdicts).isEmpty();
        assertThat(storedEvents(store, "cli-3")).filteredOn(e -> e instanceof WebhookAttempted).singleElement()
                .satisfies(e -> assertThat(((WebhookAttempted) e).outcome()).isEqualTo(WebhookAttempted.REFUSED));
        assertThat(text + err).doesNotContain(WEBHOOK_SECRET);
    }

    @Test
    void aWebhookTheReceiverFailsIsReportedOnStderrAndTheExitCodeStaysTheRunsOwn() throws Exception {
        String plan = plan("{\"tasks\": [{\"id\": \"customer\", \"service\": \"customer-service\","
                + " \"input\": {\"customerId\": \"C1\"}}]}");
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/fail";
        String store = store();

        int code = run("run", plan, "--services", catalog(), "--store", store, "--run-id", "cli-5", "--webhook", hook,
                "--webhook-allow-local");

        String text = out.toString();
        assertThat(code).as(text + err).isEqualTo(BatonCli.OK);
        assertThat(text).contains("run cli-5: completed", "webhook: FAILED after 5 attempts (HTTP 500)");
        assertThat(err.toString().lines())
                .containsExactly("baton: webhook not delivered to 127.0.0.1: FAILED after 5 attempts (HTTP 500)");
        // every attempt reached the receiver, and the backoff between them went through the scheduler
        assertThat(failedDeliveries).hasValue(5);
        assertThat(webhookDelays).containsExactly(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(8));
        assertThat(storedEvents(store, "cli-5")).filteredOn(e -> e instanceof WebhookAttempted)
                .extracting(e -> ((WebhookAttempted) e).outcome())
                .containsExactly(WebhookAttempted.RETRYING, WebhookAttempted.RETRYING, WebhookAttempted.RETRYING,
                        WebhookAttempted.RETRYING, WebhookAttempted.FAILED);
        assertThat(text + err).doesNotContain(WEBHOOK_SECRET);
    }

    @Test
    void aFailedRunWhoseWebhookNobodyAnswersExitsWith3AndSaysSoOnStderr() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // closed again before the run: every connection is refused
        }
        String plan = plan("{\"tasks\": [{\"id\": \"echo\", \"service\": \"echo-service\", \"input\": {}}]}");
        String hook = "http://127.0.0.1:" + closedPort + "/hook";

        int code = run("run", plan, "--services", catalog(), "--store", store(), "--run-id", "cli-6", "--webhook", hook,
                "--webhook-allow-local");

        String text = out.toString();
        assertThat(code).as(text + err).isEqualTo(BatonCli.RUN_FAILED);
        assertThat(text).contains("run cli-6: failed", "webhook: FAILED after 5 attempts (ConnectException)");
        assertThat(err.toString().lines()).containsExactly(
                "baton: webhook not delivered to 127.0.0.1: FAILED after 5 attempts (ConnectException)");
        assertThat(webhookDelays).hasSize(5);
        assertThat(text + err).doesNotContain(CANARY).doesNotContain(WEBHOOK_SECRET);
    }

    @Test
    void theWebhookSenderIsClosedWhenTheCommandEndsHoweverItEnds() throws Exception {
        // the orchestrator does not close the webhook transport it is given: the command must, or each run leaves
        // the sender's HTTP client open
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String completes = plan("{\"tasks\": [{\"id\": \"customer\", \"service\": \"customer-service\","
                + " \"input\": {\"customerId\": \"C1\"}}]}");
        String fails = plan("{\"tasks\": [{\"id\": \"echo\", \"service\": \"echo-service\", \"input\": {}}]}");

        assertThat(run("run", completes, "--services", catalog(), "--store", store(), "--run-id", "cli-close-ok",
                "--webhook", hook, "--webhook-allow-local")).as(out.toString() + err).isEqualTo(BatonCli.OK);
        assertThat(run("run", fails, "--services", catalog(), "--store", store(), "--run-id", "cli-close-failed",
                "--webhook", hook, "--webhook-allow-local")).as(out.toString() + err).isEqualTo(BatonCli.RUN_FAILED);
        // the store is opened after the sender is made, and cannot be
        assertThat(run("run", completes, "--services", catalog(), "--store", "jdbc:nosuchdb:x", "--run-id",
                "cli-close-nostore", "--webhook", hook, "--webhook-allow-local")).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("--store must be a jdbc:h2: or jdbc:postgresql: URL");
        // the HTTP transport is built after the sender is made, and a catalog without services has none to build
        Path empty = dir.resolve("empty.json");
        Files.writeString(empty, "{\"services\": []}");
        assertThat(run("run", completes, "--services", empty.toString(), "--store", store(), "--run-id",
                "cli-close-notransport", "--webhook", hook, "--webhook-allow-local")).isEqualTo(BatonCli.USAGE);

        assertThat(senders).hasSize(4);
        assertThat(verdicts).hasSize(2); // the two runs' deliveries
        for (int i = 0; i < senders.size(); i++) {
            // an open sender would deliver this to the receiver; a closed one ends it without a request
            WebhookAttempt probe = senders.get(i).send(URI.create(hook), new WebhookPayload("probe", "COMPLETED", Map.of(),
                    null)).toCompletableFuture().get(1, TimeUnit.MINUTES);
            assertThat(probe.outcome()).as("sender of command %d", i + 1).isEqualTo(WebhookOutcome.FAILED);
            assertThat(probe.error()).isEqualTo("the webhook sender is closed");
        }
        assertThat(verdicts).hasSize(2);
    }

    @Test
    void aRunLeavesTheStoresOtherUnfinishedRunsAlone() throws Exception {
        // a run another process left unfinished, whose service this catalog has too: recovering it here would call
        // the service with this process's credentials and allow-list, so `baton run` does not
        String store = store();
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL(store);
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        dev.baton.plan.Plan open = dev.baton.plan.Plan.builder()
                .task("customer", "customer-service", Map.of("customerId", "CUST2")).build();
        try (RunStore s = JdbcRunStore.h2(ds)) {
            s.append("left-open", 0, List.of(new dev.baton.event.RunCreated("left-open", 1, t0, open,
                    new dev.baton.event.RunSettings(null, 0, "GROUPS", "FAIL_FAST", null, null))), null, t0);
        }
        String plan = plan("{\"tasks\": [{\"id\": \"customer\", \"service\": \"customer-service\","
                + " \"input\": {\"customerId\": \"CUST1\"}}]}");

        int code = run("run", plan, "--services", catalog(), "--store", store, "--run-id", "cli-4");

        assertThat(code).as(out.toString() + err).isZero();
        assertThat(storedEvents(store, "left-open")).hasSize(1);
        try (RunStore s = JdbcRunStore.h2(ds)) {
            assertThat(s.unfinishedRuns()).containsExactly("left-open");
        }
    }

    @Test
    void aRunThatFailsExitsWith3AndNeverPrintsTheCredential() throws Exception {
        String plan = plan("{\"tasks\": [{\"id\": \"echo\", \"service\": \"echo-service\", \"input\": {}}]}");
        int code = run("run", plan, "--services", catalog(), "--store", store(), "--run-id", "cli-2");
        String text = out.toString() + err;
        assertThat(code).as(text).isEqualTo(BatonCli.RUN_FAILED);
        assertThat(text).contains("run cli-2: failed").contains("[REDACTED]").doesNotContain(CANARY);
    }

    @Test
    void aPlanTheCatalogRejectsExitsWith1AndListsEveryError() throws Exception {
        String plan = plan("{\"tasks\": [{\"id\": \"a\", \"service\": \"no-such-service\", \"input\": {}},"
                + "{\"id\": \"b\", \"service\": \"customer-service\", \"input\": {\"x\": \"$c\"}},"
                + "{\"id\": \"c\", \"service\": \"customer-service\", \"input\": {\"y\": \"$b\"}}]}");
        int code = run("run", plan, "--services", catalog(), "--store", store(), "--run-id", "cli-invalid");
        String text = out.toString() + err;
        assertThat(code).as(text).isEqualTo(BatonCli.INVALID);
        assertThat(out.toString()).contains("invalid, 2 errors").contains("UNKNOWN_SERVICE").contains("CYCLE")
                .doesNotContain("run cli-invalid:");
        assertThat(err.toString()).doesNotContain("error:");
    }

    @Test
    void aPlanThatIsNotJsonIsReportedAsValidateReportsIt() throws Exception {
        String plan = plan("{");
        StringWriter validated = new StringWriter();
        assertThat(BatonCli.execute(new PrintWriter(validated), new PrintWriter(new StringWriter()), "validate", plan))
                .isEqualTo(BatonCli.INVALID);
        String store = store();

        int code = run("run", plan, "--services", catalog(), "--store", store, "--run-id", "cli-malformed");

        assertThat(code).as(out.toString() + err).isEqualTo(BatonCli.INVALID);
        assertThat(out.toString()).startsWith(plan + ": invalid, 1 error" + System.lineSeparator() + "MALFORMED_JSON")
                .isEqualTo(validated.toString());
        assertThat(err.toString()).isEmpty();
        assertThat(storedEvents(store, "cli-malformed")).isEmpty();
    }

    @Test
    void usageErrors() throws Exception {
        String plan = plan("{\"tasks\": [{\"id\": \"a\", \"service\": \"customer-service\", \"input\": {}}]}");
        assertThat(run("run", plan, "--services", catalog(), "--store", "jdbc:postgresql://x/y"))
                .isEqualTo(BatonCli.USAGE);
        Path noUrl = dir.resolve("nourl.json");
        Files.writeString(noUrl, "{\"services\": [{\"name\": \"customer-service\"}]}");
        assertThat(run("run", plan, "--services", noUrl.toString(), "--store", store())).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("has no url");
    }

    @Test
    void aWebhookUrlThatIsNoHttpUrlWithAHostIsAUsageErrorSayingWhatIsWrong() throws Exception {
        String plan = plan("{\"tasks\": [{\"id\": \"customer\", \"service\": \"customer-service\","
                + " \"input\": {\"customerId\": \"C1\"}}]}");
        String store = store();
        String letters = "'_' is not allowed in a hostname (ASCII letters, digits, '-' and '.')";
        Map<String, String> refusals = new java.util.LinkedHashMap<>();
        // java.net.URI gives no host for these: before, each was "--webhook must be an absolute http(s) URL"
        refusals.put("http://my_host:8080/hook", "--webhook host 'my_host' is not a valid hostname: " + letters);
        refusals.put("https://user:hunter2@my_host/hook", "--webhook host 'my_host' is not a valid hostname: "
                + letters);
        refusals.put("http://b\u00fccher.example/hook", "--webhook host 'b\u00fccher.example' is not a valid"
                + " hostname: U+00FC is not allowed in a hostname (ASCII letters, digits, '-' and '.'; a name outside"
                + " ASCII is written in its xn-- form)");
        refusals.put("http://my\u202ehost/hook", "--webhook host 'my\\u202ehost' is not a valid hostname: U+202E"
                + " is not allowed in a hostname (ASCII letters, digits, '-' and '.')");
        refusals.put("http://-hooks.example/x", "--webhook host '-hooks.example' is not a valid hostname: each of"
                + " its dot-separated labels must start and end with a letter or digit");
        refusals.put("http://10.0.0.256/x", "--webhook host '10.0.0.256' is not a valid hostname: its last label"
                + " must start with a letter (or it must be a whole IP address)");
        String port = " is not a port number (digits, 1 to 65535)";
        refusals.put("http://hooks.example:8o80/x", "--webhook port '8o80'" + port);
        refusals.put("http://hooks.example:99999999999/x", "--webhook port '99999999999'" + port);
        // these URI reads, with their host; the HTTP client would fail each attempt, after the run
        refusals.put("http://127.0.0.1:65536/hook", "--webhook port '65536'" + port);
        refusals.put("http://127.0.0.1:0/hook", "--webhook port '0'" + port);
        refusals.put("http://hooks.example:000/hook", "--webhook port '000'" + port);
        refusals.put("http://ops@[::1]:0/hook", "--webhook port '0'" + port);
        // URI's user info ends at the first '@', so it reads no host; before, this was "port '80' is not a port number"
        String userInfo = "--webhook user info (before the host's '@') is not valid: an '@' in it must be written %40";
        refusals.put("http://ops@hunter2@hooks.example:80/hook", userInfo);
        refusals.put("https://ops@hunter2@hooks.example/hook", userInfo);
        // the host is still checked first, and so is the port
        refusals.put("http://ops@hunter2@my_host/hook", "--webhook host 'my_host' is not a valid hostname: " + letters);
        refusals.put("http://ops@hunter2@hooks.example:0/hook", "--webhook port '0'" + port);
        refusals.put("http:///hook", "--webhook must be an absolute http(s) URL with a host");
        refusals.put("hooks.example/hook", "--webhook must be an absolute http(s) URL; it has no scheme");
        refusals.put("ftp://hooks.example/hook", "--webhook must be an http(s) URL; its scheme is 'ftp'");
        refusals.put("mailto:ops@hooks.example", "--webhook must be an http(s) URL; its scheme is 'mailto'");
        String longName = "h".repeat(300) + "_";
        refusals.put("http://" + longName + "/hook", "--webhook host '" + "h".repeat(RunCommand.MAX_QUOTED)
                + "...' (301 characters) is not a valid hostname: " + letters);

        for (Map.Entry<String, String> r : refusals.entrySet()) {
            err.getBuffer().setLength(0);
            int code = run("run", plan, "--services", catalog(), "--store", store, "--run-id", "cli-url",
                    "--webhook", r.getKey(), "--webhook-allow-local");
            assertThat(code).as(r.getKey() + ": " + err).isEqualTo(BatonCli.USAGE);
            assertThat(err.toString().lines()).as(r.getKey()).containsExactly("baton: " + r.getValue());
        }
        assertThat(err.toString()).doesNotContain("hunter2");
        assertThat(out.toString()).doesNotContain("started");
        assertThat(verdicts).isEmpty();
        assertThat(storedEvents(store, "cli-url")).isEmpty();
    }

    @Test
    void aTimeoutTooLongToWaitForIsAUsageErrorBeforeAnythingRuns() throws Exception {
        // the wait for the run could not be expressed: refused up front, not after the run started and was left open
        String plan = plan("{\"tasks\": [{\"id\": \"customer\", \"service\": \"customer-service\","
                + " \"input\": {\"customerId\": \"C1\"}}]}");
        String store = store();
        int code = run("run", plan, "--services", catalog(), "--store", store, "--run-id", "cli-long",
                "--timeout", "PT999999999999H");
        assertThat(code).as(out.toString() + err).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString().strip()).startsWith("baton: --timeout must be at most").doesNotContain("overflow");
        assertThat(out.toString()).doesNotContain("started");
        assertThat(storedEvents(store, "cli-long")).isEmpty();

        assertThat(run("run", plan, "--services", catalog(), "--store", store, "--timeout", "PT0S"))
                .isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("--timeout must be positive, was PT0S");
    }

    @Test
    void aCredentialVariableThatIsNotANameIsAUsageErrorNotARequestWithoutTheCredential() throws Exception {
        String plan = plan("{\"tasks\": [{\"id\": \"a\", \"service\": \"customer-service\", \"input\": {}}]}");
        Path cat = dir.resolve("badcred.json");
        Files.writeString(cat, "{\"services\": [{\"name\": \"customer-service\", \"url\": \""
                + services.uri("customer-service") + "\", \"credentialEnv\": 5}]}");
        String store = store();
        assertThat(run("run", plan, "--services", cat.toString(), "--store", store, "--run-id", "cli-cred"))
                .isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("service 'customer-service'").contains("credentialEnv");
        assertThat(storedEvents(store, "cli-cred")).isEmpty();

        Files.writeString(cat, "{\"services\": [{\"name\": \"customer-service\", \"url\": 5}]}");
        assertThat(run("run", plan, "--services", cat.toString(), "--store", store)).isEqualTo(BatonCli.USAGE);
        assertThat(err.toString()).contains("url must be a string");
    }

    @Test
    void aPlanAgainstTheCatalogsInputSchemaIsRejectedAsValidateRejectsIt() throws Exception {
        // what `validate --services` rejects, `run --services` must not run
        Path cat = dir.resolve("schema.json");
        Files.writeString(cat, "{\"services\": [{\"name\": \"customer-service\", \"url\": \""
                + services.uri("customer-service") + "\", \"schema\": {\"input\": {\"type\": \"object\","
                + " \"required\": [\"customerId\"], \"properties\": {\"customerId\": {\"type\": \"string\"}}}}}]}");
        String plan = plan("{\"tasks\": [{\"id\": \"a\", \"service\": \"customer-service\","
                + " \"input\": {\"customerId\": 7}}]}");
        assertThat(BatonCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                "validate", plan, "--services", cat.toString())).isEqualTo(BatonCli.INVALID);

        String store = store();
        int code = run("run", plan, "--services", cat.toString(), "--store", store, "--run-id", "cli-schema");
        assertThat(code).as(out.toString() + err).isEqualTo(BatonCli.INVALID);
        assertThat(out.toString()).contains("SCHEMA_VIOLATION").doesNotContain("started");
        assertThat(storedEvents(store, "cli-schema")).isEmpty();
    }
}
