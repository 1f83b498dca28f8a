package dev.baton.transport.http;

import com.sun.net.httpserver.HttpServer;
import dev.baton.time.ManualTime;
import dev.baton.transport.HealthSource;
import dev.baton.transport.tck.HealthSourceContractTest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The health source kit run on {@link HttpTransport} with health checks on, against a real HTTP service on loopback
 * whose {@code GET /health} answers 200 or 503 as the kit says. The heartbeat timeout is far beyond the time the kit
 * advances, so that a check still on the wire when the kit moves the clock is never taken for a missed heartbeat.
 */
class HttpTransportHealthContractTest extends HealthSourceContractTest {

    private HttpServer server;
    private ExecutorService pool;
    private HttpTransport transport;

    @Override
    protected HealthSource start(String service, ManualTime time, BooleanSupplier healthy) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        pool = Executors.newCachedThreadPool();
        server.setExecutor(pool);
        server.createContext("/health", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(healthy.getAsBoolean() ? 200 : 503, -1);
            }
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/svc/");
        transport = HttpTransport.builder().service(service, url).clock(time)
                .healthChecks(time, checkInterval(), Duration.ofDays(1)).build();
        return transport;
    }

    @Override
    protected Duration checkInterval() {
        return Duration.ofSeconds(10);
    }

    @Override
    protected void stop() {
        transport.close();
        server.stop(0);
        pool.shutdownNow();
    }
}
