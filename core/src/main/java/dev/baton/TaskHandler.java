package dev.baton;

/**
 * An in-process service: receives a task's resolved input and returns its output.
 *
 * <p>The handler may block (it runs on a virtual thread where the JVM has them, else on a bounded pool, or on the
 * executor given to the builder). It returns a plain JSON value (Map/List/String/Number/Boolean/null); any other
 * type goes through the orchestrator's {@link ValueMapper}. Throwing fails the attempt: a
 * {@link NonRetryableException} fails the task at once, anything else is retried per the service's retry policy.
 *
 * <p>The same execution may be delivered more than once (after a crash, a timeout or a redrive): a handler with side
 * effects makes them idempotent by keying them on {@link TaskContext#executionId()}.
 */
@FunctionalInterface
public interface TaskHandler {

    /**
     * Handles one attempt of a task.
     *
     * @param ctx the task's context: ids, attempt, resolved input, deadline
     * @return the task's output
     * @throws Exception to fail the attempt
     */
    Object handle(TaskContext ctx) throws Exception;
}
