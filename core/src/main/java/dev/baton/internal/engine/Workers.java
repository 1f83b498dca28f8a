package dev.baton.internal.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses the executor for blocking handlers: a virtual thread per task where the running JVM has them (looked up
 * reflectively, since the code is compiled for Java 17), else a bounded pool of daemon threads.
 */
public final class Workers {

    private Workers() {
    }

    private static final MethodHandle VIRTUAL = lookupVirtual();

    private static MethodHandle lookupVirtual() {
        try {
            return MethodHandles.publicLookup().findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
                    MethodType.methodType(ExecutorService.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The fallback pool's default size: handlers mostly wait on I/O, so several threads per core, and never fewer than
     * 16.
     *
     * @param cores the processors available
     * @return max(16, 8 &times; cores)
     */
    public static int defaultPoolSize(int cores) {
        return Math.max(16, 8 * cores);
    }

    /** @return {@link #defaultPoolSize(int)} for the processors available to this JVM */
    public static int defaultPoolSize() {
        return defaultPoolSize(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Creates the default handler executor.
     *
     * @param poolSize threads of the fallback pool
     * @return a virtual-thread-per-task executor, or a bounded pool
     */
    public static ExecutorService create(int poolSize) {
        if (VIRTUAL != null) {
            try {
                return (ExecutorService) VIRTUAL.invoke();
            } catch (Throwable e) {
                // fall through to the pool
            }
        }
        return pool(poolSize);
    }

    /** The bounded pool used where the JVM has no virtual threads: fixed size, unbounded queue, daemon threads. */
    static ExecutorService pool(int poolSize) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(poolSize, poolSize, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "baton-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
