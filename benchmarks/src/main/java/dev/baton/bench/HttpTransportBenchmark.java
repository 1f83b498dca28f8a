package dev.baton.bench;

import com.sun.net.httpserver.HttpServer;
import dev.baton.transport.TaskRequest;
import dev.baton.transport.http.HttpTransport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP transport's overhead per task: one attempt through {@link HttpTransport#dispatch} (JSON body, headers,
 * size-limited streaming, JSON parse of the answer) against the same loopback service called with a bare JDK
 * {@link HttpClient} POST of an equivalent body, in the same run. The service answers a fixed small JSON object.
 * The loopback server sets TCP_NODELAY ({@code sun.net.httpserver.nodelay}): without it the JDK server's separate
 * header and body writes meet delayed ACKs and every call costs about 40 ms on both sides.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dsun.net.httpserver.nodelay=true")
public class HttpTransportBenchmark {

    private static final byte[] ANSWER = "{\"status\":\"shipped\",\"total\":42}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BARE_BODY = ("{\"runId\":\"bench\",\"taskId\":\"task1\",\"executionId\":\"bench/task1\","
            + "\"attempt\":1,\"service\":\"orders\",\"input\":{\"orderId\":\"ORD456\"}}").getBytes(StandardCharsets.UTF_8);

    private HttpServer server;
    private ExecutorService serverPool;
    private HttpClient bare;
    private HttpTransport transport;
    private URI uri;
    private TaskRequest request;

    /** Starts the loopback service, the bare client and the transport. */
    @Setup
    public void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        serverPool = Executors.newFixedThreadPool(2);
        server.setExecutor(serverPool);
        server.createContext("/orders", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, ANSWER.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(ANSWER);
            }
        });
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/orders");
        bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        transport = HttpTransport.builder().service("orders", uri).build();
        request = new TaskRequest("bench", "task1", "orders", "bench/task1", 1, Map.of("orderId", "ORD456"), null,
                "corr");
    }

    /** Stops the service. */
    @TearDown
    public void tearDown() {
        transport.close();
        server.stop(0);
        serverPool.shutdownNow();
    }

    /** @return the answer through the HTTP transport, parsed */
    @Benchmark
    public Object httpTransport() {
        return transport.dispatch(request).toCompletableFuture().join();
    }

    /** @return the answer through a bare asynchronous JDK client POST (the transport's own path), unparsed */
    @Benchmark
    public byte[] bareJdkClientAsync() {
        HttpRequest r = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Idempotency-Key", "bench/task1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(BARE_BODY)).build();
        return bare.sendAsync(r, HttpResponse.BodyHandlers.ofByteArray()).join().body();
    }

    /** @return the answer through a bare JDK client POST, unparsed */
    @Benchmark
    public byte[] bareJdkClient() throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Idempotency-Key", "bench/task1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(BARE_BODY)).build();
        return bare.send(r, HttpResponse.BodyHandlers.ofByteArray()).body();
    }
}
