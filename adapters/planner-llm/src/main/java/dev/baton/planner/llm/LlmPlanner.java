package dev.baton.planner.llm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.json.PlanJson;
import dev.baton.json.PlanParseException;
import dev.baton.plan.JsonValues;
import dev.baton.plan.Plan;
import dev.baton.planner.PlanProblem;
import dev.baton.planner.Planner;
import dev.baton.planner.PlannerException;
import dev.baton.planner.PlanningRequest;
import dev.baton.validation.ValidationError;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * A {@link Planner} that asks a language model behind any OpenAI-compatible chat-completions endpoint
 * ({@code POST {baseUrl}/chat/completions}) for a plan in Baton's JSON format.
 *
 * <pre>{@code
 * Planner planner = LlmPlanner.builder()
 *     .baseUrl(URI.create("https://api.openai.com/v1"))
 *     .model("gpt-4o-mini")
 *     .apiKeyFromEnv("OPENAI_API_KEY")
 *     .requestTimeout(Duration.ofSeconds(60))
 *     .build();
 * }</pre>
 *
 * <p>The prompt holds the catalog (names, descriptions, versions, input and output schemas), the action and the
 * previous attempt's errors. The reply's JSON object is found robustly (in a code fence or among prose) and read with
 * {@link PlanJson}; nothing in a reply is executed. A reply without JSON, or with JSON that is not a plan, fails with a
 * {@link PlannerException} carrying problems to feed back ({@code NO_PLAN_IN_REPLY}, {@code UNREADABLE_PLAN}); an
 * endpoint that does not answer in time fails with {@code PLANNER_TIMEOUT}, one that keeps failing with
 * {@code PLANNER_UNAVAILABLE}. Responses 429 and 5xx are retried, honouring {@code Retry-After}.
 *
 * <p>The API key is sent only in the {@code Authorization} header: it is never logged, never part of
 * {@link #toString()}, of an exception message or of anything the orchestrator records.
 *
 * <p>Immutable and thread-safe.
 */
public final class LlmPlanner implements Planner {

    /** The default request timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** How much of an error body is quoted in an exception message. */
    private static final int BODY_QUOTE = 300;
    /** How many JSON objects of one reply are tried as the plan. */
    private static final int MAX_CANDIDATES = 8;
    /**
     * Room for the levels the prompt puts above a value it quotes (at most five: the user message, the revision, its
     * current plan, the tasks array and a task, above a task's input).
     * The values themselves nest up to {@link JsonValues#MAX_DEPTH}, the same as Jackson's default write limit, so
     * without this room a request whose action, schemas or outputs nest that deep could not be written.
     */
    static final int PROMPT_LEVELS = 8;

    private final URI endpoint;
    private final URI baseUrl;
    private final String model;
    private final String apiKey;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxRetryDelay;
    private final Sleeper sleeper;
    private final Clock clock;
    private final HttpClient http;
    private final PlanJson planJson;
    /** The largest reply body read: room for a plan of the size limit, escaped in a chat completion. */
    private final int maxReplyBytes;
    final ObjectMapper mapper;

    private LlmPlanner(Builder b, String apiKey) {
        this.baseUrl = b.baseUrl;
        String base = b.baseUrl.toString();
        this.endpoint = URI.create(base.endsWith("/") ? base + "chat/completions" : base + "/chat/completions");
        this.model = b.model;
        this.apiKey = apiKey;
        this.requestTimeout = b.requestTimeout;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxRetryDelay = b.maxRetryDelay;
        this.sleeper = b.sleeper;
        this.clock = b.clock;
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.requestTimeout).build();
        this.planJson = b.planJson;
        this.maxReplyBytes = replyLimit(planJson.limits().maxPlanBytes());
        // the reply's content is one JSON string: as long as the body may be, not Jackson's default 20 M chars
        this.mapper = new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxReplyBytes).build())
                .streamWriteConstraints(StreamWriteConstraints.builder()
                        .maxNestingDepth(JsonValues.MAX_DEPTH + PROMPT_LEVELS).build())
                // no key kept: the factory would hold every distinct key the endpoint's replies ever held
                .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                .build())
                .disable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    }

    /**
     * The largest reply body read for a plan size limit: twice the limit (a plan escaped in a JSON string) plus 1 MiB,
     * at most what one array holds. Saturates: a limit near {@code Long.MAX_VALUE} would otherwise overflow to a
     * small or negative bound.
     *
     * @param maxPlanBytes the plan size limit, positive
     * @return the reply bound in bytes
     */
    static int replyLimit(long maxPlanBytes) {
        long cap = Integer.MAX_VALUE - 8L;
        long room = cap - (1 << 20);
        return (int) (maxPlanBytes > room / 2 ? cap : 2 * maxPlanBytes + (1 << 20));
    }

    /** @return the largest reply body read, in bytes */
    int maxReplyBytes() {
        return maxReplyBytes;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "llm:" + model;
    }

    /**
     * @throws PlannerException {@code NO_PLAN_IN_REPLY} or {@code UNREADABLE_PLAN} (with problems to feed back),
     *                          {@code PLANNER_TIMEOUT} or {@code PLANNER_UNAVAILABLE}
     */
    @Override
    public Plan plan(PlanningRequest request) {
        Objects.requireNonNull(request, "request");
        String body = requestBody(request);
        return readPlan(content(call(body)));
    }

    /**
     * Reads the plan out of a model's reply text.
     *
     * @param reply the message content
     * @return the plan (not yet validated)
     * @throws PlannerException {@code NO_PLAN_IN_REPLY} or {@code UNREADABLE_PLAN}, with problems to feed back
     */
    Plan readPlan(String reply) {
        return readPlan(reply, planJson::read);
    }

    /**
     * {@link #readPlan(String)} with the given reader of one candidate.
     *
     * @param reply  the message content
     * @param reader reads one candidate; a {@link PlanParseException} or any other runtime exception makes it
     *               unreadable
     * @return the first candidate that reads
     * @throws PlannerException {@code NO_PLAN_IN_REPLY} or {@code UNREADABLE_PLAN}, with problems to feed back
     */
    Plan readPlan(String reply, Function<String, Plan> reader) {
        List<String> candidates = JsonExtraction.candidates(reply, MAX_CANDIDATES);
        if (candidates.isEmpty()) {
            throw new PlannerException(PlannerException.NO_PLAN_IN_REPLY, "the model's reply held no JSON object",
                    List.of(new PlanProblem(PlannerException.NO_PLAN_IN_REPLY, null, "",
                            "your reply held no JSON object; answer with exactly one plan JSON object")), null);
        }
        // an example or a note before the plan must not hide it; when none reads, the first one's problems are fed back
        RuntimeException first = null;
        for (String json : candidates) {
            try {
                return reader.apply(json);
            } catch (RuntimeException e) {
                // the Planner contract allows only PlannerException out: a reader that fails in any other way (a
                // defect of its own) still leaves this candidate unreadable, and its message is not quoted, as it
                // may hold any amount of the reply
                if (first == null) {
                    first = e;
                }
            }
        }
        List<PlanProblem> problems = new ArrayList<>();
        String detail = "";
        if (first instanceof PlanParseException ppe) {
            for (ValidationError v : ppe.errors()) {
                problems.add(new PlanProblem(v.code().name(), v.taskId(), v.path(), v.message()));
            }
        } else {
            problems.add(new PlanProblem(PlannerException.UNREADABLE_PLAN, null, "",
                    "your plan could not be read; answer with exactly one plan JSON object in the format given"));
            detail = " (reading it failed with " + first.getClass().getName() + ")";
        }
        throw new PlannerException(PlannerException.UNREADABLE_PLAN,
                "the model's reply is not a readable plan: " + problems.size() + " problem(s)" + detail, problems, first);
    }

    String requestBody(PlanningRequest request) {
        return requestBody(request, model, mapper);
    }

    /**
     * The chat-completion request for a planning request.
     *
     * @param request the planning request
     * @param model   the model name
     * @param mapper  writes the JSON
     * @return the request body
     * @throws PlannerException {@code PLANNER_UNAVAILABLE} if it cannot be written as JSON, with a short reason
     */
    static String requestBody(PlanningRequest request, String model, ObjectMapper mapper) {
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("model", model);
            body.put("temperature", 0);
            body.put("messages", Prompts.messages(request, mapper));
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            // the full message carries the path through every level of the value: tens of thousands of characters
            throw new PlannerException(PlannerException.PLANNER_UNAVAILABLE,
                    "the planning request cannot be written as JSON: " + shortReason(e.getOriginalMessage()),
                    List.of(), null);
        }
    }

    /** A writer's message cut to its first line, without Jackson's API names, and to at most {@link #BODY_QUOTE}. */
    static String shortReason(String message) {
        String m = message == null ? "unknown reason" : message.strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        int api = m.indexOf(", from `");
        m = api < 0 ? m : m.substring(0, api) + ")";
        return m.length() > BODY_QUOTE ? m.substring(0, BODY_QUOTE) + "..." : m;
    }

    private String call(String body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(requestTimeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (apiKey != null) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest req = rb.build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = send(req);
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return response.body();
            }
            boolean retryable = status == 429 || status >= 500;
            if (!retryable || attempt > maxRetries) {
                throw new PlannerException(PlannerException.PLANNER_UNAVAILABLE, "the endpoint " + endpoint
                        + " answered HTTP " + status + (retryable ? " after " + attempt + " attempts" : "")
                        + (apiKey == null && (status == 401 || status == 403) ? " (no API key is configured)" : "")
                        + ": " + quote(response.body()), List.of(), null);
            }
            int exponent = attemptIndex(attempt);
            Duration delay = retryAfter(response).orElseGet(() -> backoff(exponent));
            try {
                sleeper.sleep(delay.compareTo(maxRetryDelay) > 0 ? maxRetryDelay : delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PlannerException(PlannerException.PLANNER_UNAVAILABLE, "interrupted while waiting to retry",
                        List.of(), null);
            }
        }
    }

    /**
     * One exchange, bounded as a whole by the request timeout (the client's own timeout stops at the response
     * headers, so a body that trickles or never ends would hold the caller forever) and in size.
     */
    private HttpResponse<String> send(HttpRequest req) {
        CompletableFuture<HttpResponse<String>> f = http.sendAsync(req, info -> new LimitedBody(maxReplyBytes));
        try {
            return f.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw timeout();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new PlannerException(PlannerException.PLANNER_UNAVAILABLE, "interrupted while planning", List.of(), null);
        } catch (ExecutionException e) {
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof HttpTimeoutException) {
                    throw timeout();
                }
                if (t instanceof ReplyTooLarge) {
                    throw new PlannerException(PlannerException.PLANNER_UNAVAILABLE, "the endpoint " + endpoint
                            + " answered with more than " + maxReplyBytes + " bytes", List.of(), null);
                }
            }
            throw new PlannerException(PlannerException.PLANNER_UNAVAILABLE, "could not reach " + endpoint + ": "
                    + describe(e.getCause() != null ? e.getCause() : e, this::redact), List.of(), null);
        }
    }

    private PlannerException timeout() {
        return new PlannerException(PlannerException.PLANNER_TIMEOUT, "no answer from " + endpoint + " within "
                + requestTimeout, List.of(), null);
    }

    /** A reply body longer than the limit. */
    private static final class ReplyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        ReplyTooLarge() {
            super("reply too large");
        }
    }

    /** Collects a body as UTF-8 text, failing instead of filling the memory once it passes the limit. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (bytes.size() + (long) b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new ReplyTooLarge());
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    private static int attemptIndex(int attempt) {
        return Math.min(attempt - 1, 20);
    }

    /**
     * The initial delay doubled {@code exponent} times, at most the longest delay; compared before multiplying, as a
     * delay of years doubled twenty times overflows a Duration.
     */
    Duration backoff(int exponent) {
        long factor = 1L << exponent;
        if (initialBackoff.compareTo(maxRetryDelay.dividedBy(factor)) > 0) {
            return maxRetryDelay;
        }
        return initialBackoff.multipliedBy(factor);
    }

    /** Retry-After as delta-seconds or an HTTP date, judged by the injected clock. */
    Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String v = header.get().trim();
        try {
            long seconds = Long.parseLong(v);
            return Optional.of(Duration.ofSeconds(Math.max(0, seconds)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(clock.instant(), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private String content(String body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new PlannerException(PlannerException.PLANNER_UNAVAILABLE, "the endpoint " + endpoint
                    + " answered with something that is not a chat completion: " + quote(body), List.of(), null);
        }
        JsonNode content = root == null ? null : root.path("choices").path(0).path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw new PlannerException(PlannerException.NO_PLAN_IN_REPLY, "the chat completion held no message content",
                    List.of(new PlanProblem(PlannerException.NO_PLAN_IN_REPLY, null, "",
                            "your reply was empty; answer with exactly one plan JSON object")), null);
        }
        return content.asText();
    }

    private String quote(String body) {
        String b = redact(body == null ? "" : body.strip());
        return b.length() > BODY_QUOTE ? b.substring(0, BODY_QUOTE) + "..." : b;
    }

    /**
     * What went wrong with an exchange that got no reply, in plain words rather than exception names. The JDK client
     * throws a refused connection as a {@code ConnectException} without a message over a
     * {@code ClosedChannelException}, an unknown host as one over an {@code UnresolvedAddressException}, and a
     * connection closed before the reply as "header parser received no bytes"; the types in the cause chain say what
     * happened. The most telling one wins wherever it sits: a reset under a parser failure is a reset. A failure of no
     * known kind is told by the first message in the chain that is not just a cause's class name.
     */
    static String describe(Throwable e) {
        return describe(e, UnaryOperator.identity());
    }

    /**
     * @param clean applied to every message quoted, before it is shortened: a secret it removes is never cut in two
     *              and half left in
     */
    static String describe(Throwable e, UnaryOperator<String> clean) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        if (has(chain, UnknownHostException.class)
                || has(chain, UnresolvedAddressException.class)) {
            return "the host was not found";
        }
        Throwable handshake = first(chain, SSLHandshakeException.class);
        if (handshake != null) {
            return "the TLS handshake failed" + detail(handshake, clean);
        }
        Throwable tls = first(chain, SSLException.class);
        if (tls != null) {
            return "the TLS connection failed" + detail(tls, clean);
        }
        if (has(chain, NoRouteToHostException.class)) {
            return "there is no route to the host";
        }
        Throwable connect = first(chain, ConnectException.class);
        if (connect != null) {
            String m = connect.getMessage();
            return m == null || m.isBlank() || m.strip().equalsIgnoreCase("connection refused")
                    ? "the connection was refused" : "the connection could not be made" + detail(connect, clean);
        }
        for (Throwable t : chain) {
            String m = t.getMessage();
            if (t instanceof SocketException && m != null && m.toLowerCase(Locale.ROOT).contains("reset")) {
                return "the connection was reset before a reply";
            }
        }
        for (Throwable t : chain) {
            String m = t.getMessage();
            if (m != null && m.startsWith("fixed content-length:")) {
                return "the connection was closed before the whole reply came (" + shortReason(clean.apply(m.strip()))
                        + ")";
            }
        }
        for (Throwable t : chain) {
            String m = t.getMessage();
            if (t instanceof ClosedChannelException || t instanceof EOFException
                    || m != null && m.contains("header parser received no bytes")) {
                return "the connection was closed before a reply";
            }
        }
        for (Throwable t : chain) {
            String m = t.getMessage();
            // a wrapper made from its cause alone carries the cause's class name as its message
            boolean wrapper = t.getCause() != null && t.getCause().toString().equals(m);
            if (m != null && !m.isBlank() && !wrapper) {
                return shortReason(clean.apply(m));
            }
        }
        return "the exchange failed without saying why (" + chain.get(chain.size() - 1).getClass().getSimpleName() + ")";
    }

    private static boolean has(List<Throwable> chain, Class<? extends Throwable> type) {
        return first(chain, type) != null;
    }

    private static Throwable first(List<Throwable> chain, Class<? extends Throwable> type) {
        for (Throwable t : chain) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    /** A failure's own message, when it has one, as a short aside. */
    private static String detail(Throwable t, UnaryOperator<String> clean) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? "" : " (" + shortReason(clean.apply(m)) + ")";
    }

    /** Removes the API key from text that might echo it. */
    private String redact(String text) {
        return apiKey == null || apiKey.isEmpty() ? text : text.replace(apiKey, "***");
    }

    @Override
    public String toString() {
        return "LlmPlanner[" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey == null ? "none" : "***")
                + ", timeout=" + requestTimeout + "]";
    }

    /**
     * Builds an {@link LlmPlanner}. Not thread-safe; each setting is checked as it is made.
     */
    public static final class Builder {
        private URI baseUrl;
        private String model;
        private String apiKey;
        private String apiKeyEnv;
        private Function<String, String> environment = System::getenv;
        private Duration requestTimeout = DEFAULT_TIMEOUT;
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxRetryDelay = Duration.ofSeconds(30);
        private Sleeper sleeper = Sleeper.system();
        private Clock clock = Clock.systemUTC();
        private HttpClient http;
        private PlanJson planJson = PlanJson.defaults();

        private Builder() {
        }

        /**
         * @param baseUrl the API's base URL, e.g. {@code https://api.openai.com/v1}; http or https
         * @return this builder
         */
        public Builder baseUrl(URI baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL, was " + baseUrl);
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * @param model the model name the endpoint knows
         * @return this builder
         */
        public Builder model(String model) {
            Objects.requireNonNull(model, "model");
            if (model.isBlank()) {
                throw new IllegalArgumentException("model is blank");
            }
            this.model = model;
            return this;
        }

        /**
         * @param apiKey the API key, sent as a bearer token
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            Objects.requireNonNull(apiKey, "apiKey");
            if (apiKey.isBlank()) {
                throw new IllegalArgumentException("apiKey is blank");
            }
            checkKey(apiKey, "apiKey");
            this.apiKey = apiKey;
            this.apiKeyEnv = null;
            return this;
        }

        /**
         * Reads the API key from an environment variable when {@link #build()} runs.
         *
         * @param variable the variable's name, e.g. {@code OPENAI_API_KEY}
         * @return this builder
         */
        public Builder apiKeyFromEnv(String variable) {
            Objects.requireNonNull(variable, "variable");
            if (variable.isBlank()) {
                throw new IllegalArgumentException("environment variable name is blank");
            }
            this.apiKeyEnv = variable;
            this.apiKey = null;
            return this;
        }

        /**
         * @param environment looks environment variables up (default: the process environment); for tests
         * @return this builder
         */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * @param timeout how long one HTTP request may take (default 60 s); positive
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, was " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * @param retries how many times a 429 or 5xx answer is retried (default 3); 0 or more
         * @return this builder
         */
        public Builder maxRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, was " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /**
         * @param initial the first retry delay when the endpoint gives no {@code Retry-After} (default 1 s), doubled
         *                on each further retry
         * @param max     the longest wait before a retry, {@code Retry-After} included (default 30 s)
         * @return this builder
         */
        public Builder retryDelays(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("retry delays must satisfy 0 <= initial <= max, were " + initial
                        + " and " + max);
            }
            this.initialBackoff = initial;
            this.maxRetryDelay = max;
            return this;
        }

        /**
         * @param sleeper waits between retries (default: parks the thread); tests pass one that records instead
         * @return this builder
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * @param clock judges {@code Retry-After} dates (default: the system UTC clock)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param client the HTTP client to use (default: a new one with the request timeout as connect timeout)
         * @return this builder
         */
        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /**
         * @param planJson reads the plan out of the reply, with its limits (default {@link PlanJson#defaults()}); a
         *                 reply body is read up to twice its plan size limit plus 1 MiB, at most 2 GiB, and a longer
         *                 one is {@code PLANNER_UNAVAILABLE}
         * @return this builder
         */
        public Builder planJson(PlanJson planJson) {
            this.planJson = Objects.requireNonNull(planJson, "planJson");
            return this;
        }

        /**
         * @return the planner
         * @throws IllegalStateException    if the base URL or model is missing, or the named environment variable is
         *                                  not set
         * @throws IllegalArgumentException if the variable's key holds a control character
         */
        public LlmPlanner build() {
            if (baseUrl == null) {
                throw new IllegalStateException("baseUrl is required");
            }
            if (model == null) {
                throw new IllegalStateException("model is required");
            }
            String key = apiKey;
            if (apiKeyEnv != null) {
                key = environment.apply(apiKeyEnv);
                if (key == null || key.isBlank()) {
                    throw new IllegalStateException("environment variable " + apiKeyEnv + " (the API key) is not set");
                }
                checkKey(key, "environment variable " + apiKeyEnv + " (the API key)");
            }
            return new LlmPlanner(this, key);
        }

        /**
         * A key that cannot be a header value (a trailing newline read from a file) would fail every request with the
         * HTTP client's message, which quotes the whole header, key included; refused here without quoting it.
         */
        private static void checkKey(String key, String what) {
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    throw new IllegalArgumentException(what + " holds a control character at index " + i
                            + " (a trailing newline?); it cannot be sent in a header");
                }
                if (c > 0x7f) { // API keys are ASCII; the HTTP client refuses most others, quoting the header
                    throw new IllegalArgumentException(what + " holds a character outside ASCII at index " + i
                            + "; it cannot be sent in a header");
                }
            }
        }
    }
}
