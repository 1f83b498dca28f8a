package dev.baton.validation;

/**
 * Task id to task index, an open-addressing hash table over parallel arrays: no boxing and no entry object per
 * task, which matters when the engine validates a large plan on every submit. Filled once by one validation run,
 * then only read, so it is safe to share once published through the final fields of {@link PlanGraph}.
 */
final class IdTable {

    private final String[] keys;
    private final int[] values;
    private final int mask;

    /** @param expected how many ids will be added at most */
    IdTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1; // load factor at most 1/2
        keys = new String[capacity];
        values = new int[capacity];
        mask = capacity - 1;
    }

    /**
     * Adds an id unless present.
     *
     * @return -1 when added, else the index the id already has
     */
    int putIfAbsent(String id, int index) {
        int slot = spread(id.hashCode()) & mask;
        while (true) {
            String k = keys[slot];
            if (k == null) {
                keys[slot] = id;
                values[slot] = index;
                return -1;
            }
            if (k.equals(id)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    /** @return the index of the id, or -1 */
    int get(String id) {
        int slot = spread(id.hashCode()) & mask;
        while (true) {
            String k = keys[slot];
            if (k == null) {
                return -1;
            }
            if (k.equals(id)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Looks up the id {@code text.substring(from, to)} without creating it: the hash is computed over the range the
     * way {@link String#hashCode()} computes it over the whole string, so both find the same slot.
     *
     * @return the index of the id, or -1
     */
    int get(String text, int from, int to) {
        int h = 0;
        for (int c = from; c < to; c++) {
            h = 31 * h + text.charAt(c);
        }
        int len = to - from;
        int slot = spread(h) & mask;
        while (true) {
            String k = keys[slot];
            if (k == null) {
                return -1;
            }
            if (k.length() == len && text.regionMatches(from, k, 0, len)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Mixes the high bits in: ids such as {@code t1, t2, ...} differ mostly in low bits, which linear probing clusters. */
    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
