package dev.baton.integration;

import dev.baton.Orchestrator;
import dev.baton.RunHandle;
import dev.baton.RunOptions;
import dev.baton.RunResult;
import dev.baton.plan.Plan;
import dev.baton.store.jdbc.JdbcRunStore;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process the durability tests kill: builds an orchestrator on a JDBC store (which resumes the runs a killed
 * predecessor left unfinished), submits its share of the run ids (an existing id is idempotent and just returns the
 * run's handle), waits for them, prints {@code DONE}, and then either exits or, when told to linger, stays up (its
 * upkeep timer taking over expired leases) until the parent closes its standard input.
 *
 * <p>Arguments: {@code h2|pg <jdbcUrl> <generation> <instanceId|-> <leaseMillis> <fromRun> <toRun> exit|linger
 * [stallAfter]}; with {@code stallAfter} the handler stops returning after that many deliveries (see
 * {@link LedgerWorkload#handler(DataSource, boolean, int, int)}).
 */
public final class DurableChild {

    private DurableChild() {
    }

    public static void main(String[] args) throws Exception {
        boolean postgres = args[0].equals("pg");
        String url = args[1];
        int generation = Integer.parseInt(args[2]);
        String instanceId = args[3];
        long leaseMillis = Long.parseLong(args[4]);
        int from = Integer.parseInt(args[5]);
        int to = Integer.parseInt(args[6]);
        boolean linger = args[7].equals("linger");
        int stallAfter = args.length > 8 ? Integer.parseInt(args[8]) : Integer.MAX_VALUE;

        JdbcConnectionPool pool = pool(postgres, url);
        LedgerWorkload.createTables(pool);
        JdbcRunStore store = postgres ? JdbcRunStore.postgres(pool) : JdbcRunStore.h2(pool);
        Orchestrator.Builder builder = Orchestrator.builder()
                .store(store)
                // at most 16 ledger tasks at once, below the pool's 32 connections, as a service backed by a pool
                // should be declared: with virtual threads (JDK 21+) every ready task would otherwise start at once
                // and the handlers would queue for connections ahead of the store's writer
                .service(dev.baton.planner.ServiceDescriptor.of(LedgerWorkload.SERVICE),
                        LedgerWorkload.handler(pool, postgres, generation, stallAfter),
                        dev.baton.ServiceOptions.builder().capacity(16).build());
        if (!instanceId.equals("-")) {
            builder.instanceId(instanceId).leaseDuration(Duration.ofMillis(leaseMillis));
        }
        Orchestrator orchestrator = builder.build();
        System.out.println("READY " + generation);
        System.out.flush();

        Plan plan = LedgerWorkload.plan();
        // submits of distinct ids do not wait on each other, but each waits for its run's creation to be durable:
        // submitting from several threads gets every run into the store before most of the work is done, so a kill
        // after SUBMITTED lands mid-work
        ExecutorService submitters = Executors.newFixedThreadPool(8);
        List<Future<RunHandle>> submitted = new ArrayList<>();
        AtomicInteger fresh = new AtomicInteger();
        for (int n = from; n < to; n++) {
            String runId = LedgerWorkload.runId(n);
            submitted.add(submitters.submit(() -> {
                // a submit is idempotent, so a store hiccup (a pooled connection found dead) is retried by the caller
                for (int attempt = 1; ; attempt++) {
                    try {
                        if (store.run(runId).isEmpty()) {
                            fresh.incrementAndGet();
                        }
                        return orchestrator.submit(plan, RunOptions.builder().runId(runId).build());
                    } catch (RuntimeException e) {
                        if (attempt == 5) {
                            throw e;
                        }
                        System.out.println("submit of " + runId + " failed (" + e + "); retrying");
                    }
                }
            }));
        }
        List<RunHandle> handles = new ArrayList<>();
        for (Future<RunHandle> f : submitted) {
            handles.add(f.get());
        }
        submitters.shutdown();
        System.out.println("SUBMITTED " + fresh + " new of " + handles.size());
        System.out.flush();
        for (RunHandle h : handles) {
            // a run this instance lost to another (a renewal came late) is followed there: the handle still ends
            RunResult r = h.await(Duration.ofMinutes(2));
            if (!r.isCompleted()) {
                System.out.println("NOT COMPLETED " + r);
            }
        }
        System.out.println("DONE " + generation);
        System.out.flush();
        if (linger) {
            // the parent closes our stdin when it has seen every run end; until then the upkeep timer keeps working
            InputStream in = System.in;
            while (in.read() >= 0) {
                // ignore input; only the end of the stream matters
            }
        }
        orchestrator.close();
        store.close();
        pool.dispose();
    }

    static JdbcConnectionPool pool(boolean postgres, String url) throws IOException {
        JdbcConnectionPool pool;
        if (postgres) {
            PGConnectionPoolDataSource ds = new PGConnectionPoolDataSource();
            ds.setUrl(url);
            pool = JdbcConnectionPool.create(ds);
        } else {
            pool = JdbcConnectionPool.create(url, "sa", "");
        }
        pool.setMaxConnections(32);
        return pool;
    }

    /** @return the same kind of pool the child uses, for the parent's checks */
    static DataSource parentPool(boolean postgres, String url) throws IOException {
        return pool(postgres, url);
    }
}
