package dev.baton.persistence;

/**
 * A store could not do what was asked (connection lost, statement timed out, ...). Callers may retry: an append that
 * threw either happened entirely or not at all.
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed
     * @param cause   the underlying failure
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message what failed
     */
    public StoreException(String message) {
        super(message);
    }
}
