package dev.baton.examples;

import dev.baton.CircuitBreakerConfig;
import dev.baton.DeadLetter;
import dev.baton.Orchestrator;
import dev.baton.RetryPolicy;
import dev.baton.RunHandle;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.ServiceOptions;
import dev.baton.event.TaskFailed;
import dev.baton.event.TaskRetryScheduled;
import dev.baton.plan.Plan;
import dev.baton.planner.ServiceDescriptor;
import dev.baton.store.InMemoryRunStore;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Three resilience scenarios from the seeds, on real time with short delays: a flaky service that recovers through
 * retries; a dead service that trips its breaker, then a run whose task waits for the half-open trial; and a dead
 * letter redriven after the service is fixed.
 *
 * <p>Run it with {@code java -cp examples/target/examples.jar dev.baton.examples.ResilienceTour}.
 */
public final class ResilienceTour {

    private ResilienceTour() {
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        run(System.out);
    }

    /**
     * Runs the three scenarios.
     *
     * @param out where to print
     * @return the outcomes: flaky run, waiting run, redriven run
     */
    static RunResult[] run(PrintStream out) {
        AtomicInteger flakyCalls = new AtomicInteger();
        AtomicBoolean inventoryUp = new AtomicBoolean(false);
        AtomicBoolean ledgerFixed = new AtomicBoolean(false);
        RetryPolicy quick = RetryPolicy.builder().maxAttempts(4).backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .jitter(0.1).build();
        CircuitBreakerConfig breaker = CircuitBreakerConfig.builder().slidingWindowSize(4).minimumCalls(4)
                .failureRateThreshold(50).waitInOpen(Duration.ofMillis(800)).permittedCallsInHalfOpen(1).build();
        try (Orchestrator baton = Orchestrator.builder().store(new InMemoryRunStore())
                .retryPolicy(quick).circuitBreaker(breaker)
                .service("flaky-pricing", ctx -> {
                    if (flakyCalls.incrementAndGet() % 3 != 0) {
                        throw new IllegalStateException("503 Service Unavailable");
                    }
                    return Map.of("price", 42);
                })
                .service("inventory", ctx -> {
                    if (!inventoryUp.get()) {
                        throw new IllegalStateException("connection refused");
                    }
                    return Map.of("inStock", true);
                })
                .service("mailer", ctx -> Map.of("sent", ctx.input().get("booking")))
                .service(ServiceDescriptor.of("ledger"), ctx -> {
                    if (!ledgerFixed.get()) {
                        throw new IllegalStateException("ledger schema mismatch");
                    }
                    return Map.of("booked", ctx.executionId());
                }, ServiceOptions.builder().retryPolicy(RetryPolicy.builder().maxAttempts(2)
                        .backoff(Duration.ofMillis(20), Duration.ofMillis(20)).build()).build())
                .listener(e -> {
                    if (e instanceof TaskFailed f) {
                        out.printf("    %s attempt %d failed: %s%n", f.taskId(), f.attempt(), f.error());
                    } else if (e instanceof TaskRetryScheduled r) {
                        out.printf("    %s retry %d scheduled for %s%n", r.taskId(), r.nextAttempt(), r.notBefore());
                    }
                })
                .build()) {

            out.println("1. A flaky service recovers through retries");
            RunResult flaky = baton.submit(Plan.builder().task("price", "flaky-pricing", Map.of()).build())
                    .await(Duration.ofSeconds(10));
            out.println("   -> " + flaky.status() + " " + flaky.outputs());

            out.println("2. A dead service trips its breaker; a later task waits for the half-open trial");
            for (int i = 0; i < 2; i++) {
                RunResult dead = baton.submit(Plan.builder().task("stock", "inventory", Map.of()).build())
                        .await(Duration.ofSeconds(10));
                out.println("   -> " + dead.status() + ", breaker " + baton.circuitBreaker("inventory").state());
            }
            inventoryUp.set(true);
            RunHandle waiting = baton.submit(Plan.builder().task("stock", "inventory", Map.of()).build());
            RunResult waited = waiting.await(Duration.ofSeconds(10));
            out.println("   -> " + waited.status() + " " + waited.outputs() + ", breaker "
                    + baton.circuitBreaker("inventory").state());

            out.println("3. A dead letter is redriven after the service is fixed");
            RunResult failed = baton.submit(Plan.builder().task("book", "ledger", Map.of())
                    .task("confirm", "mailer", Map.of("booking", "$book")).build(),
                    RunOptions.builder().runId("order-77").build()).await(Duration.ofSeconds(10));
            DeadLetter letter = baton.deadLetters().stream().filter(d -> d.runId().equals("order-77")).findFirst()
                    .orElseThrow();
            out.println("   -> " + failed.status() + "; dead letter " + letter.executionId() + " after "
                    + letter.attempts().size() + " attempts");
            ledgerFixed.set(true);
            RunResult redriven = baton.redrive(letter).await(Duration.ofSeconds(10));
            out.println("   -> redriven: " + redriven.status() + " " + redriven.outputs());
            return new RunResult[]{flaky, waited, redriven};
        }
    }
}
