package dev.baton.transport.tck;

import dev.baton.RunError;
import dev.baton.RunResult;
import dev.baton.RunStatus;
import dev.baton.time.ManualTime;
import dev.baton.transport.WebhookAttempt;
import dev.baton.transport.WebhookTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.baton.transport.WebhookOutcome.DELIVERED;
import static dev.baton.transport.WebhookOutcome.FAILED;
import static dev.baton.transport.WebhookOutcome.REFUSED;
import static dev.baton.transport.WebhookOutcome.RETRYING;
import static dev.baton.transport.tck.WebhookReceiver.Answer.ACCEPT;
import static dev.baton.transport.tck.WebhookReceiver.Answer.REJECT;
import static dev.baton.transport.tck.WebhookReceiver.Answer.RETRY_LATER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The contract every {@link WebhookTransport} honours, as its javadoc states it. A transport's test extends this
 * class once (or {@link WebhookTransportCancellationContractTest}, when its stages can be cancelled) and says how to
 * make the transport and how to stand up a receiver whose answers the kit scripts:
 *
 * <pre>{@code
 * class MyWebhookTransportTest extends WebhookTransportContractTest {
 *     static final String SECRET = "whsec-test-3f9a1c7e5b";
 *
 *     @Override
 *     protected WebhookTransport createTransport(ManualTime time, int maxAttempts) {
 *         // time is its clock and its scheduler; the receivers' destinations allowed, others refused
 *         return new MyWebhookTransport(SECRET, time, time, maxAttempts, allowList);
 *     }
 *
 *     @Override
 *     protected WebhookReceiver createReceiver(WebhookReceiver.Script script) throws IOException {
 *         return new MyTestReceiver(SECRET, script); // decodes each delivery, answers as the script says
 *     }
 *
 *     @Override
 *     protected URI refusedDestination(WebhookReceiver receiver) {
 *         return URI.create("https://not-allowed.example/hook");
 *     }
 *
 *     @Override
 *     protected String secret() {
 *         return SECRET;
 *     }
 * }
 * }</pre>
 *
 * <p>Retries are driven by advancing a {@link ManualTime}, never by sleeping: each test makes its own, starting at
 * {@link #T0}, runs what is due after every {@code deliver}, and advances it by each {@code RETRYING} attempt's
 * delay. Waiting for what the transport does on its own threads (an answer arriving) is bounded by
 * {@link #patience()}. Every delivery a test follows to its end is checked the same way: its stage completes
 * normally with the last attempt reported; the attempts were reported once each, in order, numbered from
 * {@code firstAttempt}, all {@code RETRYING} but the last, which is final; each names the run and the destination,
 * carries a delay when (and only when) it is {@code RETRYING} and an error when (and only when) it did not deliver,
 * and is stamped on the manual clock no sooner than the previous one's delay allowed. After each test the kit
 * releases the deliveries its receivers hold, closes the transports that are {@link AutoCloseable} and the
 * receivers, and checks that every delivery the receivers got could be decoded.
 */
public abstract class WebhookTransportContractTest {

    /** The time every test starts at. */
    protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** The run ids of the deliveries the kit makes to see that no earlier one is still under way. */
    private static final String SETTLE = "settle-";

    /** How many attempts a delivery the kit drives may take before the kit gives up on it ending. */
    private static final int MAX_STEPS = 16;

    /** The test's time: the clock and scheduler of the transports it makes. */
    protected ManualTime time;

    private final List<WebhookTransport> transports = new CopyOnWriteArrayList<>();
    private final List<Inbox> inboxes = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> holds = new CopyOnWriteArrayList<>();
    private final AtomicInteger settles = new AtomicInteger();
    private ExecutorService threads;

    // ---------------------------------------------------------------- fixtures

    /**
     * Makes the transport under test. Its clock and its scheduler are {@code time}: it stamps attempts with
     * {@code time.instant()}, and schedules every attempt it does not make at once on {@code time} (the first one
     * with no delay, or right away; a retry, before the {@code RETRYING} attempt is reported, its delay after that
     * attempt ended), so that nothing it does waits on real time but an answer. It signs with {@link #secret()},
     * allows every {@linkplain WebhookReceiver#destination() receiver's destination} and refuses the
     * {@linkplain #refusedDestination refused one}, and its timeouts are long enough (several seconds) for a
     * receiver the kit holds briefly.
     *
     * @param time        the test's time
     * @param maxAttempts the attempt limit, at least 1: attempts in all, {@code firstAttempt} counting towards it
     * @return the transport; closed by the kit after the test when it is {@link AutoCloseable}
     * @throws Exception if it cannot be made
     */
    protected abstract WebhookTransport createTransport(ManualTime time, int maxAttempts) throws Exception;

    /**
     * Stands up a receiver at a destination the transports reach, answering each delivery as {@code script} says.
     *
     * @param script decides the answers, see {@link WebhookReceiver.Script}
     * @return the receiver, taking deliveries; closed by the kit after the test
     * @throws Exception if it cannot be stood up
     */
    protected abstract WebhookReceiver createReceiver(WebhookReceiver.Script script) throws Exception;

    /**
     * A destination the transports refuse before sending anything, for example one on a host their allow-list
     * does not name. Best one that would reach {@code receiver} if it were not refused, so that the kit sees nothing
     * arrive there.
     *
     * @param receiver a receiver of the test
     * @return the refused destination
     */
    protected abstract URI refusedDestination(WebhookReceiver receiver);

    /**
     * The signing secret the transports are configured with, as text. Distinctive enough not to appear in an
     * attempt by chance: at least 16 characters.
     *
     * @return the secret
     */
    protected abstract String secret();

    /**
     * How long the kit waits for something the transport does on its own threads (an attempt to end, a stage to
     * complete); a slow transport may raise it. Nothing waits this long when the transport is right.
     *
     * @return the bound; default 20 s
     */
    protected Duration patience() {
        return Duration.ofSeconds(20);
    }

    /**
     * How many threads deliver at once in the concurrency test.
     *
     * @return thread count, at least 2; default 8
     */
    protected int concurrency() {
        return 8;
    }

    /** Makes the test's time and threads. */
    @BeforeEach
    void setUpWebhookKit() {
        time = new ManualTime(T0);
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "webhook-kit");
            t.setDaemon(true);
            return t;
        });
    }

    /** Releases held deliveries, closes the transports and the receivers, and checks that all was decoded. */
    @AfterEach
    void closeWebhookKit() throws Exception {
        holds.forEach(CountDownLatch::countDown);
        Exception failure = null;
        for (WebhookTransport t : transports) {
            if (t instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    failure = failure == null ? e : failure;
                }
            }
        }
        for (Inbox inbox : inboxes) {
            try {
                inbox.close();
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        if (threads != null) {
            threads.shutdownNow();
        }
        if (failure != null) {
            throw failure;
        }
        for (Inbox inbox : inboxes) {
            assertThat(inbox.undecodable()).as("deliveries a receiver could not decode (or whose signature did not "
                    + "verify)").isZero();
        }
    }

    // ---------------------------------------------------------------- not blocking

    @Test
    void deliverReturnsWhileTheReceiverHoldsTheDelivery() throws Exception {
        CountDownLatch release = hold();
        CountDownLatch arrived = new CountDownLatch(1);
        Inbox inbox = receiver(r -> {
            arrived.countDown();
            release.await(patience().multipliedBy(5).toMillis(), TimeUnit.MILLISECONDS);
            return ACCEPT;
        });
        WebhookTransport t = transport(3);

        Future<Delivery> started = threads.submit(() -> deliver(t, inbox.destination(), completed("held"), 1));
        Delivery d;
        try {
            d = started.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("deliver(), and running what it scheduled, had not returned after " + patience()
                    + " while the receiver held the delivery unanswered");
        }
        assertThat(arrived.await(patience().toMillis(), TimeUnit.MILLISECONDS))
                .as("the receiver got the delivery it holds").isTrue();

        release.countDown();
        WebhookAttempt last = d.run();
        assertThat(last.outcome()).as("the outcome once the receiver answered").isEqualTo(DELIVERED);
    }

    // ---------------------------------------------------------------- what the receiver gets

    @Test
    void theReceiverGetsTheRunsResult() throws Exception {
        Inbox inbox = receiver(answers(ACCEPT));
        WebhookTransport t = transport(3);

        for (RunResult r : List.of(completed("result-completed"), failed("result-failed"),
                cancelled("result-cancelled"))) {
            WebhookAttempt last = deliver(t, inbox.destination(), r, 1).run();
            assertThat(inbox.undecodable()).as("deliveries the receiver could not decode").isZero();
            assertThat(last.outcome()).as("run %s: outcome", r.runId()).isEqualTo(DELIVERED);
            assertThat(inbox.arrivals(r.runId())).as("run %s: deliveries", r.runId()).hasSize(1);
            assertSameResult(inbox.arrivals(r.runId()).get(0).result(), r);
        }
    }

    @Test
    void anAcceptedDeliveryIsOneDeliveredAttempt() throws Exception {
        Inbox inbox = receiver(answers(ACCEPT));
        WebhookTransport t = transport(3);

        Delivery d = deliver(t, inbox.destination(), completed("accepted"), 1);
        WebhookAttempt last = d.run();
        assertThat(last.outcome()).as("outcome").isEqualTo(DELIVERED);
        assertThat(last.attempt()).as("attempt").isEqualTo(1);
        assertThat(last.error()).as("error").isNull();
        assertThat(last.nextDelay()).as("nextDelay").isNull();

        time.advance(Duration.ofDays(1));
        settle(t, inbox);
        assertThat(inbox.arrivals("accepted")).as("deliveries of the accepted run").hasSize(1);
        assertThat(d.attempts()).as("attempts reported").containsExactly(last);
    }

    // ---------------------------------------------------------------- retries and the limit

    @Test
    void aTransientFailureIsRetriedAfterItsDelay() throws Exception {
        Inbox inbox = receiver(answers(RETRY_LATER, ACCEPT));
        WebhookTransport t = transport(3);

        Delivery d = deliver(t, inbox.destination(), completed("retried"), 1);
        WebhookAttempt first = d.next();
        assertThat(first.outcome()).as("the first attempt's outcome").isEqualTo(RETRYING);
        assertThat(first.nextDelay()).as("the first attempt's nextDelay").isNotNull();
        Duration delay = first.nextDelay();
        assertThat(delay.isNegative()).as("a negative nextDelay: %s", delay).isFalse();
        if (delay.isZero()) {
            time.runDue();
        } else {
            time.advance(delay.minusNanos(1));
            // a retry the transport started too soon may still be on its way: another delivery, made and waited
            // for while the time stands still, lets it arrive (at a time before the delay had passed) first
            settle(t, receiver(answers(ACCEPT)));
            assertThat(inbox.arrivals("retried")).as("deliveries before the delay of %s has passed", delay)
                    .hasSize(1);
            time.advance(Duration.ofNanos(1));
        }
        WebhookAttempt second = d.next();
        assertThat(second.outcome()).as("the retry's outcome").isEqualTo(DELIVERED);

        assertThat(d.end()).isEqualTo(second);
        assertThat(inbox.arrivals("retried")).as("deliveries").hasSize(2);
        assertThat(inbox.arrivals("retried").get(1).at()).as("when the retry reached the receiver")
                .isAfterOrEqualTo(first.at().plus(delay));
    }

    @Test
    void transientFailuresAreRetriedUpToTheLimitThenFail() throws Exception {
        Inbox inbox = receiver(answers(RETRY_LATER));
        WebhookTransport t = transport(3);

        Delivery d = deliver(t, inbox.destination(), failed("exhausted"), 1);
        WebhookAttempt last = d.run();
        assertThat(d.attempts()).extracting(WebhookAttempt::outcome).as("outcomes")
                .containsExactly(RETRYING, RETRYING, FAILED);
        assertThat(last.attempt()).as("the last attempt").isEqualTo(3);
        assertThat(inbox.arrivals("exhausted")).as("deliveries").hasSize(3);

        time.advance(Duration.ofDays(1));
        settle(t, inbox);
        assertThat(inbox.arrivals("exhausted")).as("deliveries, a day after the last attempt").hasSize(3);
        assertThat(d.attempts()).as("attempts reported, a day after the last one").hasSize(3);
    }

    @Test
    void aResumedDeliveryIsNumberedFromFirstAttemptWhichCountsTowardsTheLimit() throws Exception {
        Inbox inbox = receiver(answers(RETRY_LATER));
        WebhookTransport t = transport(4);

        Delivery resumed = deliver(t, inbox.destination(), completed("resumed-at-3"), 3);
        resumed.run();
        assertThat(resumed.attempts()).extracting(WebhookAttempt::attempt, WebhookAttempt::outcome)
                .as("attempts of a delivery resumed at 3 of 4")
                .containsExactly(tuple(3, RETRYING),
                        tuple(4, FAILED));
        assertThat(inbox.arrivals("resumed-at-3")).as("deliveries resumed at 3 of 4").hasSize(2);

        Delivery last = deliver(t, inbox.destination(), completed("resumed-at-4"), 4);
        last.run();
        assertThat(last.attempts()).extracting(WebhookAttempt::attempt, WebhookAttempt::outcome)
                .as("attempts of a delivery resumed at its last attempt, 4 of 4")
                .containsExactly(tuple(4, FAILED));
        assertThat(inbox.arrivals("resumed-at-4")).as("deliveries resumed at 4 of 4").hasSize(1);
    }

    @Test
    void aResumedDeliveryWithNoAttemptLeftSendsNothing() throws Exception {
        Inbox inbox = receiver(answers(ACCEPT));
        WebhookTransport t = transport(2);

        Delivery d = deliver(t, inbox.destination(), completed("used-up"), 3);
        WebhookAttempt last = d.run();
        assertThat(last.outcome()).as("outcome of a delivery resumed at 3 of 2").isEqualTo(FAILED);
        assertThat(last.attempt()).as("its attempt").isEqualTo(3);

        settle(t, inbox);
        assertThat(inbox.arrivals("used-up")).as("deliveries resumed at 3 of 2").isEmpty();
    }

    @Test
    void aPermanentFailureIsFinalAtOnce() throws Exception {
        Inbox inbox = receiver(answers(REJECT));
        WebhookTransport t = transport(3);

        Delivery d = deliver(t, inbox.destination(), completed("rejected"), 1);
        WebhookAttempt last = d.run();
        assertThat(d.attempts()).extracting(WebhookAttempt::outcome).as("outcomes").containsExactly(FAILED);
        assertThat(last.attempt()).as("attempt").isEqualTo(1);

        time.advance(Duration.ofDays(1));
        settle(t, inbox);
        assertThat(inbox.arrivals("rejected")).as("deliveries of a rejected result").hasSize(1);
    }

    @Test
    void anUnreachableDestinationIsRetriedThenFails() throws Exception {
        Inbox inbox = receiver(answers(ACCEPT));
        inbox.close();
        WebhookTransport t = transport(2);

        Delivery d = deliver(t, inbox.destination(), failed("unreachable"), 1);
        d.run();
        assertThat(d.attempts()).extracting(WebhookAttempt::outcome, WebhookAttempt::status)
                .as("outcomes and statuses where nothing answers")
                .containsExactly(tuple(RETRYING, 0),
                        tuple(FAILED, 0));
    }

    @Test
    void aRefusedDestinationIsReportedAndNeverCalled() throws Exception {
        Inbox inbox = receiver(answers(ACCEPT));
        WebhookTransport t = transport(3);
        URI refused = refusedDestination(inbox.receiver);

        Delivery d = deliver(t, refused, completed("refused"), 2);
        WebhookAttempt last = d.run();
        assertThat(d.attempts()).extracting(WebhookAttempt::outcome).as("outcomes").containsExactly(REFUSED);
        assertThat(last.attempt()).as("attempt").isEqualTo(2);
        assertThat(last.status()).as("status").isZero();

        settle(t, inbox);
        assertThat(inbox.arrivals("refused")).as("deliveries to a refused destination").isEmpty();
    }

    // ---------------------------------------------------------------- the stage

    @Test
    void theStageCompletesWithTheLastAttemptOnceItIsReported() throws Exception {
        WebhookTransport t = transport(1);
        Inbox accepting = receiver(answers(ACCEPT));
        Inbox rejecting = receiver(answers(REJECT));
        Inbox retrying = receiver(answers(RETRY_LATER));

        List<Delivery> ds = List.of(
                deliver(t, accepting.destination(), completed("stage-delivered"), 1),
                deliver(t, rejecting.destination(), completed("stage-rejected"), 1),
                deliver(t, retrying.destination(), completed("stage-used-up"), 1),
                deliver(t, refusedDestination(accepting.receiver), completed("stage-refused"), 1));
        for (Delivery d : ds) {
            WebhookAttempt last = d.run();
            assertThat(d.ending().reportedBefore()).as("run %s: attempts reported when its stage completed",
                    d.result.runId()).containsExactly(last);
        }
    }

    // ---------------------------------------------------------------- the secret

    @Test
    void theSecretNeverAppearsInAnAttempt() throws Exception {
        String secret = secret();
        assertThat(secret).as("the fixture's secret").isNotNull().hasSizeGreaterThanOrEqualTo(16);
        WebhookTransport t = transport(2);
        Inbox accepting = receiver(answers(ACCEPT));
        Inbox retrying = receiver(answers(RETRY_LATER));
        Inbox rejecting = receiver(answers(REJECT));
        Inbox gone = receiver(answers(ACCEPT));
        gone.close();

        List<Delivery> ds = List.of(
                deliver(t, accepting.destination(), completed("secret-delivered"), 1),
                deliver(t, retrying.destination(), failed("secret-retried"), 1),
                deliver(t, rejecting.destination(), failed("secret-rejected"), 1),
                deliver(t, gone.destination(), cancelled("secret-unreachable"), 1),
                deliver(t, refusedDestination(accepting.receiver), completed("secret-refused"), 1));
        List<WebhookAttempt> all = new ArrayList<>();
        for (Delivery d : ds) {
            d.run();
            all.addAll(d.attempts());
        }
        for (WebhookAttempt a : all) {
            assertThat(a.toString()).as("attempt %d of run %s", a.attempt(), a.runId()).doesNotContain(secret);
        }
    }

    // ---------------------------------------------------------------- threads

    @Test
    void concurrentDeliveriesEachReachTheReceiverOnceWithTheirOwnResult() throws Exception {
        int n = concurrency();
        assertThat(n).as("concurrency()").isGreaterThanOrEqualTo(2);
        Inbox inbox = receiver(answers(ACCEPT));
        WebhookTransport t = transport(3);
        CyclicBarrier delivering = new CyclicBarrier(n);
        CyclicBarrier due = new CyclicBarrier(n);

        List<Future<Delivery>> started = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RunResult r = new RunResult("concurrent-" + i, RunStatus.COMPLETED,
                    Map.of("task1", Map.of("i", i, "name", "run " + i)), null);
            started.add(threads.submit(() -> {
                delivering.await(patience().toMillis(), TimeUnit.MILLISECONDS);
                Delivery d = begin(t, inbox.destination(), r);
                due.await(patience().toMillis(), TimeUnit.MILLISECONDS);
                time.runDue();
                return d;
            }));
        }
        List<Delivery> ds = new ArrayList<>();
        for (Future<Delivery> f : started) {
            ds.add(result(f));
        }
        time.runDue();

        for (Delivery d : ds) {
            WebhookAttempt last = d.run();
            assertThat(last.outcome()).as("run %s: outcome", d.result.runId()).isEqualTo(DELIVERED);
            assertThat(last.attempt()).as("run %s: attempt", d.result.runId()).isEqualTo(1);
        }
        assertThat(inbox.undecodable()).as("deliveries the receiver could not decode").isZero();
        for (Delivery d : ds) {
            List<Arrival> got = inbox.arrivals(d.result.runId());
            assertThat(got).as("run %s: deliveries", d.result.runId()).hasSize(1);
            assertSameResult(got.get(0).result(), d.result);
        }
        assertThat(inbox.all).as("deliveries in all").hasSize(n);
    }

    // ---------------------------------------------------------------- helpers for the kits

    /**
     * @param maxAttempts the attempt limit
     * @return a transport from the fixture, closed after the test
     * @throws Exception if the fixture fails
     */
    final WebhookTransport transport(int maxAttempts) throws Exception {
        WebhookTransport t = createTransport(time, maxAttempts);
        assertThat(t).as("createTransport(time, %d)", maxAttempts).isNotNull();
        transports.add(t);
        return t;
    }

    /**
     * @param script the answers
     * @return a receiver from the fixture, recording what it gets, closed after the test
     * @throws Exception if the fixture fails
     */
    final Inbox receiver(WebhookReceiver.Script script) throws Exception {
        Inbox inbox = new Inbox(script);
        inboxes.add(inbox);
        inbox.receiver = createReceiver(inbox::take);
        assertThat(inbox.receiver).as("createReceiver(script)").isNotNull();
        return inbox;
    }

    /** @return a latch the test releases, or the kit after the test */
    final CountDownLatch hold() {
        CountDownLatch latch = new CountDownLatch(1);
        holds.add(latch);
        return latch;
    }

    /**
     * A script answering each run's deliveries in turn, the last answer repeating.
     *
     * @param sequence the answers, at least one
     * @return the script
     */
    static WebhookReceiver.Script answers(WebhookReceiver.Answer... sequence) {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        return r -> sequence[Math.min(seen.computeIfAbsent(r.runId(), k -> new AtomicInteger()).getAndIncrement(),
                sequence.length - 1)];
    }

    /** Starts a delivery and runs what is due. */
    final Delivery deliver(WebhookTransport t, URI destination, RunResult result, int firstAttempt) {
        Delivery d = begin(t, destination, result, firstAttempt);
        time.runDue();
        return d;
    }

    private Delivery begin(WebhookTransport t, URI destination, RunResult result) {
        return begin(t, destination, result, 1);
    }

    private Delivery begin(WebhookTransport t, URI destination, RunResult result, int firstAttempt) {
        Delivery d = new Delivery(destination, result, firstAttempt, time.instant());
        CompletionStage<WebhookAttempt> stage = t.deliver(destination, result, firstAttempt, d::report);
        assertThat(stage).as("run %s: the stage deliver() returned", result.runId()).isNotNull();
        d.stage = stage;
        stage.whenComplete((a, e) -> d.ended.complete(new Ending(a, e, d.attempts())));
        return d;
    }

    /**
     * Delivers a run to {@code inbox} and waits until it is delivered: any delivery the transport had started before
     * is then likely to have arrived (at {@code inbox}, or at another receiver the test follows), so a test can see
     * that none did, or when it did.
     */
    final void settle(WebhookTransport t, Inbox inbox) throws Exception {
        RunResult r = completed(SETTLE + settles.incrementAndGet());
        WebhookAttempt last = deliver(t, inbox.destination(), r, 1).run();
        assertThat(last.outcome()).as("run %s, made to see that no earlier delivery is still under way: outcome",
                r.runId()).isEqualTo(DELIVERED);
    }

    private <T> T result(Future<T> f) throws Exception {
        try {
            return f.get(patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    /** @return a completed run's result, with outputs of every JSON type */
    static RunResult completed(String runId) {
        Map<String, Object> task1 = new LinkedHashMap<>();
        task1.put("name", "Ada");
        task1.put("quote", "\"a\" \\ b / é ✓");
        task1.put("n", 42);
        task1.put("big", 12_345_678_901L);
        task1.put("ratio", 2.5);
        task1.put("negative", -7);
        task1.put("ok", true);
        task1.put("nothing", null);
        task1.put("tags", List.of("x", "y"));
        task1.put("nested", Map.of("deeper", List.of(Map.of("k", "v"), 1, false)));
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("task1", task1);
        outputs.put("task2", List.of(1, 2, 3));
        outputs.put("task3", "plain text");
        return new RunResult(runId, RunStatus.COMPLETED, outputs, null);
    }

    /** @return a failed run's result: a task's output, and the error naming the task that failed */
    static RunResult failed(String runId) {
        return new RunResult(runId, RunStatus.FAILED, Map.of("task1", Map.of("name", "Ada")),
                new RunError("task2", "HANDLER_ERROR", "the service said no"));
    }

    /** @return a cancelled run's result: no outputs, an error naming no task */
    static RunResult cancelled(String runId) {
        return new RunResult(runId, RunStatus.CANCELLED, Map.of(), new RunError(null, "CANCELLED",
                "cancelled by the caller"));
    }

    private static void assertSameResult(RunResult got, RunResult sent) {
        assertThat(got.runId()).as("run id as received").isEqualTo(sent.runId());
        assertThat(got.status()).as("run %s: status as received", sent.runId()).isEqualTo(sent.status());
        assertThat(canonical(got.outputs())).as("run %s: outputs as received", sent.runId())
                .isEqualTo(canonical(sent.outputs()));
        assertThat(got.err()).as("run %s: error as received", sent.runId()).isEqualTo(sent.err());
    }

    /** A JSON value with its numbers compared by value, whatever their Java type. */
    private static Object canonical(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, canonical(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(canonical(x)));
            return out;
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString()).stripTrailingZeros();
        }
        return v;
    }

    /** A delivery as a receiver got it, with the test's time then. */
    record Arrival(RunResult result, Instant at) {
    }

    /** A receiver of the fixture, and what it got. */
    final class Inbox {
        private final WebhookReceiver.Script script;
        private final List<Arrival> all = new CopyOnWriteArrayList<>();
        private final AtomicInteger undecodable = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();
        WebhookReceiver receiver;

        private Inbox(WebhookReceiver.Script script) {
            this.script = script;
        }

        private WebhookReceiver.Answer take(RunResult delivered) throws InterruptedException {
            if (delivered == null) {
                undecodable.incrementAndGet();
                return REJECT;
            }
            if (delivered.runId() != null && delivered.runId().startsWith(SETTLE)) {
                return ACCEPT;
            }
            all.add(new Arrival(delivered, time.instant()));
            return script.answer(delivered);
        }

        URI destination() {
            return receiver.destination();
        }

        List<Arrival> arrivals(String runId) {
            List<Arrival> out = new ArrayList<>();
            for (Arrival a : all) {
                if (runId.equals(a.result().runId())) {
                    out.add(a);
                }
            }
            return out;
        }

        int undecodable() {
            return undecodable.get();
        }

        void close() {
            if (receiver != null && closed.compareAndSet(false, true)) {
                receiver.close();
            }
        }
    }

    /** One attempt as the kit heard of it, with the test's time then. */
    private record Report(WebhookAttempt attempt, Instant heardAt) {
    }

    /** How a delivery's stage completed, and the attempts reported by then. */
    record Ending(WebhookAttempt value, Throwable failure, List<WebhookAttempt> reportedBefore) {
    }

    /** One delivery the kit made: what it sent, and what the transport reported. */
    final class Delivery {
        final URI destination;
        final RunResult result;
        final int firstAttempt;
        final Instant started;
        final CompletableFuture<Ending> ended = new CompletableFuture<>();
        CompletionStage<WebhookAttempt> stage;
        private final List<Report> reports = new CopyOnWriteArrayList<>();
        private final BlockingQueue<WebhookAttempt> heard = new LinkedBlockingQueue<>();

        private Delivery(URI destination, RunResult result, int firstAttempt, Instant started) {
            this.destination = destination;
            this.result = result;
            this.firstAttempt = firstAttempt;
            this.started = started;
        }

        private void report(WebhookAttempt a) {
            reports.add(new Report(a, time.instant()));
            heard.add(a);
        }

        /** @return the attempts reported so far, in the order they were */
        List<WebhookAttempt> attempts() {
            List<WebhookAttempt> out = new ArrayList<>();
            for (Report r : reports) {
                out.add(r.attempt());
            }
            return out;
        }

        /** @return the next attempt reported, waited for */
        WebhookAttempt next() throws InterruptedException {
            int n = reports.size();
            WebhookAttempt a = heard.poll(patience().toMillis(), TimeUnit.MILLISECONDS);
            if (a == null) {
                fail("run %s: no attempt was reported within %s after the %d reported (%s)", result.runId(),
                        patience(), n, attempts());
            }
            return a;
        }

        /** Drives the delivery to its end: {@link #runFrom} the next attempt reported. */
        WebhookAttempt run() throws Exception {
            return runFrom(next());
        }

        /**
         * Drives the delivery on from an attempt reported: while the attempt is {@code RETRYING}, advances the time
         * by its delay and waits for the next one; then {@link #end()}.
         */
        WebhookAttempt runFrom(WebhookAttempt reported) throws Exception {
            WebhookAttempt a = reported;
            for (int step = 1; !a.isFinal(); step++) {
                if (step >= MAX_STEPS) {
                    fail("run %s: still retrying after %d attempts (%s)", result.runId(), step, attempts());
                }
                if (a.nextDelay() == null) {
                    fail("run %s: attempt %d is RETRYING with no nextDelay", result.runId(), a.attempt());
                }
                time.advance(a.nextDelay().isNegative() ? Duration.ZERO : a.nextDelay());
                a = next();
            }
            return end();
        }

        /** @return how the stage completed, waited for */
        Ending ending() throws Exception {
            try {
                return ended.get(patience().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return fail("run %s: its stage had not completed %s after the attempts %s", result.runId(),
                        patience(), attempts());
            }
        }

        /**
         * Waits for the stage, checks that it completed normally with the last attempt reported, and checks the
         * attempts reported.
         *
         * @return the last attempt
         */
        WebhookAttempt end() throws Exception {
            Ending e = ending();
            if (e.failure() != null) {
                throw new AssertionError("run " + result.runId() + ": its stage completed exceptionally, after the "
                        + "attempts " + attempts(), e.failure());
            }
            assertThat(e.value()).as("run %s: the attempt its stage completed with", result.runId()).isNotNull();
            long deadline = System.nanoTime() + patience().toNanos();
            while (!attempts().contains(e.value())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("run %s: its stage completed with %s, which was not reported within %s (reported: %s)",
                            result.runId(), e.value(), patience(), attempts());
                }
                heard.poll(left, TimeUnit.NANOSECONDS); // woken by the next report
            }
            checkAttempts(e.value());
            return e.value();
        }

        private void checkAttempts(WebhookAttempt last) {
            String id = result.runId();
            List<Report> rs = List.copyOf(reports);
            List<Integer> numbers = new ArrayList<>();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < rs.size(); i++) {
                numbers.add(rs.get(i).attempt().attempt());
                expected.add(firstAttempt + i);
            }
            assertThat(numbers).as("run %s: the numbers of the attempts reported, in order, each once, from "
                    + "firstAttempt %d (attempts: %s)", id, firstAttempt, attempts()).isEqualTo(expected);
            for (int i = 0; i < rs.size(); i++) {
                WebhookAttempt a = rs.get(i).attempt();
                String which = "run " + id + ", attempt " + a.attempt() + " (" + a + ")";
                assertThat(a.runId()).as("%s: runId", which).isEqualTo(id);
                assertThat(a.destination()).as("%s: destination", which).isEqualTo(destination);
                if (i < rs.size() - 1) {
                    assertThat(a.outcome()).as("%s, which another attempt followed: outcome", which)
                            .isEqualTo(RETRYING);
                } else {
                    assertThat(a.isFinal()).as("%s, the last one reported: final", which).isTrue();
                }
                if (a.outcome() == RETRYING) {
                    assertThat(a.nextDelay()).as("%s: nextDelay", which).isNotNull();
                    assertThat(a.nextDelay().isNegative()).as("%s: nextDelay negative", which).isFalse();
                } else {
                    assertThat(a.nextDelay()).as("%s: nextDelay of a final attempt", which).isNull();
                }
                if (a.outcome() == DELIVERED) {
                    assertThat(a.error()).as("%s: error of a delivered attempt", which).isNull();
                } else {
                    assertThat(a.error()).as("%s: error of a failed attempt", which).isNotBlank();
                }
                if (a.outcome() == REFUSED) {
                    assertThat(a.status()).as("%s: status of a refused attempt, nothing sent", which).isZero();
                }
                assertThat(a.at()).as("%s: at, not before the delivery started", which).isAfterOrEqualTo(started);
                assertThat(a.at()).as("%s: at, not after it was reported", which)
                        .isBeforeOrEqualTo(rs.get(i).heardAt());
                if (i > 0) {
                    WebhookAttempt prev = rs.get(i - 1).attempt();
                    if (prev.nextDelay() != null) {
                        assertThat(a.at()).as("%s: at, not before the previous attempt's delay had passed", which)
                                .isAfterOrEqualTo(prev.at().plus(prev.nextDelay()));
                    }
                }
            }
            assertThat(rs.get(rs.size() - 1).attempt()).as("run %s: the attempt its stage completed with is the "
                    + "last one reported", id).isEqualTo(last);
        }
    }
}
