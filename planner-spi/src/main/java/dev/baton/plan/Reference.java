package dev.baton.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A reference to an earlier task's output: {@code $<taskId>} (the whole output) or {@code $<taskId>.<path>}, where
 * the path is object keys separated by {@code .}, each optionally followed by {@code [n]} array indexes
 * ({@code $task1.items[0].id}). {@code task0} is the caller's parameters.
 *
 * <p>Any string value in a task's input that starts with {@code $} is a reference, except that a leading {@code $$}
 * escapes a literal {@code $} ({@code "$$100"} is the text {@code $100}). There is no other syntax: no expressions
 * and no interpolation inside longer text. Resolution is a path look-up and nothing else.
 *
 * @param taskId the producing task's id
 * @param path   the steps into its output; empty for the whole output
 */
public record Reference(String taskId, List<PathSegment> path) {

    /** The id of the pseudo-task holding the caller's parameters. */
    public static final String PARAMS_TASK = "task0";

    /** Task ids: 1 to 128 letters, digits, {@code _} or {@code -}. */
    public static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    /** The longest reference text accepted, in characters; longer text is a syntax error, not a big allocation. */
    public static final int MAX_LENGTH = 4_096;

    /**
     * Checks and freezes the components.
     *
     * @param taskId the producing task's id
     * @param path   the steps into its output; empty for the whole output
     */
    public Reference {
        if (taskId == null || !isTaskId(taskId)) {
            throw new IllegalArgumentException("invalid task id in reference: " + taskId);
        }
        path = List.copyOf(path);
    }

    /**
     * Whether a JSON value is a reference (a string starting with a single {@code $}).
     *
     * @param value any JSON value
     * @return true if the value must be parsed as a reference
     */
    public static boolean isReference(Object value) {
        return value instanceof String s && s.length() > 0 && s.charAt(0) == '$'
                && !(s.length() > 1 && s.charAt(1) == '$');
    }

    /**
     * Whether a JSON value is an escaped literal ({@code $$...}), whose value drops the first {@code $}.
     *
     * @param value any JSON value
     * @return true for strings starting with {@code $$}
     */
    public static boolean isEscaped(Object value) {
        return value instanceof String s && s.startsWith("$$");
    }

    /**
     * The literal a string value stands for: {@code "$$100"} is {@code "$100"}; any other string is itself.
     *
     * @param text a string value that is not a reference
     * @return the literal text
     */
    public static String unescape(String text) {
        return text.startsWith("$$") ? text.substring(1) : text;
    }

