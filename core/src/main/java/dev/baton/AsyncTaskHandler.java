package dev.baton;

import java.util.concurrent.CompletionStage;

/**
 * An in-process service that completes asynchronously. It is called on an orchestrator thread and must not block:
 * it starts the work and returns a stage that completes with the output (a plain JSON value, or anything the
 * {@link ValueMapper} converts) or exceptionally.
 *
 * <p>When the attempt times out or its run is cancelled, the orchestrator cancels the returned stage's future (if it
 * is a {@link java.util.concurrent.Future}).
 */
@FunctionalInterface
public interface AsyncTaskHandler {

    /**
     * Starts one attempt of a task.
     *
     * @param ctx the task's context
     * @return a stage completing with the task's output
     */
    CompletionStage<Object> handle(TaskContext ctx);
}
