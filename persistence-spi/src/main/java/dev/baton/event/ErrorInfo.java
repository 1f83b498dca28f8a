package dev.baton.event;

import java.util.Objects;

/**
 * Why something failed, as recorded in the log: a stable code, a message for a person and the failure's type.
 * Never holds a stack trace or a secret.
 *
 * @param code    stable upper-case code, e.g. {@code HANDLER_ERROR}, {@code TIMEOUT}, {@code REFERENCE_UNRESOLVED}
 * @param message what went wrong
 * @param type    the exception class name, or {@code null}
 */
public record ErrorInfo(String code, String message, String type) {

    /**
     * Checks the components.
     *
     * @param code    stable upper-case code, e.g. {@code HANDLER_ERROR}, {@code TIMEOUT}, {@code REFERENCE_UNRESOLVED}
     * @param message what went wrong
     * @param type    the exception class name, or {@code null}
     */
    public ErrorInfo {
        Objects.requireNonNull(code, "code");
        message = message == null ? "" : message;
    }

    /**
     * An error without an exception type.
     *
     * @param code    stable code
     * @param message what went wrong
     * @return the error
     */
    public static ErrorInfo of(String code, String message) {
        return new ErrorInfo(code, message, null);
    }

    @Override
    public String toString() {
        return code + ": " + message;
    }
}
