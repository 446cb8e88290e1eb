package io.seqs.internal.format;

import io.seqs.CorruptionException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 for stored values. A compressed value is stored as its uncompressed length (4 bytes,
 * little-endian) followed by one LZ4 block; the record's {@link RecordDescriptor#FLAG_LZ4} says
 * so. A value is stored compressed only when that makes its record (8-byte aligned) smaller.
 *
 * <p>Only lz4-java's safe, pure-Java instance is used: it touches no {@code sun.misc.Unsafe} and
 * loads no native code. It works on arrays, so the bytes go through a per-thread scratch array
 * (kept up to {@value #KEPT_SCRATCH_BYTES} bytes; larger values get a temporary one): a get that
 * decompresses into the caller's memory allocates nothing once the thread's scratch is large
 * enough. The compressor allocates its hash table (16 KiB) per call.
 */
public final class Lz4Values {
    /** Values shorter than this are stored as they come: a block and its length prefix would not save space. */
    public static final int MIN_COMPRESSIBLE = 32;
    /** Bytes of the uncompressed-length prefix of a compressed value. */
    public static final int LENGTH_PREFIX = 4;
    /** Largest scratch array a thread keeps between calls. */
    static final int KEPT_SCRATCH_BYTES = 256 << 10;
    /** One call in {@code TIMING_SAMPLE_MASK + 1} per thread is timed. */
    public static final int TIMING_SAMPLE_MASK = 63;

    private static final LZ4Factory FACTORY = LZ4Factory.safeInstance();
    private static final LZ4Compressor COMPRESSOR = FACTORY.fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = FACTORY.safeDecompressor();

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Lz4Values() {}

    /** A thread's arrays for compressing and decompressing, and its timing sample counter. */
    public static final class Scratch {
        private byte[] in = new byte[0];
        private byte[] out = new byte[0];
        private int calls;

        /** The compressed value {@link #compress} left: stored bytes are {@code out[0..storedLength)}. */
        public byte[] out() {
            return out;
        }

        /** Whether this call is one of the timed ones. */
        public boolean sampleTiming() {
            return (calls++ & TIMING_SAMPLE_MASK) == 0;
        }

        private byte[] in(int length) {
            byte[] b = fit(in, length);
            if (b.length <= KEPT_SCRATCH_BYTES) {
                in = b;
            }
            return b;
        }

        private byte[] out(int length) {
            byte[] b = fit(out, length);
            if (b.length <= KEPT_SCRATCH_BYTES) {
                out = b;
            }
            return b;
        }

        /** {@code kept} when it holds {@code length} bytes, else a new array of that length. */
        private static byte[] fit(byte[] kept, int length) {
            return kept.length >= length ? kept : new byte[length];
        }
    }

    /** The calling thread's scratch. */
    public static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * Compresses {@code value} for a record with a key of {@code keyLength} bytes. On success the
     * stored form (length prefix and block) is in {@code s.out()}, or in the returned array when
     * it is larger than what the thread keeps.
     *
     * @return the stored form's array and length, or null when storing the value as it is is as small
     */
    public static Stored compress(MemorySegment value, int keyLength, Scratch s) {
        int raw = (int) value.byteSize();
        if (raw < MIN_COMPRESSIBLE) {
            return null;
        }
        byte[] src;
        int srcOff;
        if (value.heapBase().orElse(null) instanceof byte[] array) {
            src = array;
            srcOff = (int) value.address();
        } else {
            src = s.in(raw);
            srcOff = 0;
            MemorySegment.copy(value, ValueLayout.JAVA_BYTE, 0, src, 0, raw);
        }
        int bound = COMPRESSOR.maxCompressedLength(raw);
        byte[] dst = s.out(LENGTH_PREFIX + bound);
        int compressed = COMPRESSOR.compress(src, srcOff, raw, dst, LENGTH_PREFIX, bound);
        int stored = LENGTH_PREFIX + compressed;
        if (RecordDescriptor.recordLength(keyLength, stored) >= RecordDescriptor.recordLength(keyLength, raw)) {
            return null;
        }
        MemorySegment.ofArray(dst).set(RecordDescriptor.INT, 0, raw);
        return new Stored(dst, stored);
    }

    /** A value's stored form: {@code bytes[0..length)}. */
    public record Stored(byte[] bytes, int length) {}

    /**
     * The uncompressed length a compressed value declares, checked against the largest value.
     *
     * @throws CorruptionException when the declared length is impossible
     */
    public static int rawLength(MemorySegment map, long valueOffset, int storedLength, Path file, long recordOffset) {
        if (storedLength < LENGTH_PREFIX + 1) {
            throw new CorruptionException(
                    file, recordOffset, "compressed value of " + storedLength + " bytes is shorter than its header");
        }
        int raw = map.get(RecordDescriptor.INT, valueOffset);
        if (raw < MIN_COMPRESSIBLE || raw > RecordDescriptor.MAX_VALUE_LENGTH) {
            throw new CorruptionException(
                    file,
                    recordOffset,
                    "compressed value declares " + Integer.toUnsignedString(raw) + " bytes, expected "
                            + MIN_COMPRESSIBLE + ".." + RecordDescriptor.MAX_VALUE_LENGTH);
        }
        return raw;
    }

    /**
     * Decompresses the stored value at {@code valueOffset} of {@code map} into {@code dst[dstOff..dstOff + rawLength)}.
     *
     * @throws CorruptionException when the block is malformed or does not give {@code rawLength} bytes
     */
    public static void decompress(
            MemorySegment map,
            long valueOffset,
            int storedLength,
            int rawLength,
            byte[] dst,
            int dstOff,
            Scratch s,
            Path file,
            long recordOffset) {
        int blockLength = storedLength - LENGTH_PREFIX;
        byte[] src = s.in(blockLength);
        MemorySegment.copy(map, ValueLayout.JAVA_BYTE, valueOffset + LENGTH_PREFIX, src, 0, blockLength);
        int produced;
        try {
            produced = DECOMPRESSOR.decompress(src, 0, blockLength, dst, dstOff, rawLength);
        } catch (LZ4Exception | IndexOutOfBoundsException e) {
            // the safe decompressor checks every bound; a malformed block is damage, whatever it trips
            throw new CorruptionException(file, recordOffset, "compressed value is malformed: " + e.getMessage(), e);
        }
        if (produced != rawLength) {
            throw new CorruptionException(
                    file,
                    recordOffset,
                    "compressed value gives " + produced + " bytes, its header declares " + rawLength);
        }
    }

    /**
     * Decompresses into any memory: straight into an array behind {@code dst}, else through the
     * thread's scratch.
     */
    public static void decompress(
            MemorySegment map,
            long valueOffset,
            int storedLength,
            int rawLength,
            MemorySegment dst,
            Scratch s,
            Path file,
            long recordOffset) {
        if (dst.heapBase().orElse(null) instanceof byte[] array) {
            decompress(map, valueOffset, storedLength, rawLength, array, (int) dst.address(), s, file, recordOffset);
            return;
        }
        byte[] out = s.out(rawLength);
        decompress(map, valueOffset, storedLength, rawLength, out, 0, s, file, recordOffset);
        MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, 0, rawLength);
    }
}
