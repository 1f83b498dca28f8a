package dev.baton.plan;

/**
 * A value given as JSON that is not one: an object key that is not a string or appears twice, a type that is not a
 * JSON type, a number that is not finite, nesting past {@link JsonValues#MAX_DEPTH}. It says where, as a JSON pointer
 * into the value that was checked, so that a reader can report the problem at its place.
 */
public final class InvalidJsonValueException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Where the offending value is, as an RFC 6901 pointer into the value checked; empty for the value itself. */
    private final String pointer;
    /** What is wrong, for a person, without where. */
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param subject whose value it is, for the message ({@code task 'x' input}), or {@code null}
     * @param pointer where the offending value is, as a JSON pointer into the value checked ({@code ""} for itself)
     * @param reason  what is wrong, for a person, without where
     */
    public InvalidJsonValueException(String subject, String pointer, String reason) {
        // the pointer is made of the value's keys: quoted shortened and on one line, as the keys in the reason are
        super((subject == null ? "" : subject + ": ") + reason + " at '" + ReferenceSyntaxException.abbreviate(pointer)
                + "'");
        this.pointer = pointer;
        this.reason = reason;
    }

    /** @return where the offending value is, as a JSON pointer into the value checked; empty for the value itself */
    public String pointer() {
        return pointer;
    }

    /** @return what is wrong, without where */
    public String reason() {
        return reason;
    }
}
