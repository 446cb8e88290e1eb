package io.seqs.internal.index;

import java.lang.foreign.MemorySegment;

/** Finding and skipping runs of zero bytes, compared in bulk (vectorized) against a block of zeros. */
public final class Zeros {
    /** Bytes compared at a time. */
    static final int BLOCK_BYTES = 64 << 10;

    private static final MemorySegment BLOCK = MemorySegment.ofArray(new byte[BLOCK_BYTES]);

    private Zeros() {}

    /** Offset of the first non-zero byte in {@code [from, to)} of {@code segment}, or -1. */
    public static long firstNonZero(MemorySegment segment, long from, long to) {
        assert 0 <= from && from <= to && to <= segment.byteSize() : from + ".." + to + " of " + segment.byteSize();
        for (long at = from; at < to; ) {
            long n = Math.min(BLOCK_BYTES, to - at);
            long m = MemorySegment.mismatch(segment, at, at + n, BLOCK, 0, n);
            if (m >= 0) {
                return at + m;
            }
            at += n;
        }
        return -1;
    }

    /** Whether {@code [from, to)} of {@code segment} is all zero. */
    public static boolean allZero(MemorySegment segment, long from, long to) {
        return firstNonZero(segment, from, to) < 0;
    }

    /**
     * Copies {@code src} into the zeroed {@code dst} a block at a time, skipping the blocks that
     * are all zero, so that the pages of a lazily zeroed {@code dst} behind them are never touched.
     */
    public static void copyNonZero(MemorySegment src, MemorySegment dst) {
        assert src.byteSize() == dst.byteSize() : src.byteSize() + " != " + dst.byteSize();
        long size = src.byteSize();
        for (long off = 0; off < size; off += BLOCK_BYTES) {
            long n = Math.min(BLOCK_BYTES, size - off);
            if (!allZero(src, off, off + n)) {
                MemorySegment.copy(src, off, dst, off, n);
            }
        }
    }
}
