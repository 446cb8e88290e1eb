package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One record of a segment file, as docs/format.md version 1 describes it:
 *
 * <pre>
 *  offset size field
 *   0      4   CRC32C of bytes 4 .. 16 + key length + stored length - 1
 *   4      2   key length, 1..65,535
 *   6      1   type: 1 = put, 2 = delete
 *   7      1   flags (none known in version 1)
 *   8      4   stored value length, 0..64 MiB (0 for a delete)
 *  12      4   generation of the session that wrote it
 *  16      k   key, then the value, then zero padding to a multiple of 8
 * </pre>
 *
 * @param offset offset of the record in its file
 * @param keyLength key length
 * @param type {@link #PUT} or {@link #DELETE}
 * @param valueLength stored value length
 * @param generation generation of the session that wrote it
 */
public record LogRecord(long offset, int keyLength, int type, int valueLength, long generation) {
    /** Header length. */
    public static final int HEADER = 16;
    /** Type of a put record. */
    public static final int PUT = 1;
    /** Type of a delete record. */
    public static final int DELETE = 2;
    /** Longest stored value. */
    public static final int MAX_VALUE = 64 << 20;

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
        return (HEADER + keyLength + (long) valueLength + 7) & ~7L;
    }

    /** Offset of the value in the file. */
    public long valueOffset() {
        return offset + HEADER + keyLength;
    }

    /** The key's bytes. @param file the file's bytes @return a copy of the key */
    public byte[] key(MemorySegment file) {
        return file.asSlice(offset + HEADER, keyLength).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The value's bytes. @param file the file's bytes @return a copy of the value */
    public byte[] value(MemorySegment file) {
        return file.asSlice(valueOffset(), valueLength).toArray(ValueLayout.JAVA_BYTE);
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
        int keyLength = Bytes.u16(file, offset + 4);
        int type = Bytes.u8(file, offset + 6);
        int flags = Bytes.u8(file, offset + 7);
        long valueLength = Bytes.u32(file, offset + 8);
        long generation = Bytes.u32(file, offset + 12);
        if (keyLength == 0) {
            return new Bad("record key length 0");
        }
        if (type != PUT && type != DELETE) {
            return new Bad("record type " + type + ", expected 1 (put) or 2 (delete)");
        }
        if (flags != 0) {
            return new Bad("record flags 0x" + Integer.toHexString(flags) + ", none known in format version 1");
        }
        if (valueLength > MAX_VALUE || (type == DELETE && valueLength != 0)) {
            return new Bad("record value length " + valueLength + (type == DELETE ? " in a delete" : ", above 64 MiB"));
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
        long crc = Bytes.u32(file, offset);
        long computed = Bytes.crc32c(file, offset + 4, body - 4);
        if (crc != computed) {
            return new Bad("record CRC32C " + Bytes.hex32(crc) + ", computed " + Bytes.hex32(computed));
        }
        return new Sound(new LogRecord(offset, keyLength, type, (int) valueLength, generation));
    }
}
