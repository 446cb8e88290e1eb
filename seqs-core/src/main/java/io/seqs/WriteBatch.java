package io.seqs;

import io.seqs.internal.format.Keys;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts and deletes to apply together with {@link Seqs#write(WriteBatch)}. Arguments are checked
 * as they are added; the arrays are kept by reference, so do not change them until written.
 * Not thread-safe.
 */
public final class WriteBatch {
    private final List<byte[]> keys = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();

    /** An empty batch. */
    public WriteBatch() {
        // nothing to set up
    }

    /**
     * Adds a put.
     *
     * @param key 1..{@link Seqs#MAX_KEY_LENGTH} bytes, kept by reference
     * @param value 0..{@link Seqs#MAX_VALUE_LENGTH} bytes, kept by reference
     * @return this batch
     * @throws IllegalArgumentException when the key or value is null or out of bounds; nothing is added
     */
    public WriteBatch put(byte[] key, byte[] value) {
        Keys.key(key);
        Keys.value(value);
        keys.add(key);
        values.add(value);
        return this;
    }

    /**
     * Adds a delete.
     *
     * @param key 1..{@link Seqs#MAX_KEY_LENGTH} bytes, kept by reference
     * @return this batch
     * @throws IllegalArgumentException when the key is null or out of bounds; nothing is added
     */
    public WriteBatch delete(byte[] key) {
        Keys.key(key);
        keys.add(key);
        values.add(null);
        return this;
    }

    /**
     * The puts and deletes added so far.
     *
     * @return the number of entries
     */
    public int size() {
        return keys.size();
    }

    /**
     * Empties the batch, to fill it again.
     *
     * @return this batch
     */
    public WriteBatch clear() {
        keys.clear();
        values.clear();
        return this;
    }

    byte[] key(int i) {
        return keys.get(i);
    }

    /** The value of entry {@code i}, or null for a delete. */
    byte[] value(int i) {
        return values.get(i);
    }
}
