package dev.baton.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code baton plan} in-process against a chat-completions endpoint on loopback that replays recorded replies. */
class PlanCommandTest {

    private static final String KEY = "sk-cli-test-secret";

    private static final String CATALOG = """
            {"services": [
              {"name": "customer-service", "description": "Finds a customer", "version": "1",
               "schema": {"input": {"type": "object", "properties": {"customerId": {"type": "string"}}}}},
              {"name": "ai-agent", "description": "Writes a reply", "version": "1"}
            ]}""";

    private static final String GOOD = "{\\\"tasks\\\": [{\\\"id\\\": \\\"task1\\\", \\\"service\\\": \\\"customer-service\\\","
            + " \\\"input\\\": {\\\"customerId\\\": \\\"$task0.customerId\\\"}}, {\\\"id\\\": \\\"task2\\\","
            + " \\\"service\\\": \\\"ai-agent\\\", \\\"input\\\": {\\\"customer\\\": \\\"$task1\\\"}}]}";
    private static final String CYCLE = "{\\\"tasks\\\": [{\\\"id\\\": \\\"task1\\\", \\\"service\\\": \\\"customer-service\\\","
            + " \\\"input\\\": {\\\"x\\\": \\\"$task1.y\\\"}}]}";

    private HttpServer server;
    private final ConcurrentLinkedQueue<String> replies = new ConcurrentLinkedQueue<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> auth = new CopyOnWriteArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private Path catalog;

    @BeforeEach
    void start() throws Exception {
        catalog = dir.resolve("services.json");
        Files.writeString(catalog, CATALOG);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            auth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            String content = replies.poll();
            byte[] b = ("{\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \""
                    + (content == null ? "nothing left" : content) + "\"}}]}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private int run(Map<String, String> env, String... args) {
        return BatonCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), env::get).execute(args);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @Test
    void printsTheAcceptedPlanWithItsGroups() {
        replies.add("Here it is: " + GOOD);
        int code = run(Map.of("OPENAI_API_KEY", KEY), "plan", "Greet the customer", "--services", catalog.toString(),
                "--param", "customerId=C1", "--llm-base-url", url(), "--llm-model", "m1");

        assertThat(code).as(err.toString()).isZero();
        dev.baton.plan.Plan printed = dev.baton.json.PlanJson.defaults().read(out.toString());
        assertThat(printed.params()).isEqualTo(Map.of("customerId", "C1"));
        assertThat(printed.parallelGroups()).containsExactly(List.of("task1"), List.of("task2"));
        assertThat(auth).containsExactly("Bearer " + KEY);
        assertThat(bodies.get(0)).contains("Greet the customer", "customer-service", "\"model\":\"m1\"");
        assertThat(out.toString() + err).doesNotContain(KEY);
    }

    @Test
    void printsEveryAttemptsErrorsAndExitsWithOne() {
        replies.add(CYCLE);
        replies.add("no JSON, sorry");
        int code = run(Map.of("MY_KEY", KEY), "plan", "Greet", "--services", catalog.toString(), "--llm-base-url", url(),
                "--llm-model", "m1", "--llm-api-key-env", "MY_KEY", "--attempts", "2");

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("no valid plan after 2 attempts", "attempt 1:", "SELF_REFERENCE",
                "attempt 2:", "NO_PLAN_IN_REPLY");
        assertThat(bodies.get(1)).contains("previous_errors", "SELF_REFERENCE");
        assertThat(out.toString() + err).doesNotContain(KEY);
    }

    @Test
    void notActionableExitsWithOne() {
        replies.add("{\\\"tasks\\\": [{\\\"id\\\": \\\"final\\\", \\\"input\\\": {\\\"error\\\": \\\"cannot refund\\\"}}]}");
        int code = run(Map.of("OPENAI_API_KEY", KEY), "plan", "Refund", "--services", catalog.toString(),
                "--llm-base-url", url(), "--llm-model", "m1");
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("not actionable: cannot refund");
    }

    @Test
    void usageErrorsExitWithTwoAndCallNothing() {
        assertThat(run(Map.of(), "plan", "Greet", "--services", catalog.toString(), "--llm-base-url", url())).isEqualTo(2);
        assertThat(run(Map.of(), "plan", "Greet", "--services", dir.resolve("missing.json").toString(),
                "--llm-base-url", url(), "--llm-model", "m")).isEqualTo(2);
        assertThat(run(Map.of(), "plan", "Greet", "--services", catalog.toString(), "--llm-base-url", url(),
                "--llm-model", "m", "--llm-api-key-env", "NOT_SET")).isEqualTo(2);
        assertThat(err.toString()).contains("NOT_SET");
        assertThat(run(Map.of(), "plan", "Greet", "--services", catalog.toString(), "--llm-base-url", "ftp://x",
                "--llm-model", "m")).isEqualTo(2);
        assertThat(run(Map.of(), "plan", "Greet", "--services", catalog.toString(), "--llm-base-url", url(),
                "--llm-model", "m", "--attempts", "0")).isEqualTo(2);
        assertThat(bodies).isEmpty();
    }
}