    /**
     * Whether a string is a valid task id ({@code [A-Za-z0-9_-]{1,128}}).
     *
     * @param id a candidate id
     * @return true if valid
     */
    public static boolean isTaskId(String id) {
        int n = id.length();
        if (n < 1 || n > 128) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!isIdChar(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIdChar(char c) {
        return c < 128 && ASCII[c] == ID_CHAR;
    }

    // classes of ASCII characters, so that scanning a reference costs one table read per character
    private static final byte KEY_CHAR = 0; // may appear in a path key
    private static final byte ID_CHAR = 1; // may appear in a task id, and in a key
    private static final byte SPECIAL = 2; // '.', '[' or ']'
    private static final byte SPACE = 3; // whitespace or a control character: never in a reference
    private static final byte[] ASCII = new byte[128];

    static {
        for (char c = 0; c < 128; c++) {
            boolean id = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            ASCII[c] = id ? ID_CHAR : c == '.' || c == '[' || c == ']' ? SPECIAL
                    : Character.isWhitespace(c) || Character.isISOControl(c) ? SPACE : KEY_CHAR;
        }
    }

    /**
     * Parses reference text such as {@code $task1.items[0].id}.
     *
     * @param text the text, starting with {@code $}
     * @return the reference
     * @throws ReferenceSyntaxException if the text is not a well-formed reference
     */
    public static Reference parse(String text) {
        List<PathSegment> path = new ArrayList<>(4);
        int idEnd = scan(text, path);
        return new Reference(text.substring(1, idEnd), path);
    }

    /**
     * Checks reference text by the rules of {@link #parse(String)} without building the reference: nothing is
     * allocated for well-formed text, which lets a validator check many references cheaply and look the task id up
     * in place. {@code parse} succeeds on exactly the texts this accepts.
     *
     * @param text the text, starting with {@code $}
     * @return the index just past the task id: the id is {@code text.substring(1, result)}, and the path, if any,
     *         starts at {@code result}
     * @throws ReferenceSyntaxException exactly when {@code parse} would, with the same message and position
     */
    public static int checkSyntax(String text) {
        return scan(text, null);
    }

    /** The one grammar behind parse and checkSyntax: segments go to {@code path} unless it is null. */
    private static int scan(String text, List<PathSegment> path) {
        int n = text.length();
        if (n == 0 || text.charAt(0) != '$') {
            throw new ReferenceSyntaxException(text, 0, "a reference starts with '$'");
        }
        if (n > MAX_LENGTH) {
            throw new ReferenceSyntaxException(text, MAX_LENGTH, "longer than " + MAX_LENGTH + " characters");
        }
        if (n > 1 && text.charAt(1) == '$') {
            throw new ReferenceSyntaxException(text, 1, "'$$' is an escaped literal, not a reference");
        }
        int i = 1;
        while (i < n && isIdChar(text.charAt(i))) {
            i++;
        }
        if (i == 1) {
            throw new ReferenceSyntaxException(text, 1, "expected a task id after '$'");
        }
        if (i - 1 > 128) {
            throw new ReferenceSyntaxException(text, 129, "a task id has at most 128 characters");
        }
        int idEnd = i;
        i = indexes(text, i, path);
        while (i < n) {
            char c = text.charAt(i);
            if (c != '.') {
                throw new ReferenceSyntaxException(text, i, "expected '.' or '[' but found '"
                        + ReferenceSyntaxException.abbreviate(String.valueOf(c)) + "'");
            }
            int start = ++i;
            while (i < n) {
                char k = text.charAt(i);
                if (k < 128 ? ASCII[k] >= SPECIAL : Character.isWhitespace(k) || Character.isISOControl(k)) {
                    if (k == '.' || k == '[') {
                        break;
                    }
                    if (k == ']') {
                        throw new ReferenceSyntaxException(text, i, "unexpected ']'");
                    }
                    throw new ReferenceSyntaxException(text, i, "whitespace is not allowed in a reference");
                }
                i++;
            }
            if (i == start) {
                throw new ReferenceSyntaxException(text, start, "empty key in path");
            }
            if (path != null) {
                path.add(new PathSegment.Key(text.substring(start, i)));
            }
            i = indexes(text, i, path);
        }
        return idEnd;
    }

    private static int indexes(String text, int i, List<PathSegment> path) {
        int n = text.length();
        while (i < n && text.charAt(i) == '[') {
            int start = ++i;
            long value = 0;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + (text.charAt(i) - '0');
                if (value > Integer.MAX_VALUE) {
                    throw new ReferenceSyntaxException(text, start, "array index too large");
                }
                i++;
            }
            if (i == start) {
                throw new ReferenceSyntaxException(text, start, "expected a non-negative integer index");
            }
            if (i - start > 1 && text.charAt(start) == '0') {
                throw new ReferenceSyntaxException(text, start, "array index has a leading zero");
            }
            if (i >= n || text.charAt(i) != ']') {
                throw new ReferenceSyntaxException(text, i, "expected ']'");
            }
            if (path != null) {
                path.add(new PathSegment.Index((int) value));
            }
            i++;
        }
        return i;
    }

    /**
     * Whether this reference points at the caller's parameters ({@code task0}).
     *
     * @return true for {@code $task0...}
     */
    public boolean isParams() {
        return PARAMS_TASK.equals(taskId);
    }

    /**
     * Follows the path in the producer's output.
     *
     * @param output  the producing task's output
     * @param missing what to return when some step does not exist
     * @return the value found (possibly {@code null}, a JSON null) or {@code missing}
     */
    public Object select(Object output, Object missing) {
        Object current = output;
        for (PathSegment segment : path) {
            current = segment.select(current, missing);
            if (current == missing) {
                return missing;
            }
        }
        return current;
    }

    /**
     * The number of leading path steps that exist in a value; equals {@code path().size()} when the whole path
     * resolves. Used to say which step of a reference failed.
     *
     * @param output the producing task's output
     * @return how many steps resolved
     */
    public int resolvablePrefix(Object output) {
        Object missing = new Object();
        Object current = output;
        int i = 0;
        for (PathSegment segment : path) {
            current = segment.select(current, missing);
            if (current == missing) {
                return i;
            }
            i++;
        }
        return i;
    }

    /** @return the canonical text, e.g. {@code $task1.items[0].id} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(16).append('$').append(taskId);
        for (PathSegment s : path) {
            sb.append(s);
        }
        return sb.toString();
    }
}
