package dev.baton.validation;

import java.util.Objects;

/**
 * One way a value fails a JSON Schema, as reported by a {@link SchemaChecker}.
 *
 * @param pointer JSON pointer of the failing value inside the checked value ({@code ""} for the value itself)
 * @param message what is wrong, for a person
 */
public record SchemaViolation(String pointer, String message) {

    /**
     * Checks the components.
     *
     * @param pointer JSON pointer of the failing value inside the checked value ({@code ""} for the value itself)
     * @param message what is wrong, for a person
     */
    public SchemaViolation {
        pointer = pointer == null ? "" : pointer;
        Objects.requireNonNull(message, "message");
    }
}
