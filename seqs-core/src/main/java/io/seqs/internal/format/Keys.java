package io.seqs.internal.format;

import com.dynatrace.hash4j.hashing.ByteAccess;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.lang.foreign.MemorySegment;

/** Key hashing (XXH3-64) and the limits every key and value is checked against. */
public final class Keys {
    private static final Hasher64 XXH3 = Hashing.xxh3_64();
    private static final ByteAccess<MemorySegment> SEGMENT_ACCESS = ByteAccess.forMemorySegment(MemorySegment.class);

    private Keys() {}

    public static long hash(MemorySegment key, long offset, long length) {
        return XXH3.hashBytesToLong(key, offset, length, SEGMENT_ACCESS);
    }

    public static long hash(byte[] key) {
        return XXH3.hashBytesToLong(key);
    }

    public static void checkKey(long length) {
        if (length < 1 || length > RecordDescriptor.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "key length " + length + " is outside 1.." + RecordDescriptor.MAX_KEY_LENGTH);
        }
    }

    public static void checkValue(long length) {
        if (length < 0 || length > RecordDescriptor.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(
                    "value length " + length + " is outside 0.." + RecordDescriptor.MAX_VALUE_LENGTH);
        }
    }

    public static MemorySegment key(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("key is null");
        }
        checkKey(key.length);
        return MemorySegment.ofArray(key);
    }

    public static MemorySegment key(MemorySegment key) {
        if (key == null) {
            throw new IllegalArgumentException("key is null");
        }
        checkKey(key.byteSize());
        return key;
    }

    public static MemorySegment value(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("value is null; use delete to remove a key");
        }
        checkValue(value.length);
        return MemorySegment.ofArray(value);
    }

    public static MemorySegment value(MemorySegment value) {
        if (value == null) {
            throw new IllegalArgumentException("value is null; use delete to remove a key");
        }
        checkValue(value.byteSize());
        return value;
    }
}
