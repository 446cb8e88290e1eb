package io.seqs.internal.log;

import java.util.Arrays;

/**
 * Log positions added in increasing order and looked up in increasing order, as a scan moves
 * forward: membership costs an amortized step, and nothing is allocated but the array's growth.
 * Not thread-safe; the shard lock guards it.
 */
public final class PositionList {
    private static final int INITIAL_CAPACITY = 64;

    private long[] positions = new long[INITIAL_CAPACITY];
    private int size;
    /** Index of the first position not below the last one looked up. */
    private int cursor;

    /** Adds a position larger than every one added before. */
    public void add(long position) {
        assert size == 0 || position > positions[size - 1] : position + " after " + positions[size - 1];
        if (size == positions.length) {
            positions = Arrays.copyOf(positions, size * 2);
        }
        positions[size++] = position;
    }

    /** Whether {@code position} was added; positions must be looked up in increasing order. */
    public boolean contains(long position) {
        while (cursor < size && positions[cursor] < position) {
            cursor++;
        }
        return cursor < size && positions[cursor] == position;
    }

    /** Whether {@code position} was added, looked up in any order (a binary search). */
    public boolean holds(long position) {
        return Arrays.binarySearch(positions, 0, size, position) >= 0;
    }

    public void clear() {
        size = 0;
        cursor = 0;
        if (positions.length > INITIAL_CAPACITY) {
            positions = new long[INITIAL_CAPACITY];
        }
    }
}
