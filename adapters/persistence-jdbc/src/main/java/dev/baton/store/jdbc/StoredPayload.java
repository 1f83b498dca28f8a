package dev.baton.store.jdbc;

import dev.baton.persistence.StoreException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an event's JSON is kept. JSON of up to {@link #INLINE_MAX} characters lives in the event's row, as always;
 * longer JSON lives whole in the overflow table (schema v4, keyed by the event's run id and seq, written in the same
 * transaction), and the event's row holds a short marker instead. The codec writes every event as a JSON object, so
 * a stored real event starts with '{'; the marker starts with '@', which no JSON text does, and names the length of
 * the JSON it stands for, so a missing or cut overflow row is a damaged row, not a different event.
 */
final class StoredPayload {

    /**
     * The longest JSON kept in the event's row: the length of H2's payload column ({@code CHARACTER VARYING(1000000)},
     * H2's longest string). PostgreSQL's column could hold more; both dialects split at the same length so that
     * one code path serves both and is tested on both.
     */
    static final int INLINE_MAX = 1_000_000;

    /**
     * The longest JSON of one event the store accepts, and the default of {@code Builder.maxEventChars}: 256 Mi
     * characters. Even at 3 UTF-8 bytes per character that is below PostgreSQL's 1 GB limit on one value, and it is
     * well within one Java string (the engine has the whole event in memory before it appends it).
     */
    static final int MAX_CHARS = 256 * 1024 * 1024;

    private static final String PREFIX = "@baton-overflow chars=";
    private static final Pattern MARKER = Pattern.compile(Pattern.quote(PREFIX) + "([1-9][0-9]{0,9})");

    private StoredPayload() {
    }

    /** @return whether the JSON is too long for the event's row and goes to the overflow table */
    static boolean overflows(String json) {
        return json.length() > INLINE_MAX;
    }

    /** @return what the event's row (and a dead letter's row) holds for this JSON */
    static String rowValue(String json) {
        return overflows(json) ? PREFIX + json.length() : json;
    }

    /** @return whether a row's payload is a marker, the JSON being in the overflow table */
    static boolean isMarker(String rowPayload) {
        return rowPayload != null && rowPayload.startsWith(PREFIX);
    }

    /**
     * The JSON of a stored event.
     *
     * @param rowPayload      the payload of its row
     * @param overflowPayload the payload of its overflow row, null if it has none
     * @param where           names the row, for the message of a damaged one
     * @return the event's JSON
     * @throws StoreException if the row holds a marker whose overflow row is missing or of another length
     */
    static String resolve(String rowPayload, String overflowPayload, java.util.function.Supplier<String> place) {
        if (!isMarker(rowPayload)) {
            return rowPayload;
        }
        String where = place.get(); // named only for a marker, the rare case
        Matcher m = MARKER.matcher(rowPayload);
        if (!m.matches()) {
            throw new StoreException(where + ": the stored payload '" + abbreviate(rowPayload)
                    + "' is a damaged overflow marker");
        }
        long chars = Long.parseLong(m.group(1));
        if (overflowPayload == null) {
            throw new StoreException(where + ": the event's JSON (" + chars
                    + " characters) is stored apart, and its overflow row is missing");
        }
        if (overflowPayload.length() != chars) {
            throw new StoreException(where + ": the event's JSON is stored apart as " + chars
                    + " characters, and its overflow row holds " + overflowPayload.length());
        }
        return overflowPayload;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
