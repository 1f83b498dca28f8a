package dev.baton.planner.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the JSON objects in a model's reply: inside code fences first, then each balanced {@code {...}} in the text,
 * prose around them ignored. Only finds text; parsing is the plan reader's job, which tries the
 * {@link #candidates candidates} in turn until one is a plan.
 */
final class JsonExtraction {

    private JsonExtraction() {
    }

    /**
     * Every candidate, in the order they are preferred: each fenced block's first object, then each object in the
     * whole text (searching on after the end of the one before), without repeats.
     *
     * @param reply the model's reply text
     * @param max   the most candidates to return
     * @return the candidates' texts
     */
    static List<String> candidates(String reply, int max) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        if (reply == null) {
            return List.of();
        }
        for (String fenced : fencedBlocks(reply)) {
            if (out.size() >= max) {
                return List.copyOf(out);
            }
            balancedObject(fenced).ifPresent(out::add);
        }
        int from = 0;
        while (out.size() < max) {
            int[] range = balancedRange(reply, from);
            if (range == null) {
                break;
            }
            out.add(reply.substring(range[0], range[1] + 1));
            from = range[1] + 1;
        }
        return List.copyOf(out);
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
        int[] range = balancedRange(text, 0);
        return range == null ? Optional.empty() : Optional.of(text.substring(range[0], range[1] + 1));
    }

    /** As {@link #balancedObject}, from an index: the object's first and last index, or {@code null}. */
    private static int[] balancedRange(String text, int fromIndex) {
        int start = text.indexOf('{', fromIndex);
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
                return new int[] {bestStart, bestEnd};
            }
            start = i >= text.length() ? -1 : text.indexOf('{', i + 1);
        }
        return null;
    }
}
