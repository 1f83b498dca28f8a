package dev.baton.transport.http;

import dev.baton.transport.HealthListener;
import dev.baton.transport.HealthSource;
import dev.baton.transport.ServiceHealth;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.BatonException;
import dev.baton.NonRetryableException;
import dev.baton.RetryableException;
import dev.baton.time.Scheduler;
import dev.baton.transport.TaskRequest;
import dev.baton.transport.TaskTransport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Calls remote services over HTTP with the JDK client.
 *
 * <h2>Wire format</h2>
 * Each attempt is a {@code POST} to the service's URL with a JSON body, exactly
 * <pre>{@code {"runId": "...", "taskId": "...", "executionId": "...", "attempt": 1, "service": "...", "input": {...}}}</pre>
 * and these headers:
 * <ul>
 *   <li>{@value #IDEMPOTENCY_KEY}: the execution id (the same on every attempt: services dedupe on it);</li>
 *   <li>{@value #ATTEMPT}: the 1-based attempt number;</li>
 *   <li>{@value #CORRELATION_ID}: the run's correlation id, when it has one, percent-encoded (see
 *       {@link #encodeCorrelationId(String)}): plain visible-ASCII ids without {@code %} are sent unchanged;</li>
 *   <li>{@code Authorization: Bearer <token>} when the service has a credential: the token is read from the named
 *       environment variable at call time, never stored by the transport, and never put in any message. It is sent
 *       exactly as read: one holding anything but visible ASCII (a trailing newline from a file, say) fails with
 *       {@link HttpTransportException#CREDENTIAL_INVALID} naming the variable, and nothing is sent.</li>
 * </ul>
 * A 2xx response's JSON body is the task's output (an empty body is {@code null}; a decimal is a {@code Double} where
 * that is exact, else a {@code BigDecimal}). Failures complete the stage with
 * the core's {@link RetryableException} (carrying {@code Retry-After}) or {@link NonRetryableException}, whose cause is
 * an {@link HttpTransportException} with the HTTP code, status and service (see {@link #details(Throwable)}):
 * 408, 429 and 5xx are retryable and carry {@code Retry-After} (seconds or HTTP date);
 * other statuses are not retryable; connection errors and timeouts are retryable; a request the JDK client refuses to
 * build fails with {@link HttpTransportException#INVALID_REQUEST}, its header values masked; a response body over
 * {@code maxResponseBytes} fails while streaming, without reading the rest. Text from an error body is truncated and
 * the credential is redacted from it. Cancelling the returned stage's future aborts the HTTP exchange.
 *
 * <h2>Health</h2>
 * With {@link Builder#healthChecks}, each service with a configured URL is probed with {@code GET} on its
 * {@code healthPath} (default {@code /health}, resolved against the service URL); a 2xx is healthy. The transport is a
 * {@link HealthSource}; without health checks every service is {@link ServiceHealth#UNKNOWN}.
 *
 * <p>Thread-safe. Build with {@link #builder()}.
 */
public final class HttpTransport implements TaskTransport, HealthSource {

    /** Header carrying the execution id. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Header carrying the 1-based attempt number. */
    public static final String ATTEMPT = "Baton-Attempt";
    /** Header carrying the run's correlation id, encoded by {@link #encodeCorrelationId(String)}. */
    public static final String CORRELATION_ID = "Baton-Correlation-Id";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** How much of an error body is kept for the message. */
    static final int ERROR_SNIPPET_BYTES = 512;

    // a body with something after its JSON value (a second value, an HTML trailer) is not JSON, not that first value
    // and decimals read exactly (a Double only where it is exact)
    // No key is kept: Jackson's factory would otherwise hold every distinct key its parsers met, in a table shared
    // by every later body (thousands of keys of up to 50,000 characters, hundreds of MB from hostile peers).
    static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .disable(com.fasterxml.jackson.core.JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build())
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .registerModule(ExactDecimals.MODULE);

    private final Map<String, URI> urls;
    private final Function<String, URI> resolver;
    private final Map<String, String> credentialEnv;
    private final Function<String, String> env;
    private final Duration requestTimeout;
    private final long maxResponseBytes;
    private final Clock clock;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HttpTransport.class);

    private final HttpClient client;
    private final HealthMonitor monitor;

    private HttpTransport(Builder b) {
        this.urls = Map.copyOf(b.urls);
        this.resolver = b.resolver;
        this.credentialEnv = Map.copyOf(b.credentialEnv);
        this.env = b.env;
        this.requestTimeout = b.requestTimeout;
        this.maxResponseBytes = b.maxResponseBytes;
        this.clock = b.clock;
        HttpClient.Builder cb = HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1);
        if (b.executor != null) {
            cb.executor(b.executor);
        }
        this.client = cb.build();
        if (b.healthScheduler != null) {
            String path = b.healthPath;
            this.monitor = HealthMonitor.builder()
                    .services(urls.keySet())
                    .scheduler(b.healthScheduler)
                    .clock(clock)
                    .interval(b.healthInterval)
                    .heartbeatTimeout(b.heartbeatTimeout)
                    .unhealthyAfter(b.unhealthyAfter)
                    .probe(service -> probe(urls.get(service).resolve(path), b.heartbeatTimeout))
                    .build();
            monitor.start();
        } else {
            this.monitor = null;
        }
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletionStage<Object> dispatch(TaskRequest request) {
        String service = request.service();
        URI url = endpoint(service);
        if (url == null) {
            return CompletableFuture.failedFuture(surface(new HttpTransportException(HttpTransportException.NO_ENDPOINT,
                    service, "no URL is configured for service '" + service + "'", false, null, 0, null)));
        }
        String secret = null;
        String envName = credentialEnv.get(service);
        if (envName != null) {
            secret = env.apply(envName);
            if (secret == null || secret.isBlank()) {
                return CompletableFuture.failedFuture(surface(new HttpTransportException(
                        HttpTransportException.CREDENTIAL_MISSING, service, "the environment variable '" + envName
                        + "' holding the credential of service '" + service + "' is not set", false, null, 0, null)));
            }
            String unfit = unfitCredential(secret);
            if (unfit != null) {
                return CompletableFuture.failedFuture(surface(new HttpTransportException(
                        HttpTransportException.CREDENTIAL_INVALID, service, "the environment variable '" + envName
                        + "' holding the credential of service '" + service + "' " + unfit + "; a bearer token is "
                        + "visible ASCII only, so nothing was sent", false, null, 0, null)));
            }
        }
        Duration timeout = requestTimeout;
        if (request.deadline() != null) {
            Duration left = Duration.between(clock.instant(), request.deadline());
            if (left.isNegative() || left.isZero()) {
                return CompletableFuture.failedFuture(surface(new HttpTransportException(HttpTransportException.TIMEOUT,
                        service, "the attempt's deadline has passed before the call", true, null, 0, null)));
            }
            if (left.compareTo(timeout) < 0) {
                timeout = left;
            }
        }
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(wireBody(request));
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(surface(new HttpTransportException(HttpTransportException.REJECTED,
                    service, "the task input cannot be written as JSON", false, null, 0, null)));
        }
        HttpRequest built;
        try {
            HttpRequest.Builder rb = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .header(IDEMPOTENCY_KEY, request.executionId())
                    .header(ATTEMPT, Integer.toString(request.attempt()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (request.correlationId() != null) {
                rb.header(CORRELATION_ID, encodeCorrelationId(request.correlationId()));
            }
            if (secret != null) {
                rb.header("Authorization", "Bearer " + secret);
            }
            built = rb.build();
        } catch (RuntimeException e) {
            // the client's message quotes the value it refused ("invalid header value: ..."): mask every value this
            // request carries in a header, and keep the exception itself out of the cause chain
            String detail = Redactor.redact(e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), headerValues(request, secret));
            return CompletableFuture.failedFuture(surface(new HttpTransportException(
                    HttpTransportException.INVALID_REQUEST, service, "the request to service '" + service
                    + "' cannot be built (" + detail + ")", false, null, 0, null)));
        }
        CompletableFuture<Object> out = new CompletableFuture<>();
        CompletableFuture<HttpResponse<byte[]>> call;
        try {
            call = client.sendAsync(built, LimitedBody.handler(maxResponseBytes, ERROR_SNIPPET_BYTES));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(surface(failure(service, e, secret)));
        }
        final String token = secret;
        LimitedBody.within(call, timeout).whenComplete((response, error) -> {
            if (error != null) {
                out.completeExceptionally(surface(failure(service, error, token)));
            } else {
                complete(out, service, response, token);
            }
        });
        out.whenComplete((v, e) -> {
            if (out.isCancelled()) {
                call.cancel(true);
            }
        });
        return out;
    }

    /**
     * Why a credential cannot be sent as {@code Bearer <token>}, or {@code null} when it can. Only visible ASCII is
     * accepted: the JDK refuses control characters in a header with a message quoting the whole value, and
     * whitespace at either end (a trailing newline read from a file, typically) would be dropped or break the header.
     * The token is refused, not trimmed, so that what is sent is exactly what is configured; the reason names the
     * kind and place of the character, never the token.
     */
    static String unfitCredential(String secret) {
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c >= 0x21 && c <= 0x7e) {
                continue;
            }
            boolean last = i == secret.length() - 1;
            String where = last ? "at its end" : i == 0 ? "at its start" : "at index " + i;
            if (c == '\n' || c == '\r') {
                return "holds a line break " + where + (last ? " (a trailing newline?)" : "");
            }
            if (c == ' ' || c == '\t') {
                return "holds whitespace " + where;
            }
            return "holds " + (c < 0x20 || c == 0x7f ? "a control character " : "a non-ASCII character ") + where;
        }
        return null;
    }

    /** The values of the headers that come from the request or the environment, longest first. */
    private static List<String> headerValues(TaskRequest request, String secret) {
        List<String> values = new ArrayList<>();
        values.add(request.executionId());
        if (request.correlationId() != null) {
            values.add(request.correlationId());
            values.add(encodeCorrelationId(request.correlationId()));
        }
        if (secret != null) {
            values.add(secret);
        }
        // a value inside a longer one must not be masked first, leaving the rest of the longer one readable
        values.sort(Comparator.comparingInt(String::length).reversed());
        return values;
    }

    /**
     * The {@value #CORRELATION_ID} header value of a correlation id. A run accepts any id of 1 to 256 characters, but a
     * header carries only visible ASCII reliably (the JDK client refuses control and non-Latin-1 characters, and
     * receivers drop spaces at either end), so the id's UTF-8 bytes outside visible ASCII ({@code 0x21..0x7E}), and
     * {@code %} itself, are sent as {@code %XX} (upper-case hex): {@code 注文-42} is {@code %E6%B3%A8%E6%96%87-42},
     * {@code 100% a} is {@code 100%25%20a}, and an id of visible ASCII without {@code %} is sent unchanged. Plain
     * percent-decoding as UTF-8 ({@link #decodeCorrelationId(String)}) gives the id back; {@code +} stays {@code +}.
     *
     * @param correlationId the run's correlation id
     * @return the header value: visible ASCII only
     */
    public static String encodeCorrelationId(String correlationId) {
        Objects.requireNonNull(correlationId, "correlationId");
        byte[] utf8 = correlationId.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length);
        for (byte b : utf8) {
            int c = b & 0xff;
            if (c >= 0x21 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /**
     * The correlation id a {@value #CORRELATION_ID} header value carries: the inverse of
     * {@link #encodeCorrelationId(String)}, for services written in Java. A {@code %} not followed by two hex digits
     * (from a sender that does not encode) is kept as it is; bytes that are not UTF-8 read as U+FFFD.
     *
     * @param headerValue the header's value
     * @return the correlation id
     */
    public static String decodeCorrelationId(String headerValue) {
        Objects.requireNonNull(headerValue, "headerValue");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(headerValue.length());
        int plain = 0;  // start of the run of characters copied as they are
        for (int i = 0; i < headerValue.length(); i++) {
            int hi = headerValue.charAt(i) == '%' && i + 2 < headerValue.length() ? hex(headerValue.charAt(i + 1)) : -1;
            int lo = hi < 0 ? -1 : hex(headerValue.charAt(i + 2));
            if (lo >= 0) {
                // a run, not char by char, so that a surrogate pair from a sender that does not encode stays whole
                bytes.writeBytes(headerValue.substring(plain, i).getBytes(StandardCharsets.UTF_8));
                bytes.write(hi << 4 | lo);
                i += 2;
                plain = i + 1;
            }
        }
        bytes.writeBytes(headerValue.substring(plain).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would take other scripts' digits too). */
    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : -1;
    }

    /** The body sent for a request: exactly the six wire fields, in this order. */
    static Map<String, Object> wireBody(TaskRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.runId());
        m.put("taskId", r.taskId());
        m.put("executionId", r.executionId());
        m.put("attempt", r.attempt());
        m.put("service", r.service());
        m.put("input", r.input());
        return m;
    }

    private void complete(CompletableFuture<Object> out, String service, HttpResponse<byte[]> response,
                          String secret) {
        int status = response.statusCode();
        byte[] bytes = response.body();
        if (status / 100 == 2) {
            if (bytes.length == 0) {
                out.complete(null);
                return;
            }
            try {
                out.complete(JSON.readValue(bytes, Object.class));
            } catch (IOException e) {
                out.completeExceptionally(surface(new HttpTransportException(HttpTransportException.INVALID_RESPONSE,
                        service, "service '" + service + "' answered " + status + " with a body that is not JSON",
                        false, null, status, null)));
            }
            return;
        }
        boolean cut = bytes.length >= ERROR_SNIPPET_BYTES;
        String text = new String(bytes, StandardCharsets.UTF_8);
        String snippet = cut ? Redactor.redactCut(text, secret) : Redactor.redact(text, secret);
        if (snippet.length() > 0 && cut) {
            snippet = snippet + "...";
        }
        boolean retryable = status == 408 || status == 429 || status / 100 == 5;
        Duration retryAfter = retryable
                ? RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock).orElse(null)
                : null;
        String message = "service '" + service + "' answered " + status
                + (retryAfter != null ? " (retry after " + retryAfter + ")" : "")
                + (snippet.isBlank() ? "" : ": " + snippet);
        out.completeExceptionally(surface(new HttpTransportException(
                retryable ? HttpTransportException.UNAVAILABLE : HttpTransportException.REJECTED,
                service, message, retryable, retryAfter, status, null)));
    }

    /**
     * What the engine sees: {@link RetryableException} (with the service's {@code Retry-After}) or
     * {@link NonRetryableException}, with the same secret-free message prefixed by the HTTP code, and the
     * {@link HttpTransportException} (code, status, service) as the cause.
     */
    static BatonException surface(HttpTransportException e) {
        String message = "[" + e.code() + "] " + e.getMessage();
        return e.retryable()
                ? new RetryableException(message, e.retryAfter().orElse(null), e)
                : new NonRetryableException(message, e);
    }

    /**
     * Finds the HTTP details of a failure this transport produced.
     *
     * @param failure what a dispatched stage completed with (possibly wrapped in a {@code CompletionException})
     * @return the {@link HttpTransportException} in its cause chain, if any
     */
    public static Optional<HttpTransportException> details(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpTransportException h) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    private HttpTransportException failure(String service, Throwable error, String secret) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HttpTransportException h) {
            return h;
        }
        if ((t instanceof RetryableException || t instanceof NonRetryableException)
                && t.getCause() instanceof HttpTransportException h) {
            return h;
        }
        if (t instanceof LimitedBody.TooLarge tl) {
            return new HttpTransportException(HttpTransportException.RESPONSE_TOO_LARGE, service,
                    "the response of service '" + service + "' exceeds " + tl.limit + " bytes", false, null, 0, null);
        }
        String detail = Redactor.redact(t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage()), secret);
        if (t instanceof HttpConnectTimeoutException) {
            return new HttpTransportException(HttpTransportException.CONNECT_FAILED, service,
                    "could not connect to service '" + service + "' in time (" + detail + ")", true, null, 0, null);
        }
        if (t instanceof HttpTimeoutException) {
            return new HttpTransportException(HttpTransportException.TIMEOUT, service,
                    "service '" + service + "' did not answer in time (" + detail + ")", true, null, 0, null);
        }
        if (t instanceof ConnectException || t instanceof IOException) {
            return new HttpTransportException(HttpTransportException.CONNECT_FAILED, service,
                    "the call to service '" + service + "' failed (" + detail + ")", true, null, 0, null);
        }
        return new HttpTransportException(HttpTransportException.CONNECT_FAILED, service,
                "the call to service '" + service + "' failed (" + detail + ")", true, null, 0, null);
    }

    private URI endpoint(String service) {
        URI u = urls.get(service);
        if (u == null && resolver != null) {
            u = resolver.apply(service);
        }
        return u;
    }

    private CompletionStage<Boolean> probe(URI uri, Duration timeout) {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        // only the status counts: the body (an actuator's details, say) is cut short whatever its size, never failed
        return LimitedBody.within(client.sendAsync(req, LimitedBody.truncating(ERROR_SNIPPET_BYTES)), timeout)
                .thenApply(r -> r.statusCode() / 100 == 2);
    }

    @Override
    public ServiceHealth health(String service) {
        return monitor == null ? ServiceHealth.UNKNOWN : monitor.health(service);
    }

    @Override
    public Subscription subscribe(HealthListener listener) {
        Objects.requireNonNull(listener, "listener");
        return monitor == null ? () -> { } : monitor.subscribe(listener);
    }

    /** @return the health monitor, when health checks are on */
    public Optional<HealthMonitor> healthMonitor() {
        return Optional.ofNullable(monitor);
    }

    /**
     * Stops the health checks and, on a JDK whose {@code HttpClient} can be shut down (21 and later), shuts the client
     * down at once, so that its selector and worker threads end now: exchanges still going on fail. On Java 17 the
     * client's threads and connections end when it is collected.
     */
    @Override
    public void close() {
        if (monitor != null) {
            monitor.close();
        }
        shutdownNow(client);
    }

    /** {@code HttpClient.shutdownNow()} where the running JDK has it (the code is compiled for Java 17). */
    static void shutdownNow(HttpClient client) {
        java.lang.reflect.Method m;
        try {
            m = HttpClient.class.getMethod("shutdownNow");
        } catch (NoSuchMethodException e) {
            return; // Java 17: the client's threads end when it is collected
        }
        try {
            m.invoke(client);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("shutting the HTTP client down failed: {}", e.toString());
        }
    }

    /** Names the services and the names of credential variables; never a credential. */
    @Override
    public String toString() {
        return "HttpTransport[services=" + new java.util.TreeMap<>(urls) + ", credentialEnv="
                + new java.util.TreeMap<>(credentialEnv) + ", requestTimeout=" + requestTimeout
                + ", maxResponseBytes=" + maxResponseBytes + ", health=" + (monitor != null) + "]";
    }

    /**
     * Builds an {@link HttpTransport}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private final Map<String, URI> urls = new LinkedHashMap<>();
        private Function<String, URI> resolver;
        private final Map<String, String> credentialEnv = new LinkedHashMap<>();
        private Function<String, String> env = System::getenv;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private long maxResponseBytes = 4L * 1024 * 1024;
        private Clock clock = Clock.systemUTC();
        private Executor executor;
        private Scheduler healthScheduler;
        private Duration healthInterval = Duration.ofSeconds(10);
        private Duration heartbeatTimeout = Duration.ofSeconds(2);
        private int unhealthyAfter = 1;
        private String healthPath = "/health";

        private Builder() {
        }

        /**
         * @param service the service name
         * @param url     where its attempts are POSTed; http or https
         * @return this builder
         */
        public Builder service(String service, URI url) {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("url of service '" + service + "' must be http or https, was "
                        + url);
            }
            urls.put(service, url);
            return this;
        }

        /**
         * @param resolver gives the URL of a service not configured with {@link #service}, or {@code null} if it
         *                 has none; called on every attempt, so it may follow a registry
         * @return this builder
         */
        public Builder resolver(Function<String, URI> resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * @param service the service name
         * @param envVar  the NAME of the environment variable holding its bearer token (read at call time)
         * @return this builder
         */
        public Builder credentialEnv(String service, String envVar) {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(envVar, "envVar");
            if (envVar.isBlank()) {
                throw new IllegalArgumentException("envVar of service '" + service + "' must not be blank");
            }
            credentialEnv.put(service, envVar);
            return this;
        }

        /**
         * @param env looks up an environment variable by name; default {@link System#getenv(String)}
         * @return this builder
         */
        public Builder env(Function<String, String> env) {
            this.env = Objects.requireNonNull(env, "env");
            return this;
        }

        /**
         * @param timeout how long to wait for a connection; positive; default 5 s
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = HealthMonitor.Builder.positive("connectTimeout", timeout);
            return this;
        }

        /**
         * @param timeout how long to wait for the whole response, body included (capped by the attempt's deadline);
         *                positive; default 30 s
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = HealthMonitor.Builder.positive("requestTimeout", timeout);
            return this;
        }

        /**
         * @param bytes the largest response body accepted; positive; default 4 MiB
         * @return this builder
         */
        public Builder maxResponseBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxResponseBytes must be positive, was " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /**
         * @param clock reads deadlines and HTTP-date {@code Retry-After}; default the system UTC clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param executor runs the HTTP client's asynchronous work; default the JDK client's own executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Turns health checks on for every service configured with {@link #service}.
         *
         * @param scheduler        runs the probes ({@code ManualTime} in tests)
         * @param interval         time between probes; positive
         * @param heartbeatTimeout how long a probe may take; positive
         * @return this builder
         */
        public Builder healthChecks(Scheduler scheduler, Duration interval, Duration heartbeatTimeout) {
            this.healthScheduler = Objects.requireNonNull(scheduler, "scheduler");
            this.healthInterval = HealthMonitor.Builder.positive("interval", interval);
            this.heartbeatTimeout = HealthMonitor.Builder.positive("heartbeatTimeout", heartbeatTimeout);
            return this;
        }

        /**
         * @param failures failed probes in a row that make a service unhealthy; at least 1; default 1
         * @return this builder
         */
        public Builder unhealthyAfter(int failures) {
            if (failures < 1) {
                throw new IllegalArgumentException("unhealthyAfter must be >= 1, was " + failures);
            }
            this.unhealthyAfter = failures;
            return this;
        }

        /**
         * @param path the probe path, resolved against each service URL; default {@code /health}
         * @return this builder
         */
        public Builder healthPath(String path) {
            Objects.requireNonNull(path, "path");
            URI.create(path);
            this.healthPath = path;
            return this;
        }

        /** @return the transport; health checks, if on, start now */
        public HttpTransport build() {
            if (urls.isEmpty() && resolver == null) {
                throw new IllegalStateException("configure at least one service URL or a resolver");
            }
            return new HttpTransport(this);
        }
    }
}
