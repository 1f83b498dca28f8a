package dev.baton.planner.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the JSON object in a model's reply: inside a code fence when there is one, else the first balanced
 * {@code {...}} in the text, prose around it ignored. Only finds text; parsing is the plan reader's job.
 */
final class JsonExtraction {

    private JsonExtraction() {
    }

    /**
     * @param reply the model's reply text
     * @return the first candidate JSON object's text, if any
     */
    static Optional<String> firstObject(String reply) {
        if (reply == null) {
            return Optional.empty();
        }
        for (String fenced : fencedBlocks(reply)) {
            Optional<String> o = balancedObject(fenced);
            if (o.isPresent()) {
                return o;
            }
        }
        return balancedObject(reply);
    }

    /** The contents of every ``` fenced block, in order. */
    static List<String> fencedBlocks(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int open = text.indexOf("```", from);
            if (open < 0) {
                return out;
            }
            int lineEnd = text.indexOf('\n', open + 3);
            if (lineEnd < 0) {
                return out;
            }
            int close = text.indexOf("```", lineEnd + 1);
            if (close < 0) {
                return out;
            }
            out.add(text.substring(lineEnd + 1, close));
            from = close + 3;
        }
    }

    /**
     * The first {@code {} that closes (strings and escapes respected), trying each opening brace in turn.
     *
     * <p>One scan from an opening brace decides every brace it opens outside a string: when a closer takes the
     * scan's depth back to where that brace opened, the brace's own scan would have stopped there too. So a failed
     * candidate's inner braces are not scanned again, and the search stays linear in the reply's length (a reply of
     * unclosed braces would otherwise cost its length squared). Braces inside a failed candidate's strings are not
     * tried.
     */
    static Optional<String> balancedObject(String text) {
        int start = text.indexOf('{');
        int[] open = new int[16];
        while (start >= 0) {
            int depth = 0;
            int bestStart = -1;
            int bestEnd = -1;
            boolean inString = false;
            int i = start;
            for (; i < text.length(); i++) {
                char c = text.charAt(i);
                if (inString) {
                    if (c == '\\') {
                        i++;
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    if (depth == open.length) {
                        open = java.util.Arrays.copyOf(open, depth * 2);
                    }
                    open[depth++] = i;
                } else if (c == '}' || c == ']') {
                    int from = open[--depth];
                    if (c == '}' && text.charAt(from) == '{' && (bestStart < 0 || from < bestStart)) {
                        bestStart = from;
                        bestEnd = i;
                    }
                    if (depth == 0) {
                        break;
                    }
                }
            }
            if (bestStart >= 0) {
                return Optional.of(text.substring(bestStart, bestEnd + 1));
            }
            start = i >= text.length() ? -1 : text.indexOf('{', i + 1);
        }
        return Optional.empty();
    }
}
