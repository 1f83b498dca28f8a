package dev.baton.plan;

/**
 * A string that starts with {@code $} but is not a well-formed reference.
 */
public final class ReferenceSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The offending reference text. */
    private final String text;
    /** Zero-based position of the problem. */
    private final int position;

    /**
     * Creates the exception.
     *
     * @param text     the offending reference text
     * @param position zero-based character position of the problem in {@code text}
     * @param reason   what is wrong, for a person
     */
    public ReferenceSyntaxException(String text, int position, String reason) {
        super("invalid reference '" + abbreviate(text) + "' at character " + position + ": " + reason);
        this.text = text;
        this.position = position;
    }

    /** @return the offending reference text */
    public String text() {
        return text;
    }

    /** @return zero-based position of the problem */
    public int position() {
        return position;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
