package dev.baton.transport.http;

import java.util.Collection;
import java.util.List;

/** Removes known secret values from text before it is surfaced (messages, logs). Immutable. */
final class Redactor {

    static final String MASK = "[REDACTED]";

    private Redactor() {
    }

    /**
     * @param text    text that may contain secrets, or {@code null}
     * @param secrets the secret values to remove; short or null values are ignored
     * @return the text with every occurrence of every secret replaced by {@value #MASK}
     */
    static String redact(String text, Collection<String> secrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            if (s != null && !s.isEmpty()) {
                out = out.replace(s, MASK);
            }
        }
        return out;
    }

    static String redact(String text, String secret) {
        return secret == null ? text : redact(text, List.of(secret));
    }

    /**
     * Like {@link #redact(String, String)}, for text that was cut short: a secret the cut fell inside of leaves its
     * beginning at the end of the text, which is masked too.
     */
    static String redactCut(String text, String secret) {
        String out = redact(text, secret);
        if (out == null || secret == null) {
            return out;
        }
        for (int k = Math.min(secret.length() - 1, out.length()); k > 0; k--) {
            if (out.endsWith(secret.substring(0, k))) {
                return out.substring(0, out.length() - k) + MASK;
            }
        }
        return out;
    }
}
