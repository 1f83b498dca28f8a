package dev.baton.internal.engine;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The default handler executor: virtual threads where the JVM has them, else a bounded pool of max(16, 8 × cores). */
class WorkersTest {

    @Test
    void theDefaultPoolSizeIsEightThreadsPerCoreAndAtLeastSixteen() {
        assertThat(Workers.defaultPoolSize(1)).isEqualTo(16);
        assertThat(Workers.defaultPoolSize(2)).isEqualTo(16);
        assertThat(Workers.defaultPoolSize(3)).isEqualTo(24);
        assertThat(Workers.defaultPoolSize(8)).isEqualTo(64);
        assertThat(Workers.defaultPoolSize())
                .isEqualTo(Math.max(16, 8 * Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void theFallbackPoolHasExactlyThatManyDaemonThreadsAndQueuesTheRest() throws Exception {
        ExecutorService pool = Workers.pool(3);
        try {
            assertThat(pool).isInstanceOfSatisfying(ThreadPoolExecutor.class, p -> {
                assertThat(p.getCorePoolSize()).isEqualTo(3);
                assertThat(p.getMaximumPoolSize()).isEqualTo(3);
            });
            CountDownLatch running = new CountDownLatch(3);
            CountDownLatch release = new CountDownLatch(1);
            List<CompletableFuture<Thread>> threads = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                threads.add(CompletableFuture.supplyAsync(() -> {
                    running.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Thread.currentThread();
                }, pool));
            }
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            // three threads are busy: the fourth task waits in the queue instead of getting a thread or a rejection
            assertThat(((ThreadPoolExecutor) pool).getQueue()).hasSize(1);
            assertThat(((ThreadPoolExecutor) pool).getPoolSize()).isEqualTo(3);
            release.countDown();
            for (CompletableFuture<Thread> f : threads) {
                Thread t = f.get(10, TimeUnit.SECONDS);
                assertThat(t.isDaemon()).isTrue();
                assertThat(t.getName()).matches("baton-worker-[123]");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withoutVirtualThreadsTheDefaultExecutorIsThePool() {
        assumeTrue(Runtime.version().feature() < 19, "this JVM has virtual threads");
        ExecutorService e = Workers.create(5);
        try {
            assertThat(e).isInstanceOfSatisfying(ThreadPoolExecutor.class,
                    p -> assertThat(p.getMaximumPoolSize()).isEqualTo(5));
        } finally {
            e.shutdownNow();
        }
    }

    @Test
    void withVirtualThreadsTheDefaultExecutorRunsEachTaskOnOne() throws Exception {
        assumeTrue(Runtime.version().feature() >= 21, "this JVM has no virtual threads");
        ExecutorService e = Workers.create(5);
        try {
            Thread t = CompletableFuture.supplyAsync(Thread::currentThread, e).get(10, TimeUnit.SECONDS);
            Method isVirtual = Thread.class.getMethod("isVirtual");
            assertThat((Boolean) isVirtual.invoke(t)).isTrue();
        } finally {
            e.shutdownNow();
        }
    }
}
