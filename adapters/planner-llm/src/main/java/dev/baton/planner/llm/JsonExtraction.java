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

    /** The first {@code {} that closes (strings and escapes respected), trying each opening brace in turn. */
    static Optional<String> balancedObject(String text) {
        int start = text.indexOf('{');
        while (start >= 0) {
            int end = matchingBrace(text, start);
            if (end > 0) {
                return Optional.of(text.substring(start, end + 1));
            }
            start = text.indexOf('{', start + 1);
        }
        return Optional.empty();
    }

    private static int matchingBrace(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
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
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    return c == '}' ? i : -1;
                }
                if (depth < 0) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
