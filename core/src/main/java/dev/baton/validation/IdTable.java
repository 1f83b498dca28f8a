package dev.baton.validation;

import dev.baton.plan.Reference;

import java.util.HashMap;

/**
 * Task id to task index: an open-addressing hash table of ints, without boxing or an entry object per task, which
 * matters when the engine validates a large plan on every submit. Filled once by one validation run, then only
 * read, so it is safe to share once published through the final fields of {@link PlanGraph}.
 *
 * <p>Each slot holds the id's hash beside its index, so a probe reads one place and compares ids only when the
 * hashes agree. The characters of the ids are also kept back to back in one small array: a reference names its
 * producer by a range of its own text, and comparing that range with this array, rather than with the producer's id
 * string somewhere in a large plan's heap, is what keeps the look-up of 100,000s of references in the cache.
 *
 * <p>The ids come from the caller, so they may be chosen to collide ({@code String.hashCode} collisions are easy to
 * build) or to crowd one stretch of slots. No id is ever placed more than {@link #MAX_PROBES} slots past its home,
 * so a look-up reads at most that many slots, hit or miss. An id that would have to go further switches the whole
 * table to a {@link HashMap}, whose bins of colliding strings are balanced trees: a plan of hostile ids costs
 * {@code O(n log n)} to validate instead of {@code O(n^2)}, and honest ids never come near the bound.
 */
final class IdTable {

    /**
     * How far past its home slot an id may be placed. At a load factor of 1/2 the longest displacement among
     * 100,000 random ids is around 20, so only ids crafted to collide reach this.
     */
    static final int MAX_PROBES = 64;

    /** Per slot: the id's hash at {@code 2 * slot}, its index + 1 at {@code 2 * slot + 1} (0 for an empty slot). */
    private final int[] table;
    private final int mask;
    /** The ids by index. */
    private final String[] ids;
    /** The characters of id {@code i} are {@code chars[charStart[i] .. charStart[i + 1])}; none for an invalid id. */
    private byte[] chars;
    private final int[] charStart;
    private int size;
    /** Every id by index, once some id could not be placed within {@link #MAX_PROBES}; then the slots are unused. */
    private HashMap<String, Integer> fallback;

    /** @param expected how many ids will be added at most */
    IdTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1; // load factor at most 1/2
        table = new int[capacity * 2];
        mask = capacity - 1;
        ids = new String[Math.max(1, expected)];
        charStart = new int[ids.length + 1];
        chars = new byte[Math.max(16, expected * 8)];
    }

    /**
     * Adds an id unless present. Ids get the indexes 0, 1, 2... in the order they are added.
     *
     * @param index the next index: the number of ids added so far
     * @return -1 when added, else the index the id already has
     */
    int putIfAbsent(String id, int index) {
        if (index != size) {
            throw new IllegalArgumentException("ids are numbered in order: expected index " + size + ", got " + index);
        }
        if (fallback == null) {
            int h = id.hashCode();
            int slot = spread(h) & mask;
            for (int probe = 0; probe < MAX_PROBES; probe++) {
                int v = table[2 * slot + 1];
                if (v == 0) {
                    table[2 * slot] = h;
                    table[2 * slot + 1] = index + 1;
                    add(id);
                    return -1;
                }
                if (table[2 * slot] == h && ids[v - 1].equals(id)) {
                    return v - 1;
                }
                slot = (slot + 1) & mask;
            }
            // Not within reach of its home: every id present is, so this one is new.
            fallback = new HashMap<>(Math.max(16, ids.length * 2));
            for (int i = 0; i < size; i++) {
                fallback.put(ids[i], i);
            }
        }
        Integer prev = fallback.putIfAbsent(id, index);
        if (prev != null) {
            return prev;
        }
        add(id);
        return -1;
    }

    /** @return whether hostile ids switched this table to its fallback (for tests) */
    boolean degraded() {
        return fallback != null;
    }

    private void add(String id) {
        ids[size] = id;
        appendChars(id);
        size++;
    }

    /**
     * Keeps a valid id's characters (at most 128, all ASCII). An invalid id, reported as such, can never be named by
     * a reference, whose id is always valid, so it needs none: the array stays small whatever the ids.
     */
    private void appendChars(String id) {
        int start = charStart[size];
        int len = id.length();
        int end = start;
        if (Reference.isTaskId(id)) {
            if (start + len > chars.length) {
                chars = java.util.Arrays.copyOf(chars, Math.max(chars.length * 2, start + len));
            }
            for (int c = 0; c < len; c++) {
                chars[end++] = (byte) id.charAt(c);
            }
        }
        charStart[size + 1] = end;
    }

    /** @return the index of the id, or -1 */
    int get(String id) {
        if (fallback != null) {
            Integer i = fallback.get(id);
            return i == null ? -1 : i;
        }
        int h = id.hashCode();
        int slot = spread(h) & mask;
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            int v = table[2 * slot + 1];
            if (v == 0) {
                return -1;
            }
            if (table[2 * slot] == h && ids[v - 1].equals(id)) {
                return v - 1;
            }
            slot = (slot + 1) & mask;
        }
        return -1; // no id is placed further than this from its home
    }

    /**
     * Looks up the id {@code text.substring(from, to)} without creating it: the hash is computed over the range the
     * way {@link String#hashCode()} computes it over the whole string, so both find the same slot.
     *
     * @return the index of the id, or -1
     */
    int get(String text, int from, int to) {
        if (fallback != null) {
            Integer i = fallback.get(text.substring(from, to));
            return i == null ? -1 : i;
        }
        int h = 0;
        for (int c = from; c < to; c++) {
            h = 31 * h + text.charAt(c);
        }
        int len = to - from;
        int slot = spread(h) & mask;
        for (int probe = 0; probe < MAX_PROBES; probe++) {
            int v = table[2 * slot + 1];
            if (v == 0) {
                return -1;
            }
            if (table[2 * slot] == h && sameChars(v - 1, text, from, len)) {
                return v - 1;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private boolean sameChars(int index, String text, int from, int len) {
        int start = charStart[index];
        if (charStart[index + 1] - start != len) {
            return false; // another length, or an invalid id (a reference's id is always valid)
        }
        for (int c = 0; c < len; c++) {
            if (chars[start + c] != text.charAt(from + c)) {
                return false;
            }
        }
        return true;
    }

    /** Mixes the high bits in: ids such as {@code t1, t2, ...} differ mostly in low bits, which linear probing clusters. */
    static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
