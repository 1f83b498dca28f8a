package dev.baton.internal.engine;

import dev.baton.BatonException;

/**
 * Whether a {@link BatonException} a handler threw is worth another attempt. Codes of failures that another attempt
 * cannot fix are listed here; everything else is retryable.
 */
final class Retryability {

    private Retryability() {
    }

    static boolean of(BatonException b) {
        return switch (b.code()) {
            case "NON_RETRYABLE", "SCHEMA_VIOLATION", "INVALID_OUTPUT", "REFERENCE_UNRESOLVED", "INVALID_PLAN" -> false;
            default -> true;
        };
    }
}
