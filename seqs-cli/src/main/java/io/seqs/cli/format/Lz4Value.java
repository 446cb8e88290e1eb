package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The value of a record whose flag bit 0 is set (segment format version 2): its uncompressed
 * length (4 bytes, little-endian, 32..64 MiB) followed by one LZ4 block. Decoded with lz4-java's
 * safe, pure-Java instance, which loads no native code and checks every bound of the block.
 */
public final class Lz4Value {
    /** Bytes of the uncompressed-length prefix. */
    public static final int LENGTH_PREFIX = 4;
    /** Shortest value the store compresses. */
    public static final int MIN_LENGTH = 32;
    /** Longest value. */
    public static final int MAX_LENGTH = LogRecord.MAX_VALUE;

    private static final LZ4SafeDecompressor DECOMPRESSOR =
            LZ4Factory.safeInstance().safeDecompressor();

    private Lz4Value() {}

    /**
     * The uncompressed length a compressed value declares.
     *
     * @param file the segment file's bytes
     * @param r a sound record with a compressed value
     * @return the declared length
     * @throws FormatException at the record's offset when the length is impossible
     */
    public static int declaredLength(MemorySegment file, LogRecord r) throws FormatException {
        if (r.valueLength() <= LENGTH_PREFIX) {
            throw new FormatException(
                    r.offset(), "compressed value of " + r.valueLength() + " bytes is shorter than its length prefix");
        }
        long declared = Bytes.u32(file, r.valueOffset());
        if (declared < MIN_LENGTH || declared > MAX_LENGTH) {
            throw new FormatException(
                    r.offset(),
                    "compressed value declares " + declared + " bytes, expected " + MIN_LENGTH + ".." + MAX_LENGTH);
        }
        return (int) declared;
    }

    /**
     * Decompresses a value and checks it gives exactly the length it declares.
     *
     * @param file the segment file's bytes
     * @param r a sound record with a compressed value
     * @return the uncompressed value
     * @throws FormatException at the record's offset when the block is malformed or gives another length
     */
    public static byte[] decompress(MemorySegment file, LogRecord r) throws FormatException {
        int declared = declaredLength(file, r);
        byte[] block = file.asSlice(r.valueOffset() + LENGTH_PREFIX, r.valueLength() - LENGTH_PREFIX)
                .toArray(ValueLayout.JAVA_BYTE);
        byte[] value = new byte[declared];
        int produced;
        try {
            produced = DECOMPRESSOR.decompress(block, 0, block.length, value, 0, declared);
        } catch (LZ4Exception | IndexOutOfBoundsException e) {
            throw new FormatException(
                    r.offset(), "compressed value is malformed (declares " + declared + " bytes): " + e.getMessage());
        }
        if (produced != declared) {
            throw new FormatException(
                    r.offset(), "compressed value gives " + produced + " bytes, its prefix declares " + declared);
        }
        return value;
    }
}
