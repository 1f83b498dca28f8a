package dev.baton;

/**
 * The root of every exception Baton throws on purpose. Unchecked; each subtype carries a stable {@link #code()} that
 * callers and tools can switch on, and context fields that say what went wrong and where.
 */
public class BatonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The stable code of this failure. */
    private final String code;

    /**
     * @param code    a stable, upper-case code such as {@code INVALID_PLAN}
     * @param message what went wrong, for a person
     */
    public BatonException(String code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * @param code    a stable, upper-case code
     * @param message what went wrong, for a person
     * @param cause   the underlying cause
     */
    public BatonException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** @return the stable code of this failure */
    public String code() {
        return code;
    }
}
