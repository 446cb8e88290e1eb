package io.seqs.kafka;

import io.seqs.Seqs;
import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;

/**
 * Maps Kafka keys to seqs keys and back. Kafka allows an empty key and seqs does not (its keys
 * are 1..{@value Seqs#MAX_KEY_LENGTH} bytes), so every key is stored behind one format byte:
 * the empty Kafka key becomes the one-byte seqs key {@code {0}}, and no two Kafka keys share a
 * seqs key. The byte also leaves room for another key format later. The longest Kafka key is
 * therefore {@value #MAX_KEY_LENGTH} bytes.
 */
final class KeyCodec {
    /** The format byte in front of every stored key. */
    static final byte FORMAT = 0;
    /** Longest Kafka key a seqs store takes: one byte less than a seqs key. */
    static final int MAX_KEY_LENGTH = Seqs.MAX_KEY_LENGTH - 1;

    private KeyCodec() {}

    /**
     * The seqs key of a Kafka key.
     *
     * @throws NullPointerException when {@code key} is null, as Kafka's own stores do
     * @throws IllegalArgumentException when the key is longer than {@value #MAX_KEY_LENGTH} bytes
     */
    static byte[] encode(String store, Bytes key) {
        if (key == null) {
            throw new NullPointerException("key cannot be null (store " + store + ")");
        }
        byte[] raw = key.get();
        if (raw.length > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("store " + store + ": key of " + raw.length
                    + " bytes is longer than the " + MAX_KEY_LENGTH + " bytes a seqs store takes");
        }
        byte[] out = new byte[raw.length + 1];
        out[0] = FORMAT;
        System.arraycopy(raw, 0, out, 1, raw.length);
        return out;
    }

    /**
     * The Kafka key of a seqs key written by {@link #encode}.
     *
     * @throws IllegalStateException when the key does not start with the format byte (not written by this module)
     */
    static Bytes decode(String store, byte[] stored) {
        if (stored.length == 0 || stored[0] != FORMAT) {
            throw new IllegalStateException("store " + store + ": a stored key does not start with format byte "
                    + FORMAT + "; the directory holds data not written by seqs-kafka");
        }
        return Bytes.wrap(Arrays.copyOfRange(stored, 1, stored.length));
    }
}
