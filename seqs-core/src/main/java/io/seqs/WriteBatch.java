package io.seqs;

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

    public WriteBatch put(byte[] key, byte[] value) {
        Keys.key(key);
        Keys.value(value);
        keys.add(key);
        values.add(value);
        return this;
    }

    public WriteBatch delete(byte[] key) {
        Keys.key(key);
        keys.add(key);
        values.add(null);
        return this;
    }

    public int size() {
        return keys.size();
    }

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
