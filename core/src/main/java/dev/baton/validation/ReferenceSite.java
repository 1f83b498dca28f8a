package dev.baton.validation;

import dev.baton.plan.Reference;

import java.util.Objects;

/**
 * Where a reference sits inside a task's input, with the parsed reference.
 *
 * @param pointer   JSON pointer inside the task input, e.g. {@code /customer/id}
 * @param reference the parsed reference
 */
public record ReferenceSite(String pointer, Reference reference) {

    /**
     * Checks the components.
     *
     * @param pointer   JSON pointer inside the task input, e.g. {@code /customer/id}
     * @param reference the parsed reference
     */
    public ReferenceSite {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(reference, "reference");
    }
}
