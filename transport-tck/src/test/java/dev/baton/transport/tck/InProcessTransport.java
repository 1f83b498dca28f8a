package dev.baton.transport.tck;

import dev.baton.NonRetryableException;
import dev.baton.RetryableException;
import dev.baton.transport.TaskRequest;
import dev.baton.transport.TaskTransport;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A transport that calls its service's script on a pool of its own: the smallest correct transport, and, with flaws
 * switched on, the broken ones the kit must catch.
 */
final class InProcessTransport implements TaskTransport {

    /** One way a transport can break the contract. */
    enum Flaw {
        /** sends the run id where the execution id belongs */
        WRONG_IDEMPOTENCY_KEY,
        /** sends {@code runId/taskId} as the execution id, which a re-planned task's id is not */
        DERIVES_EXECUTION_ID,
        /** drops the correlation id */
        DROPS_CORRELATION_ID,
        /** waits for the answer inside dispatch */
        BLOCKS_IN_DISPATCH,
        /** calls rejections retryable */
        RETRIES_REJECTIONS,
        /** loses the service's Retry-After */
        DROPS_RETRY_AFTER,
        /** puts the service's whole reason in the message */
        UNBOUNDED_MESSAGES,
        /** calls the service after the deadline */
        IGNORES_DEADLINE,
        /** hands the output over in a wrapper of its own */
        FOREIGN_OUTPUT,
        /** hands each answer to the oldest call still waiting, as over one connection read in order */
        ANSWERS_IN_CALL_ORDER,
        /** never completes a dispatch after close */
        HANGS_AFTER_CLOSE,
        /** fails every call after one was cancelled */
        BREAKS_AFTER_CANCEL
    }

    /** An output wrapped as a sloppy transport might hand it over. */
    record Wrapped(Object value) {
    }

    private final ServiceScript script;
    private final Set<Flaw> flaws;
    private final boolean reachable;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "in-process-service");
        t.setDaemon(true);
        return t;
    });
    private final Queue<CompletableFuture<Object>> waiting = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private volatile boolean cancelled;

    InProcessTransport(ServiceScript script, boolean reachable, Set<Flaw> flaws) {
        this.script = script;
        this.reachable = reachable;
        this.flaws = flaws.isEmpty() ? EnumSet.noneOf(Flaw.class) : EnumSet.copyOf(flaws);
    }

    @Override
    public CompletionStage<Object> dispatch(TaskRequest request) {
        if (closed) {
            return flaws.contains(Flaw.HANGS_AFTER_CLOSE) ? new CompletableFuture<>()
                    : CompletableFuture.failedFuture(new RetryableException("the transport is closed"));
        }
        if (flaws.contains(Flaw.BREAKS_AFTER_CANCEL) && cancelled) {
            return CompletableFuture.failedFuture(new NonRetryableException("a call was cancelled before"));
        }
        if (!reachable) {
            return CompletableFuture.failedFuture(new RetryableException("service '" + request.service()
                    + "' cannot be reached"));
        }
        if (request.deadline() != null && !request.deadline().isAfter(Instant.now())
                && !flaws.contains(Flaw.IGNORES_DEADLINE)) {
            return CompletableFuture.failedFuture(new RetryableException("the attempt's deadline has passed"));
        }
        String executionId = flaws.contains(Flaw.DERIVES_EXECUTION_ID) ? request.runId() + "/" + request.taskId()
                : request.executionId();
        ServiceCall call = new ServiceCall(request.runId(), request.taskId(), request.service(),
                executionId, request.attempt(), request.input(),
                flaws.contains(Flaw.WRONG_IDEMPOTENCY_KEY) ? request.runId() : executionId,
                flaws.contains(Flaw.DROPS_CORRELATION_ID) ? null : request.correlationId());
        CompletableFuture<Object> out = new CompletableFuture<>();
        if (flaws.contains(Flaw.BLOCKS_IN_DISPATCH)) {
            settle(out, call);
            return out;
        }
        if (flaws.contains(Flaw.ANSWERS_IN_CALL_ORDER)) {
            waiting.add(out);
        }
        Future<?> running = pool.submit(() -> {
            try {
                if (flaws.contains(Flaw.ANSWERS_IN_CALL_ORDER)) {
                    CompletableFuture<Object> answer = new CompletableFuture<>();
                    settle(answer, call);
                    CompletableFuture<Object> oldest = oldestWaiting(); // taken once the answer is in, as read
                    answer.whenComplete((v, e) -> {
                        if (e != null) {
                            oldest.completeExceptionally(e);
                        } else {
                            oldest.complete(v);
                        }
                    });
                } else {
                    settle(out, call);
                }
            } catch (RuntimeException | Error e) {
                out.completeExceptionally(e); // a bug here fails the test at once instead of leaving it waiting
            }
        });
        out.whenComplete((v, e) -> {
            if (out.isCancelled()) {
                cancelled = true;
                running.cancel(true);
            }
        });
        return out;
    }

    /** The future of the oldest call not yet answered: where a transport that matches answers by order puts one. */
    private CompletableFuture<Object> oldestWaiting() {
        CompletableFuture<Object> oldest = waiting.poll();
        return oldest != null ? oldest : new CompletableFuture<>();
    }

    private void settle(CompletableFuture<Object> out, ServiceCall call) {
        ServiceAnswer answer;
        try {
            answer = script.answer(call);
        } catch (InterruptedException e) {
            out.completeExceptionally(new RetryableException("the call was aborted"));
            return;
        } catch (RuntimeException e) {
            out.completeExceptionally(new RetryableException("service '" + call.service() + "' failed: "
                    + cut(String.valueOf(e.getMessage()))));
            return;
        }
        if (answer instanceof ServiceAnswer.Output o) {
            out.complete(flaws.contains(Flaw.FOREIGN_OUTPUT) ? new Wrapped(o.value()) : o.value());
        } else if (answer instanceof ServiceAnswer.Unavailable u) {
            out.completeExceptionally(new RetryableException("service unavailable: " + cut(u.reason()),
                    flaws.contains(Flaw.DROPS_RETRY_AFTER) ? null : u.retryAfter(), null));
        } else if (answer instanceof ServiceAnswer.Rejected r) {
            String message = "service rejected the call: "
                    + (flaws.contains(Flaw.UNBOUNDED_MESSAGES) ? r.reason() : cut(r.reason()));
            out.completeExceptionally(flaws.contains(Flaw.RETRIES_REJECTIONS) ? new RetryableException(message)
                    : new NonRetryableException(message));
        } else {
            out.completeExceptionally(new NonRetryableException("the service's answer is not JSON"));
        }
    }

    private static String cut(String text) {
        return text.length() <= 512 ? text : text.substring(0, 512) + "...";
    }

    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
    }
}
