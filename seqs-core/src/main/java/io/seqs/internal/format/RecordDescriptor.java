package io.seqs.internal.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layout of one record in a segment file. All integers are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     CRC32C (over bytes 4..end)                | 0
 *  +-------------------------------+---------------+---------------+
 *  |          key length           |     type      |     flags     | 4
 *  +-------------------------------+---------------+---------------+
 *  |                  stored value length                          | 8
 *  +---------------------------------------------------------------+
 *  |                  generation (open count of the store)          | 12
 *  +---------------------------------------------------------------+
 *  |  key bytes ...  value bytes ...  zero padding to 8 bytes      | 16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A header whose first 8 bytes are zero marks the end of the records in a segment: segments
 * are created zero-filled and a record never starts with a zero CRC, key length and type.
 *
 * <p>The generation is the store's open count when the record was written. Along a shard's log it
 * never decreases, so bytes left behind a truncated tail by an earlier session (a torn write whose
 * later pages reached the disk) can never pass for records written after the truncation.
 *
 * <p>When {@link #FLAG_LZ4} is set (format version 2 and later) the stored value is
 * compressed: its 4-byte uncompressed length followed by an LZ4 block ({@link Lz4Values}).
 */
public final class RecordDescriptor {
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static final int CRC_OFFSET = 0;
    public static final int KEY_LENGTH_OFFSET = 4;
    public static final int TYPE_OFFSET = 6;
    public static final int FLAGS_OFFSET = 7;
    public static final int STORED_LENGTH_OFFSET = 8;
    public static final int GENERATION_OFFSET = 12;
    public static final int HEADER_LENGTH = 16;
    /** Bytes covered by the CRC that precede the key. */
    public static final int CHECKED_HEADER_LENGTH = HEADER_LENGTH - KEY_LENGTH_OFFSET;

    public static final int ALIGNMENT = 8;

    public static final byte TYPE_PUT = 1;
    public static final byte TYPE_DELETE = 2;

    /** Flag bit: the value is LZ4-compressed. */
    public static final byte FLAG_LZ4 = 1;

    /** Every flag this version understands; a record with any other bit set is refused. */
    public static final byte KNOWN_FLAGS = FLAG_LZ4;

    public static final int MAX_KEY_LENGTH = 65_535;
    /** Largest value accepted by {@code put}: 64 MiB. */
    public static final int MAX_VALUE_LENGTH = 64 << 20;

    public static final long MAX_RECORD_LENGTH = recordLength(MAX_KEY_LENGTH, MAX_VALUE_LENGTH);

    private RecordDescriptor() {}

    public static long recordLength(int keyLength, int storedLength) {
        return align(HEADER_LENGTH + (long) keyLength + storedLength);
    }

    public static long align(long length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    public static int crc(MemorySegment seg, long recordOffset) {
        return seg.get(INT, recordOffset + CRC_OFFSET);
    }

    public static int keyLength(MemorySegment seg, long recordOffset) {
        return Short.toUnsignedInt(seg.get(SHORT, recordOffset + KEY_LENGTH_OFFSET));
    }

    public static byte type(MemorySegment seg, long recordOffset) {
        return seg.get(ValueLayout.JAVA_BYTE, recordOffset + TYPE_OFFSET);
    }

    public static byte flags(MemorySegment seg, long recordOffset) {
        return seg.get(ValueLayout.JAVA_BYTE, recordOffset + FLAGS_OFFSET);
    }

    public static int storedLength(MemorySegment seg, long recordOffset) {
        return seg.get(INT, recordOffset + STORED_LENGTH_OFFSET);
    }

    /** Whether the record's value is stored LZ4-compressed. */
    public static boolean compressed(MemorySegment seg, long recordOffset) {
        return (flags(seg, recordOffset) & FLAG_LZ4) != 0;
    }

    public static int generation(MemorySegment seg, long recordOffset) {
        return seg.get(INT, recordOffset + GENERATION_OFFSET);
    }

    public static long keyOffset(long recordOffset) {
        return recordOffset + HEADER_LENGTH;
    }

    public static long valueOffset(long recordOffset, int keyLength) {
        return recordOffset + HEADER_LENGTH + keyLength;
    }

    /** Writes a header with a zero CRC into {@code out}; the CRC is filled in once the body is in place. */
    public static void encodeHeader(
            byte[] out, int keyLength, byte type, byte flags, int storedLength, int generation) {
        assert keyLength >= 1 && keyLength <= MAX_KEY_LENGTH : keyLength;
        assert storedLength >= 0 && storedLength <= MAX_VALUE_LENGTH : storedLength;
        assert type == TYPE_PUT || type == TYPE_DELETE : type;
        assert (flags & ~KNOWN_FLAGS) == 0 && (flags == 0 || type == TYPE_PUT) : flags;
        BYTES_INT.set(out, CRC_OFFSET, 0);
        BYTES_SHORT.set(out, KEY_LENGTH_OFFSET, (short) keyLength);
        out[TYPE_OFFSET] = type;
        out[FLAGS_OFFSET] = flags;
        BYTES_INT.set(out, STORED_LENGTH_OFFSET, storedLength);
        BYTES_INT.set(out, GENERATION_OFFSET, generation);
    }

    private static final java.lang.invoke.VarHandle BYTES_INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle BYTES_SHORT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The length of the record whose header starts at {@code recordOffset} when the header's
     * fields are plausible (whatever its CRC says), else -1. Used to count damaged records.
     */
    public static long plausibleLength(MemorySegment seg, long recordOffset, long limit) {
        if (recordOffset + HEADER_LENGTH > limit) {
            return -1;
        }
        int keyLength = keyLength(seg, recordOffset);
        byte type = type(seg, recordOffset);
        int stored = storedLength(seg, recordOffset);
        if (keyLength < 1 || (type != TYPE_PUT && type != TYPE_DELETE) || stored < 0 || stored > MAX_VALUE_LENGTH) {
            return -1;
        }
        long length = recordLength(keyLength, stored);
        return recordOffset + length <= limit ? length : -1;
    }

    /**
     * Checks the header and CRC of the record at {@code recordOffset} of a segment whose usable
     * length is {@code limit}. Returns null when the record is sound, else what is wrong.
     */
    public static String check(MemorySegment seg, long recordOffset, long limit, int minGeneration, int maxGeneration) {
        return check(seg, null, recordOffset, limit, minGeneration, maxGeneration);
    }

    /** As {@link #check(MemorySegment, long, long, int, int)}, with the CRC read through {@code view} when given. */
    public static String check(
            MemorySegment seg,
            java.nio.ByteBuffer view,
            long recordOffset,
            long limit,
            int minGeneration,
            int maxGeneration) {
        if (recordOffset + HEADER_LENGTH > limit) {
            return "record header at " + recordOffset + " runs past the segment end " + limit;
        }
        int keyLength = keyLength(seg, recordOffset);
        byte type = type(seg, recordOffset);
        byte flags = flags(seg, recordOffset);
        int stored = storedLength(seg, recordOffset);
        int generation = generation(seg, recordOffset);
        if (keyLength < 1) {
            return "key length 0";
        }
        if (type != TYPE_PUT && type != TYPE_DELETE) {
            return "record type " + type + ", expected " + TYPE_PUT + " or " + TYPE_DELETE;
        }
        if ((flags & ~KNOWN_FLAGS) != 0) {
            return "record flags 0x" + Integer.toHexString(flags & 0xff) + " not understood by this version";
        }
        if (stored < 0 || stored > MAX_VALUE_LENGTH || (type == TYPE_DELETE && stored != 0)) {
            return "stored value length " + Integer.toUnsignedString(stored) + " invalid for type " + type;
        }
        if ((flags & FLAG_LZ4) != 0 && (type != TYPE_PUT || stored <= Lz4Values.LENGTH_PREFIX)) {
            return "compressed value of " + stored + " bytes in a record of type " + type;
        }
        long length = recordLength(keyLength, stored);
        if (recordOffset + length > limit) {
            return "record of " + length + " bytes at " + recordOffset + " runs past the segment end " + limit;
        }
        if (Integer.compareUnsigned(generation, minGeneration) < 0
                || Integer.compareUnsigned(generation, maxGeneration) > 0) {
            return "record generation " + Integer.toUnsignedString(generation) + " outside "
                    + Integer.toUnsignedString(minGeneration) + ".." + Integer.toUnsignedString(maxGeneration)
                    + " (left behind by an earlier session)";
        }
        int stored32 = crc(seg, recordOffset);
        long crcLength = CHECKED_HEADER_LENGTH + (long) keyLength + stored;
        int actual = view != null
                ? Checksums.crc(view, recordOffset + KEY_LENGTH_OFFSET, crcLength)
                : Checksums.crc(seg, recordOffset + KEY_LENGTH_OFFSET, crcLength);
        if (stored32 != actual) {
            return "record CRC32C 0x" + Integer.toHexString(stored32) + ", computed 0x" + Integer.toHexString(actual);
        }
        return null;
    }

    /**
     * The header's first 8 bytes (CRC, key length, type and flags) as one little-endian long, for
     * loops that look at many records: one bounds-checked load instead of one per field, taken
     * apart by {@link #keyLengthOf}, {@link #typeOf} and {@link #compressedOf}. Zero at the end of
     * a segment's records ({@link #isEnd}).
     */
    public static long firstWord(MemorySegment seg, long recordOffset) {
        return seg.get(LONG, recordOffset + CRC_OFFSET);
    }

    /** The key length in a header's {@link #firstWord}. */
    public static int keyLengthOf(long firstWord) {
        return (int) (firstWord >>> ((KEY_LENGTH_OFFSET - CRC_OFFSET) * Byte.SIZE)) & 0xFFFF;
    }

    /** The record type in a header's {@link #firstWord}. */
    public static byte typeOf(long firstWord) {
        return (byte) (firstWord >>> ((TYPE_OFFSET - CRC_OFFSET) * Byte.SIZE));
    }

    /** Whether a header's {@link #firstWord} marks the value as stored LZ4-compressed. */
    public static boolean compressedOf(long firstWord) {
        return ((byte) (firstWord >>> ((FLAGS_OFFSET - CRC_OFFSET) * Byte.SIZE)) & FLAG_LZ4) != 0;
    }

    /** True when the 8 bytes where a header would start are all zero: the clean end of a segment. */
    public static boolean isEnd(MemorySegment seg, long recordOffset) {
        return firstWord(seg, recordOffset) == 0L;
    }
}
