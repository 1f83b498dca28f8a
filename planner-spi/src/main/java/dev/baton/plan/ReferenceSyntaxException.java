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

    /**
     * The text as the message quotes it: at most 200 characters, on one line, with control, line-separating and
     * bidirectional-override characters escaped (as in Java: a backslash and {@code n}, or {@code u} and four hex
     * digits), since a reference
     * comes from the plan and the message goes to a person's log or terminal.
     */
    static String abbreviate(String s) {
        int n = Math.min(s.length(), 200);
        if (n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--;
        }
        StringBuilder b = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean escape = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                    || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
            if (escape && b == null) {
                b = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (escape) {
                b.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                        : String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        String head = b != null ? b.toString() : n == s.length() ? s : s.substring(0, n);
        return n == s.length() ? head : head + "...";
    }
}
