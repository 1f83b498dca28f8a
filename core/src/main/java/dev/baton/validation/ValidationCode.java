package dev.baton.validation;

/**
 * The stable codes of plan problems. Tools and callers switch on these names; they never change meaning.
 */
public enum ValidationCode {
    /** The plan has no executable task. */
    EMPTY_PLAN,
    /**
     * Right JSON, wrong shape: tasks not an array, an id that is not a string, an input that is not an object, a
     * {@code task0} naming a service...
     */
    INVALID_STRUCTURE,
    /** The text is not JSON; the message gives line and column. */
    MALFORMED_JSON,
    /** A task id does not match {@code [A-Za-z0-9_-]{1,128}}. */
    INVALID_TASK_ID,
    /** Two tasks share an id. */
    DUPLICATE_TASK_ID,
    /** A task other than {@code task0} names no service. */
    MISSING_SERVICE,
    /** A task names a service the catalog does not hold. */
    UNKNOWN_SERVICE,
    /** A string starting with {@code $} is not a well-formed reference. */
    INVALID_REFERENCE,
    /** A reference or {@code depends_on} names no task of the plan, or a parameter {@code task0} lacks. */
    DANGLING_REFERENCE,
    /** A task references or depends on itself. */
    SELF_REFERENCE,
    /** Tasks wait for each other in a circle; the message shows it, e.g. {@code a -> b -> a}. */
    CYCLE,
    /** A parallel group names a task that is not in the plan (or {@code task0}, which never runs). */
    GROUP_UNKNOWN_TASK,
    /** A task appears more than once in the parallel groups. */
    GROUP_DUPLICATE_TASK,
    /** A task appears in no parallel group although the plan gives groups. */
    GROUP_MISSING_TASK,
    /** A task is not in a strictly later group than each of its dependencies. */
    GROUP_ORDER,
    /** A literal input does not match the service's input JSON Schema, or that schema is itself invalid. */
    SCHEMA_VIOLATION,
    /** A reference path names a property the producer's closed output schema does not declare. */
    UNKNOWN_OUTPUT_FIELD,
    /** The plan exceeds a configured {@link ValidationLimits limit}. */
    LIMIT_EXCEEDED
}
