package dev.baton.service;

import dev.baton.time.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdempotentServiceTest {

    static ServiceRequest request(String executionId, int attempt) {
        return new ServiceRequest("run-1", "task1", executionId, attempt, "orders", Map.of("n", 1), null);
    }

    @Test
    void aDuplicateGetsTheStoredResultWithoutRunningAgain() {
        AtomicInteger calls = new AtomicInteger();
        IdempotentService s = IdempotentService.builder(r -> Map.of("call", calls.incrementAndGet())).build();

        assertThat(s.execute(request("e1", 1))).isEqualTo(Map.of("call", 1));
        assertThat(s.execute(request("e1", 2))).isEqualTo(Map.of("call", 1));
        assertThat(s.execute(request("e2", 1))).isEqualTo(Map.of("call", 2));
        assertThat(s.executions()).isEqualTo(2);
        assertThat(s.duplicates()).isEqualTo(1);
    }

    @Test
    void resultsExpireAfterTheRetentionWindow() {
        ManualTime time = new ManualTime();
        AtomicInteger calls = new AtomicInteger();
        IdempotentService s = IdempotentService.builder(r -> calls.incrementAndGet())
                .clock(time).retention(Duration.ofHours(24)).build();

        s.execute(request("e1", 1));
        time.advance(Duration.ofHours(23));
        s.execute(request("e1", 2));
        assertThat(calls).hasValue(1);
        time.advance(Duration.ofHours(2));
        s.execute(request("e1", 3));
        assertThat(calls).hasValue(2);
    }

    @Test
    void failuresAreNotCached() {
        AtomicInteger calls = new AtomicInteger();
        IdempotentService s = IdempotentService.builder(r -> {
            if (calls.incrementAndGet() == 1) {
                throw new ServiceException("not yet", true);
            }
            return "done";
        }).build();

        assertThatThrownBy(() -> s.execute(request("e1", 1))).isInstanceOf(ServiceException.class)
                .hasMessage("not yet");
        assertThat(s.execute(request("e1", 2))).isEqualTo("done");
        assertThat(s.execute(request("e1", 3))).isEqualTo("done");
        assertThat(calls).hasValue(2);
    }

    @Test
    void anUnexpectedFailureIsReportedAsRetryable() {
        IdempotentService s = IdempotentService.builder(r -> {
            throw new IllegalStateException("boom");
        }).build();
        assertThatThrownBy(() -> s.execute(request("e1", 1))).isInstanceOfSatisfying(ServiceException.class,
                e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void aPluggableStoreIsUsed() {
        Map<String, ResultStore.StoredResult> map = new java.util.concurrent.ConcurrentHashMap<>();
        ResultStore store = new ResultStore() {
            @Override
            public java.util.Optional<StoredResult> get(String id) {
                return java.util.Optional.ofNullable(map.get(id));
            }

            @Override
            public void put(String id, StoredResult result, Duration retention) {
                map.putIfAbsent(id, result);
            }
        };
        map.put("e1", new ResultStore.StoredResult("from elsewhere"));
        IdempotentService s = IdempotentService.builder(r -> "fresh").store(store).build();
        assertThat(s.execute(request("e1", 1))).isEqualTo("from elsewhere");
        assertThat(s.execute(request("e2", 1))).isEqualTo("fresh");
        assertThat(map).containsKey("e2");
    }

    @Test
    void concurrentDuplicatesWaitForTheFirstAndNeverRunTwice() throws Exception {
        int threads = 32;
        int rounds = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                AtomicInteger calls = new AtomicInteger();
                CountDownLatch inHandler = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                IdempotentService s = IdempotentService.builder(r -> {
                    int n = calls.incrementAndGet();
                    inHandler.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    return n;
                }).build();
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Object>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    int attempt = i + 1;
                    results.add(pool.submit(() -> {
                        start.await();
                        return s.execute(request("exec-" + 0, attempt));
                    }));
                }
                start.countDown();
                assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
                release.countDown();
                for (Future<Object> f : results) {
                    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
                }
                assertThat(calls).as("round %d", round).hasValue(1);
                assertThat(s.executions()).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentDuplicatesOfAFailedRunSeeItsFailureAndTheNextAttemptRunsAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IdempotentService s = IdempotentService.builder(r -> {
            if (calls.incrementAndGet() == 1) {
                inHandler.countDown();
                release.await(10, TimeUnit.SECONDS);
                throw new ServiceException("transient", true);
            }
            return "ok";
        }).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Object> first = pool.submit(() -> s.execute(request("e", 1)));
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Object> second = pool.submit(() -> s.execute(request("e", 2)));
            release.countDown();
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ServiceException.class);
            // the second either joined the failed run or ran after it: never two concurrent executions
            try {
                assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(ServiceException.class);
            }
            assertThat(s.execute(request("e", 3))).isEqualTo("ok");
        } finally {
            pool.shutdownNow();
        }
    }

    /** A store whose reads or writes throw. */
    private static ResultStore failing(boolean gets, boolean puts) {
        return new ResultStore() {
            @Override
            public java.util.Optional<StoredResult> get(String id) {
                if (gets) {
                    throw new IllegalStateException("database down");
                }
                return java.util.Optional.empty();
            }

            @Override
            public void put(String id, StoredResult result, Duration retention) {
                if (puts) {
                    throw new IllegalStateException("database down");
                }
            }
        };
    }

    @Test
    void aStoreThatCannotKeepTheResultStillAnswersTheCallerAndItsWaitingDuplicates() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        IdempotentService s = IdempotentService.builder(r -> {
            calls.incrementAndGet();
            inHandler.countDown();
            release.await(10, TimeUnit.SECONDS);
            return "charged";
        }).store(failing(false, true)).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Object> first = pool.submit(() -> s.execute(request("e", 1)));
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Object> duplicate = pool.submit(() -> s.execute(request("e", 2)));
            while (s.duplicates() == 0) {
                Thread.onSpinWait();
            }
            release.countDown();
            // before: the caller got the store's IllegalStateException and the duplicate waited forever
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("charged");
            assertThat(duplicate.get(10, TimeUnit.SECONDS)).isEqualTo("charged");
            assertThat(calls).hasValue(1);
            assertThat(s.storeFailures()).isEqualTo(1);
            // nothing was kept, so a later duplicate runs the handler again, as the README says
            assertThat(s.execute(request("e", 3))).isEqualTo("charged");
            assertThat(calls).hasValue(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStoreThatCannotBeReadIsARetryableServiceFailureAndTheHandlerDoesNotRun() {
        AtomicInteger calls = new AtomicInteger();
        IdempotentService s = IdempotentService.builder(r -> calls.incrementAndGet()).store(failing(true, false))
                .build();
        assertThatThrownBy(() -> s.execute(request("e", 1))).isInstanceOfSatisfying(ServiceException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).isEqualTo("the result store failed: java.lang.IllegalStateException");
            assertThat(e.getCause()).hasMessage("database down");
        });
        assertThat(calls).hasValue(0);
    }

    @Test
    void anInterruptedDuplicateStopsWaitingForTheRunInFlight() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IdempotentService s = IdempotentService.builder(r -> {
            inHandler.countDown();
            release.await(30, TimeUnit.SECONDS);
            return "late";
        }).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            pool.submit(() -> s.execute(request("e", 1)));
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
            java.util.concurrent.atomic.AtomicReference<Object> got = new java.util.concurrent.atomic.AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    got.set(s.execute(request("e", 2)));
                } catch (RuntimeException e) {
                    got.set(e);
                }
                got.compareAndSet(null, "no outcome");
                if (Thread.currentThread().isInterrupted()) {
                    got.set(got.get() + " (interrupted)");
                }
            });
            waiter.start();
            while (s.duplicates() == 0) {
                Thread.onSpinWait();
            }
            waiter.interrupt();
            // before: the waiter swallowed the interrupt and waited on, so a server's shutdown never ended it
            waiter.join(10_000);
            assertThat(waiter.isAlive()).isFalse();
            assertThat(String.valueOf(got.get())).contains("ServiceException", "interrupted while waiting");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void anInterruptedHandlerLeavesItsThreadInterrupted() {
        IdempotentService s = IdempotentService.builder(r -> {
            throw new InterruptedException("closing");
        }).build();
        assertThatThrownBy(() -> s.execute(request("e", 1))).isInstanceOfSatisfying(ServiceException.class,
                e -> assertThat(e.retryable()).isTrue());
        // before: the InterruptedException was wrapped and the interrupt lost
        assertThat(Thread.interrupted()).isTrue();
    }
}
