package dev.baton;

/**
 * Turns what a handler returns into a plain Java JSON value (Map/List/String/Number/Boolean/null).
 *
 * <p>The core accepts JSON values as they are; anything else goes through the configured mapper (the JSON adapter
 * ships one backed by Jackson). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ValueMapper {

    /**
     * Converts a value to plain JSON values.
     *
     * @param value a handler's result that is not already a JSON value
     * @return the JSON equivalent
     * @throws IllegalArgumentException if the value cannot be represented as JSON (the message says why)
     */
    Object toJson(Object value);
}
