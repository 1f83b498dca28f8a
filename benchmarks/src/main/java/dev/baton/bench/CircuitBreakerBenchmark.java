package dev.baton.bench;

import dev.baton.CircuitBreaker;
import dev.baton.CircuitBreakerConfig;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The overhead a circuit breaker adds to one successful call, on 1 and 2 threads sharing one breaker, for Baton's
 * breaker beside Resilience4j's and Failsafe's (standalone permits, and through a Failsafe executor) configured alike:
 * a count-based window of 100 calls, 10 minimum calls, 50% failure rate, 30 s in open, 5 half-open trials. The bare
 * call is the baseline.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class CircuitBreakerBenchmark {

    private CircuitBreaker baton;
    private CircuitBreaker batonTimed;
    private io.github.resilience4j.circuitbreaker.CircuitBreaker resilience4j;
    private dev.failsafe.CircuitBreaker<Object> failsafe;
    private FailsafeExecutor<Object> failsafeExecutor;
    private Supplier<Object> work;
    private long value = 42;

    /** Builds the three breakers with the same settings. */
    @Setup
    public void setUp() {
        work = () -> value;
        baton = CircuitBreaker.of("bench", CircuitBreakerConfig.builder().slidingWindowSize(100).minimumCalls(10)
                .failureRateThreshold(50).waitInOpen(Duration.ofSeconds(30)).permittedCallsInHalfOpen(5).build(),
                Clock.systemUTC());
        // Resilience4j always times calls (slow-call threshold 60 s, rate 100% by default); this one does the same
        batonTimed = CircuitBreaker.of("bench-timed", CircuitBreakerConfig.builder().slidingWindowSize(100)
                .minimumCalls(10).failureRateThreshold(50).waitInOpen(Duration.ofSeconds(30))
                .permittedCallsInHalfOpen(5).slowCallThreshold(Duration.ofSeconds(60)).slowCallRateThreshold(100)
                .build(), Clock.systemUTC());
        resilience4j = io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench",
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                        .slidingWindowType(SlidingWindowType.COUNT_BASED).slidingWindowSize(100)
                        .minimumNumberOfCalls(10).failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(30)).permittedNumberOfCallsInHalfOpenState(5)
                        .build());
        failsafe = dev.failsafe.CircuitBreaker.builder().withFailureThreshold(50, 100).withSuccessThreshold(5)
                .withDelay(Duration.ofSeconds(30)).build();
        failsafeExecutor = Failsafe.with(failsafe);
    }

    private Object failsafeStandalone() {
        if (!failsafe.tryAcquirePermit()) {
            throw new IllegalStateException("open");
        }
        try {
            Object result = work.get();
            failsafe.recordSuccess();
            return result;
        } catch (RuntimeException e) {
            failsafe.recordException(e);
            throw e;
        }
    }

    /** @return the call without a breaker */
    @Benchmark
    @Threads(1)
    public Object bare_1t() {
        return work.get();
    }

    /** @return the call through Baton's breaker */
    @Benchmark
    @Threads(1)
    public Object baton_1t() {
        return baton.call(work);
    }

    /** @return the call through Baton's breaker with slow-call timing */
    @Benchmark
    @Threads(1)
    public Object batonTimed_1t() {
        return batonTimed.call(work);
    }

    /** @return the call through Resilience4j's breaker */
    @Benchmark
    @Threads(1)
    public Object resilience4j_1t() {
        return resilience4j.executeSupplier(work);
    }

    /** @return the call guarded by Failsafe's breaker used standalone */
    @Benchmark
    @Threads(1)
    public Object failsafe_1t() {
        return failsafeStandalone();
    }

    /** @return the call through a Failsafe executor with the breaker */
    @Benchmark
    @Threads(1)
    public Object failsafeExecutor_1t() {
        return failsafeExecutor.get(work::get);
    }

    /** @return the call without a breaker */
    @Benchmark
    @Threads(2)
    public Object bare_2t() {
        return work.get();
    }

    /** @return the call through Baton's breaker */
    @Benchmark
    @Threads(2)
    public Object baton_2t() {
        return baton.call(work);
    }

    /** @return the call through Baton's breaker with slow-call timing */
    @Benchmark
    @Threads(2)
    public Object batonTimed_2t() {
        return batonTimed.call(work);
    }

    /** @return the call through Resilience4j's breaker */
    @Benchmark
    @Threads(2)
    public Object resilience4j_2t() {
        return resilience4j.executeSupplier(work);
    }

    /** @return the call guarded by Failsafe's breaker used standalone */
    @Benchmark
    @Threads(2)
    public Object failsafe_2t() {
        return failsafeStandalone();
    }

    /** @return the call through a Failsafe executor with the breaker */
    @Benchmark
    @Threads(2)
    public Object failsafeExecutor_2t() {
        return failsafeExecutor.get(work::get);
    }
}
