package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One record of a segment file, as docs/format.md describes it (the same in segment format
 * versions 1 and 2; version 2 writers set flag bit 0):
 *
 * <pre>
 *  offset size field
 *   0      4   CRC32C of bytes 4 .. 16 + key length + stored length - 1
 *   4      2   key length, 1..65,535
 *   6      1   type: 1 = put, 2 = delete
 *   7      1   flags: bit 0 = value LZ4-compressed ({@link Lz4Value}); other bits zero
 *   8      4   stored value length, 0..64 MiB (0 for a delete)
 *  12      4   generation of the session that wrote it
 *  16      k   key, then the stored value, then zero padding to a multiple of 8
 * </pre>
 *
 * @param offset offset of the record in its file
 * @param keyLength key length
 * @param type {@link #PUT} or {@link #DELETE}
 * @param flags the flag byte: {@link #FLAG_LZ4} or 0
 * @param valueLength stored value length (compressed length for a compressed value)
 * @param generation generation of the session that wrote it
 */
public record LogRecord(long offset, int keyLength, int type, int flags, int valueLength, long generation) {
    /** Header length. */
    public static final int HEADER = 16;
    /** Flag bit: the value is LZ4-compressed. */
    public static final int FLAG_LZ4 = 1;
    /** Every flag bit this tool knows. */
    public static final int KNOWN_FLAGS = FLAG_LZ4;
    /** Type of a put record. */
    public static final int PUT = 1;
    /** Type of a delete record. */
    public static final int DELETE = 2;
    /** Longest stored value. */
    public static final int MAX_VALUE = 64 << 20;

    static final int CRC_OFFSET = 0;
    static final int KEY_LENGTH_OFFSET = 4;
    static final int TYPE_OFFSET = 6;
    static final int FLAGS_OFFSET = 7;
    static final int VALUE_LENGTH_OFFSET = 8;
    static final int GENERATION_OFFSET = 12;
    static final int ALIGNMENT = 8;

    /** What {@link #probe} found at an offset. */
    public sealed interface Probe permits Sound, End, Bad {}

    /** A sound record. @param record the record */
    public record Sound(LogRecord record) implements Probe {}

    /** The end of the records: eight zero bytes, or fewer than 16 bytes left. */
    public record End() implements Probe {}

    /** Bytes that are neither a sound record nor the end. @param reason the check that failed */
    public record Bad(String reason) implements Probe {}

    private static final End END = new End();

    /** Length of the record with its padding. */
    public long length() {
        return (HEADER + keyLength + (long) valueLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** Offset of the value in the file. */
    public long valueOffset() {
        return offset + HEADER + keyLength;
    }

    /** The key's bytes. @param file the file's bytes @return a copy of the key */
    public byte[] key(MemorySegment file) {
        return file.asSlice(offset + HEADER, keyLength).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Whether the value is stored LZ4-compressed. */
    public boolean compressed() {
        return (flags & FLAG_LZ4) != 0;
    }

    /** The value's bytes as stored. @param file the file's bytes @return a copy of the stored value */
    public byte[] storedValue(MemorySegment file) {
        return file.asSlice(valueOffset(), valueLength).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The value as it was put: the stored bytes, or a compressed value decompressed.
     *
     * @param file the file's bytes
     * @return a copy of the value
     * @throws FormatException at the record's offset when a compressed value does not decompress to its length
     */
    public byte[] value(MemorySegment file) throws FormatException {
        return compressed() ? Lz4Value.decompress(file, this) : storedValue(file);
    }

    /**
     * Reads the record at {@code offset}, checking everything that makes a record sound.
     *
     * @param file the segment file's bytes
     * @param offset where a header would start (a multiple of 8, at least 64)
     * @param minGeneration the previous record's generation: a lower one is a leftover
     * @param maxGeneration the highest generation a record can have
     * @return what is there
     */
    public static Probe probe(MemorySegment file, long offset, long minGeneration, long maxGeneration) {
        long size = file.byteSize();
        if (size - offset < HEADER) {
            return END;
        }
        if (Bytes.i64(file, offset) == 0) {
            return END;
        }
        int keyLength = Bytes.u16(file, offset + KEY_LENGTH_OFFSET);
        int type = Bytes.u8(file, offset + TYPE_OFFSET);
        int flags = Bytes.u8(file, offset + FLAGS_OFFSET);
        long valueLength = Bytes.u32(file, offset + VALUE_LENGTH_OFFSET);
        long generation = Bytes.u32(file, offset + GENERATION_OFFSET);
        if (keyLength == 0) {
            return new Bad("record key length 0");
        }
        if (type != PUT && type != DELETE) {
            return new Bad("record type " + type + ", expected 1 (put) or 2 (delete)");
        }
        if ((flags & ~KNOWN_FLAGS) != 0) {
            return new Bad("record flags 0x" + Integer.toHexString(flags) + ", only bit 0 (LZ4) is known");
        }
        if (valueLength > MAX_VALUE || (type == DELETE && valueLength != 0)) {
            return new Bad("record value length " + valueLength + (type == DELETE ? " in a delete" : ", above 64 MiB"));
        }
        if ((flags & FLAG_LZ4) != 0 && (type != PUT || valueLength <= Lz4Value.LENGTH_PREFIX)) {
            return new Bad("record flagged compressed, but "
                    + (type != PUT
                            ? "a delete"
                            : "its value is " + valueLength + " bytes, no longer than the length prefix"));
        }
        long body = HEADER + keyLength + valueLength;
        if (body > size - offset) {
            return new Bad("record of " + body + " bytes runs past the end of the file (" + size + " bytes)");
        }
        if (generation < minGeneration) {
            return new Bad("record generation " + generation + " below the previous record's " + minGeneration
                    + " (left over from an earlier write)");
        }
        if (generation > maxGeneration) {
            return new Bad("record generation " + generation + " above the store's " + maxGeneration);
        }
        long crc = Bytes.u32(file, offset + CRC_OFFSET);
        long computed = Bytes.crc32c(file, offset + KEY_LENGTH_OFFSET, body - KEY_LENGTH_OFFSET);
        if (crc != computed) {
            return new Bad("record CRC32C " + Bytes.hex32(crc) + ", computed " + Bytes.hex32(computed));
        }
        return new Sound(new LogRecord(offset, keyLength, type, flags, (int) valueLength, generation));
    }
}
