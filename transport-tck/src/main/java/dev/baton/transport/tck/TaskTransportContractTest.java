package dev.baton.transport.tck;

import dev.baton.NonRetryableException;
import dev.baton.RetryableException;
import dev.baton.transport.TaskRequest;
import dev.baton.transport.TaskTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The contract every {@link TaskTransport} honours, as the engine relies on it. A transport's test extends this class
 * once and stands up the far side: a service, reached through the transport, whose answers each test scripts.
 *
 * <pre>{@code
 * class MyTransportContractTest extends TaskTransportContractTest {
 *     @Override
 *     protected TaskTransport transportTo(String service, ServiceScript script) throws Exception {
 *         // start a service that decodes each call into a ServiceCall, asks script.answer(call),
 *         // and encodes the ServiceAnswer as this protocol says; return a transport that reaches it
 *     }
 *
 *     @Override
 *     protected TaskTransport transportToUnreachable(String service) {
 *         // a transport configured for the service at an address where nothing answers
 *     }
 *
 *     @Override
 *     protected void releaseServices() {
 *         // stop what transportTo started
 *     }
 * }
 * }</pre>
 *
 * <p>What it checks: every field of a request but its deadline reaches the service, with the execution id as the
 * idempotency key; an output comes back as equal plain JSON values; {@code dispatch} returns before the service
 * answers; the service's answers are classified as the engine needs them ({@link RetryableException} with the
 * service's delay, {@link NonRetryableException} with its reason, bounded); an unreachable service and a passed
 * deadline are retryable; a cancelled attempt stays cancelled and leaves the transport usable; concurrent calls never
 * cross, even when answered out of their order; {@code close} may be called twice and no later dispatch hangs. Waits are bounded ({@link #patience()}) and
 * coordinated with latches, never with sleeps; every latch a script waits on is released when its test ends.
 */
public abstract class TaskTransportContractTest {

    /** The service name the tests dispatch to. */
    protected static final String SERVICE = "contract-service";

    /** How long a test waits, by default, for a stage that should complete: long, since only a broken transport takes it. */
    protected static final Duration WAIT = Duration.ofSeconds(30);

    /** The longest failure message the engine keeps; a transport's own messages must fit in it. */
    protected static final int MAX_MESSAGE = 16_384;

    private final List<TaskTransport> transports = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> latches = new CopyOnWriteArrayList<>();

    /**
     * Stands up a service named {@code service} that answers every call with {@code script}, and returns a transport
     * that reaches it. The service serves calls side by side, as a real one does: a call whose script waits does not
     * hold up the next. The kit closes the transport after the test. A transport that is given a clock to read the
     * attempts' deadlines against gets the system clock here: the kit's deadlines are minutes from
     * {@link Instant#now()} (or a minute before it), so a manual clock set elsewhere would take a live request for a
     * late one, or the reverse.
     *
     * @param service the service name requests will carry
     * @param script  what the service does with each call
     * @return a transport whose dispatches for {@code service} reach that service
     * @throws Exception if the service or the transport cannot be set up
     */
    protected abstract TaskTransport transportTo(String service, ServiceScript script) throws Exception;

    /**
     * Returns a transport configured for {@code service} at an address where nothing answers (a closed port, a broker
     * that refuses the connection). The kit closes it after the test.
     *
     * @param service the service name requests will carry
     * @return a transport that cannot reach the service
     * @throws Exception if the transport cannot be set up
     */
    protected abstract TaskTransport transportToUnreachable(String service) throws Exception;

    /**
     * Stops every service {@link #transportTo} started in the test. Called after each test, after its transports are
     * closed and its scripts' latches released.
     *
     * @throws Exception if a service cannot be stopped
     */
    protected abstract void releaseServices() throws Exception;

    /**
     * How long a test waits for a stage that should complete, or for a call to reach the service.
     *
     * @return {@link #WAIT} unless a subclass says otherwise
     */
    protected Duration patience() {
        return WAIT;
    }

    @AfterEach
    final void closeTransportsAndServices() throws Exception {
        latches.forEach(CountDownLatch::countDown);
        try {
            for (TaskTransport t : transports) {
                t.close();
            }
        } finally {
            transports.clear();
            latches.clear();
            releaseServices();
        }
    }

    // ---------------------------------------------------------------------------------------------- the request

    @Test
    void everyFieldOfTheRequestReachesTheServiceWithTheExecutionIdAsIdempotencyKey() throws Exception {
        List<ServiceCall> calls = new CopyOnWriteArrayList<>();
        TaskTransport transport = open(SERVICE, call -> {
            calls.add(call);
            return ServiceAnswer.output(Map.of("ok", true));
        });
        Map<String, Object> input = richValue();
        // the execution id of a task re-planning changed: not run id/task id, so a transport must send it, not derive it
        TaskRequest request = new TaskRequest("run-17", "task3", SERVICE, "run-17/task3@2", 2, input,
                Instant.now().plus(Duration.ofMinutes(5)), "corr-9");

        await(transport.dispatch(request));

        assertThat(calls).hasSize(1);
        ServiceCall call = calls.get(0);
        assertThat(call.runId()).isEqualTo("run-17");
        assertThat(call.taskId()).isEqualTo("task3");
        assertThat(call.service()).isEqualTo(SERVICE);
        assertThat(call.executionId()).isEqualTo("run-17/task3@2");
        assertThat(call.attempt()).isEqualTo(2);
        assertThat(call.idempotencyKey()).as("the idempotency key a service dedupes on").isEqualTo("run-17/task3@2");
        assertThat(call.correlationId()).isEqualTo("corr-9");
        assertThat(normalized(call.input())).as("the input as the service read it").isEqualTo(normalized(input));
    }

    @Test
    void aRequestWithoutCorrelationIdOrDeadlineReachesTheServiceWithout() throws Exception {
        List<ServiceCall> calls = new CopyOnWriteArrayList<>();
        TaskTransport transport = open(SERVICE, call -> {
            calls.add(call);
            return ServiceAnswer.output(null);
        });

        await(transport.dispatch(new TaskRequest("run-1", "task1", SERVICE, "run-1/task1", 1, Map.of(), null, null)));

        assertThat(calls).singleElement().satisfies(call -> {
            assertThat(call.correlationId()).isNull();
            assertThat(call.input()).isEmpty();
            assertThat(call.idempotencyKey()).isEqualTo("run-1/task1");
        });
    }

    @Test
    void everyAttemptOfATaskCarriesItsNumberAndTheSameIdempotencyKey() throws Exception {
        List<ServiceCall> calls = new CopyOnWriteArrayList<>();
        TaskTransport transport = open(SERVICE, call -> {
            calls.add(call);
            return ServiceAnswer.output(call.attempt());
        });

        for (int attempt = 1; attempt <= 3; attempt++) {
            await(transport.dispatch(request("run-2", "task1", attempt, Map.of("n", 1))));
        }

        assertThat(calls).extracting(ServiceCall::attempt).containsExactly(1, 2, 3);
        assertThat(calls).extracting(ServiceCall::idempotencyKey).containsOnly("run-2/task1");
    }

    // ---------------------------------------------------------------------------------------------- the output

    @Test
    void anOutputComesBackAsEqualPlainJsonValues() throws Exception {
        Map<String, Object> output = richValue();
        TaskTransport transport = open(SERVICE, call -> ServiceAnswer.output(output));

        Object got = await(transport.dispatch(request("run-3", "task1", 1, Map.of())));

        assertPlainJson(got, "output");
        assertThat(normalized(got)).isEqualTo(normalized(output));
    }

    @Test
    void anOutputMayBeAnyJsonValueIncludingNull() throws Exception {
        List<Object> outputs = Arrays.asList("just text", 42, 2.5, true, List.of(1, "two", false), null,
                Map.of());
        TaskTransport transport = open(SERVICE,
                call -> ServiceAnswer.output(outputs.get(((Number) call.input().get("i")).intValue())));

        for (int i = 0; i < outputs.size(); i++) {
            Object got = await(transport.dispatch(request("run-4", "task" + i, 1, Map.of("i", i))));
            assertPlainJson(got, "output " + i);
            assertThat(normalized(got)).as("output %d", i).isEqualTo(normalized(outputs.get(i)));
        }
    }

    @Test
    void dispatchReturnsBeforeTheServiceAnswers() throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch answer = latch();
        TaskTransport transport = open(SERVICE, call -> {
            reached.countDown();
            answer.await();
            return ServiceAnswer.output("late");
        });

        CompletionStage<Object> stage = dispatchWithin(transport, request("run-5", "task1", 1, Map.of()));
        assertThat(reached.await(patience().toMillis(), TimeUnit.MILLISECONDS)).as("the call reached the service").isTrue();
        assertThat(stage.toCompletableFuture()).as("the stage while the service still works").isNotDone();

        answer.countDown();
        assertThat(await(stage)).isEqualTo("late");
    }

    // ---------------------------------------------------------------------------------------------- failures

    @Test
    void anUnavailableServiceIsRetryableAndCarriesTheDelayItAskedFor() throws Exception {
        TaskTransport transport = open(SERVICE, call -> new ServiceAnswer.Unavailable("overloaded",
                Duration.ofSeconds(7)));

        Throwable failure = failureOf(transport.dispatch(request("run-6", "task1", 1, Map.of())));

        assertThat(failure).isInstanceOf(RetryableException.class);
        assertThat(((RetryableException) failure).retryAfter()).contains(Duration.ofSeconds(7));
        assertBounded(failure);
    }

    @Test
    void anUnavailableServiceWithoutAdviceIsRetryableWithoutADelay() throws Exception {
        TaskTransport transport = open(SERVICE, call -> new ServiceAnswer.Unavailable("restarting", null));

        Throwable failure = failureOf(transport.dispatch(request("run-7", "task1", 1, Map.of())));

        assertThat(failure).isInstanceOf(RetryableException.class);
        assertThat(((RetryableException) failure).retryAfter()).isEmpty();
    }

    @Test
    void aRejectionIsNotRetryableAndSaysWhy() throws Exception {
        TaskTransport transport = open(SERVICE, call -> new ServiceAnswer.Rejected("order 17 is unknown"));

        Throwable failure = failureOf(transport.dispatch(request("run-8", "task1", 1, Map.of())));

        assertThat(failure).isInstanceOf(NonRetryableException.class);
        assertThat(failure.getMessage()).contains("order 17 is unknown");
    }

    @Test
    void aServicesLongReasonIsCutShortInTheFailure() throws Exception {
        String reason = "order 17 is unknown " + "x".repeat(200_000);
        TaskTransport transport = open(SERVICE, call -> new ServiceAnswer.Rejected(reason));

        Throwable failure = failureOf(transport.dispatch(request("run-9", "task1", 1, Map.of())));

        assertThat(failure).isInstanceOf(NonRetryableException.class);
        assertThat(failure.getMessage()).contains("order 17 is unknown");
        assertBounded(failure);
    }

    @Test
    void anAnswerThatIsNotJsonFailsWithoutRetry() throws Exception {
        TaskTransport transport = open(SERVICE, call -> new ServiceAnswer.Unreadable());

        Throwable failure = failureOf(transport.dispatch(request("run-10", "task1", 1, Map.of())));

        assertThat(failure).isInstanceOf(NonRetryableException.class);
        assertBounded(failure);
    }

    @Test
    void anUnreachableServiceIsRetryable() throws Exception {
        TaskTransport transport = track(transportToUnreachable(SERVICE));

        Throwable failure = failureOf(transport.dispatch(request("run-11", "task1", 1, Map.of())));

        assertThat(failure).isInstanceOf(RetryableException.class);
        assertBounded(failure);
    }

    @Test
    void aRequestWhoseDeadlineHasPassedFailsRetryableWithoutReachingTheService() throws Exception {
        List<ServiceCall> calls = new CopyOnWriteArrayList<>();
        TaskTransport transport = open(SERVICE, call -> {
            calls.add(call);
            return ServiceAnswer.output("too late");
        });
        TaskRequest late = new TaskRequest("run-12", "task1", SERVICE, "run-12/task1", 1, Map.of(),
                Instant.now().minus(Duration.ofMinutes(1)), null);

        Throwable failure = failureOf(transport.dispatch(late));

        assertThat(failure).isInstanceOf(RetryableException.class);
        assertThat(calls).as("calls that reached the service").isEmpty();
    }

    @Test
    void aFailureOfTheServiceNeverCompletesTheStageWithAnOutput() throws Exception {
        TaskTransport transport = open(SERVICE, call -> {
            throw new IllegalStateException("the service's own bug");
        });

        Throwable failure = failureOf(transport.dispatch(request("run-13", "task1", 1, Map.of())));

        assertThat(failure).isInstanceOfAny(RetryableException.class, NonRetryableException.class);
        assertBounded(failure);
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    @Test
    void aCancelledAttemptStaysCancelledAndTheTransportServesTheNextCall() throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch answer = latch();
        TaskTransport transport = open(SERVICE, slowThenOthers(reached, answer, "too late", "next"));

        CompletableFuture<Object> slow = dispatchWithin(transport, request("run-14", "slow", 1, Map.of()))
                .toCompletableFuture();
        assertThat(reached.await(patience().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(slow.cancel(true)).isTrue();
        answer.countDown();

        assertThat(await(transport.dispatch(request("run-14", "next", 1, Map.of())))).isEqualTo("next");
        assertThat(slow).isCancelled();
        assertThat(catching(slow)).isInstanceOf(CancellationException.class);
    }

    @Test
    void concurrentCallsEachGetTheirOwnAnswer() throws Exception {
        int threads = 8;
        int perThread = 25;
        TaskTransport transport = open(SERVICE, call -> ServiceAnswer.output(Map.of(
                "executionId", call.executionId(), "n", call.input().get("n"))));
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<Object>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        int n = thread * perThread + i;
                        mine.add(transport.dispatch(request("run-15", "task" + n, 1, Map.of("n", n)))
                                .toCompletableFuture());
                    }
                    List<String> wrong = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        int n = thread * perThread + i;
                        Map<?, ?> out = (Map<?, ?>) await(mine.get(i));
                        if (!("run-15/task" + n).equals(out.get("executionId"))
                                || ((Number) out.get("n")).intValue() != n) {
                            wrong.add("call " + n + " got " + out);
                        }
                    }
                    return wrong;
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<List<String>> f : results) {
                wrong.addAll(f.get(patience().toMillis() * 2, TimeUnit.MILLISECONDS));
            }
            assertThat(wrong).as("calls answered with another call's output").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCallAnsweredFirstGetsItsOwnAnswerWhileAnEarlierCallStillWaits() throws Exception {
        // answers out of the order of the calls: a transport that matches answers to calls by order fails here
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch answer = latch();
        TaskTransport transport = open(SERVICE, slowThenOthers(reached, answer, "slow", "fast"));

        CompletableFuture<Object> slow = dispatchWithin(transport, request("run-18", "slow", 1, Map.of()))
                .toCompletableFuture();
        assertThat(reached.await(patience().toMillis(), TimeUnit.MILLISECONDS)).as("the slow call reached the service")
                .isTrue();
        assertThat(await(transport.dispatch(request("run-18", "fast", 1, Map.of()))))
                .as("the answer to a call made and answered while an earlier call waits").isEqualTo("fast");
        assertThat(slow).as("the earlier call, still unanswered").isNotDone();

        answer.countDown();
        assertThat(await(slow)).isEqualTo("slow");
    }

    @Test
    void closeMayBeCalledTwiceAndNoLaterDispatchHangs() throws Exception {
        TaskTransport transport = open(SERVICE, call -> ServiceAnswer.output("fine"));
        assertThat(await(transport.dispatch(request("run-16", "task1", 1, Map.of())))).isEqualTo("fine");

        transport.close();
        transport.close();

        CompletableFuture<Object> after;
        try {
            after = transport.dispatch(request("run-16", "task2", 1, Map.of())).toCompletableFuture();
        } catch (RuntimeException refused) {
            return; // refusing at once is as good as failing the stage
        }
        try {
            after.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException expected) {
            // a closed transport may fail the attempt; it must not leave it pending
        } catch (TimeoutException e) {
            fail("a dispatch after close() was still pending after " + patience());
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /**
     * A request for {@link #SERVICE} whose execution id is {@code runId/taskId}, with no deadline.
     *
     * @param runId   run id
     * @param taskId  task id
     * @param attempt attempt number
     * @param input   input
     * @return the request
     */
    protected static TaskRequest request(String runId, String taskId, int attempt, Map<String, Object> input) {
        return new TaskRequest(runId, taskId, SERVICE, runId + "/" + taskId, attempt, input, null, null);
    }

    /**
     * A service whose task {@code slow} tells {@code reached} and waits for {@code answer} before it answers
     * {@code slowOutput}; every other task answers {@code otherOutput} at once.
     */
    private static ServiceScript slowThenOthers(CountDownLatch reached, CountDownLatch answer, String slowOutput,
                                                String otherOutput) {
        return call -> {
            if (call.taskId().equals("slow")) {
                reached.countDown();
                answer.await();
                return ServiceAnswer.output(slowOutput);
            }
            return ServiceAnswer.output(otherOutput);
        };
    }

    private TaskTransport open(String service, ServiceScript script) throws Exception {
        return track(transportTo(service, script));
    }

    private TaskTransport track(TaskTransport transport) {
        assertThat(transport).as("the fixture's transport").isNotNull();
        transports.add(transport);
        return transport;
    }

    /** A latch the test releases itself, and which is released anyway when the test ends. */
    private CountDownLatch latch() {
        CountDownLatch latch = new CountDownLatch(1);
        latches.add(latch);
        return latch;
    }

    /** Dispatches on another thread, so that a transport that blocks in dispatch fails the test instead of hanging it. */
    private CompletionStage<Object> dispatchWithin(TaskTransport transport, TaskRequest request) throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            return caller.submit(() -> transport.dispatch(request)).get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("dispatch() did not return within " + patience() + " while the service was "
                    + "still working: it must start the call and return, not wait for the answer");
        } finally {
            caller.shutdownNow();
        }
    }

    private Object await(CompletionStage<Object> stage) throws Exception {
        assertThat(stage).as("the stage dispatch() returned").isNotNull();
        try {
            return stage.toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the attempt failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the attempt was still pending after " + patience());
        }
    }

    private Throwable failureOf(CompletionStage<Object> stage) throws Exception {
        assertThat(stage).as("the stage dispatch() returned").isNotNull();
        Object output;
        try {
            output = stage.toCompletableFuture().get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the attempt was still pending after " + patience() + "; it should have failed");
        }
        throw new AssertionError("the attempt should have failed, but completed with " + output);
    }

    private static Throwable catching(CompletableFuture<Object> future) {
        try {
            future.getNow(null);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static void assertBounded(Throwable failure) {
        String message = failure.getMessage();
        assertThat(message).as("the failure's message").isNotBlank();
        assertThat(message.length()).as("the failure message's length").isLessThanOrEqualTo(MAX_MESSAGE);
    }

    /** A JSON object with every kind of value, nested, and text that protocols tend to mangle. */
    private static Map<String, Object> richValue() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("deep", List.of(Map.of("k", "v"), List.of()));
        nested.put("none", null);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "Grüße, 東京 \uD83D\uDE80 \"quoted\" back\\slash\nnew line\ttab \u0001");
        value.put("empty", "");
        value.put("int", 17);
        value.put("long", Long.MAX_VALUE);
        value.put("negative", -3);
        value.put("decimal", 0.1);
        value.put("big", new BigDecimal("12345678901234567890.125"));
        value.put("yes", true);
        value.put("no", false);
        value.put("nothing", null);
        value.put("list", Arrays.asList(1, "two", null, 3.5, List.of(true)));
        value.put("object", nested);
        value.put("$task1.looks.like.a.reference", "$task2.too");
        return Collections.unmodifiableMap(value);
    }

    /** The value with every number as a {@link BigDecimal} without trailing zeros, so that 17, 17L and 17.0 are one. */
    private static Object normalized(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, normalized(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(normalized(v)));
            return out;
        }
        if (value instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString()).stripTrailingZeros();
            return d.signum() == 0 ? BigDecimal.ZERO : d;
        }
        return value;
    }

    private static void assertPlainJson(Object value, String where) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return;
        }
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                assertThat(e.getKey()).as("a key of %s", where).isInstanceOf(String.class);
                assertPlainJson(e.getValue(), where + "." + e.getKey());
            }
            return;
        }
        if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                assertPlainJson(l.get(i), where + "[" + i + "]");
            }
            return;
        }
        fail(where + " is a " + value.getClass().getName() + ", not a plain JSON value (Map, List, String, Number, "
                + "Boolean or null)");
    }
}
