package io.seqs.internal.metrics;

/**
 * Bucket arithmetic of a log-linear histogram of non-negative {@code long} values: values below
 * {@link #SUB_BUCKETS} each have a bucket of their own; above, every power of two is cut into
 * {@code SUB_BUCKETS} equal buckets, so a bucket is never wider than {@code 1/SUB_BUCKETS} of the
 * values in it (1.6 %). Values above {@link #MAX_VALUE} share the last bucket.
 *
 * <p>The index of {@code v >= SUB_BUCKETS} is {@code shift * SUB_BUCKETS + (v >>> shift)}, where
 * {@code shift} drops all but the top {@code SUB_BITS + 1} bits of {@code v}; {@code v >>> shift}
 * lies in {@code [SUB_BUCKETS, 2 * SUB_BUCKETS)}, so the formula also holds for small values with
 * {@code shift = 0}.
 */
final class LogLinearBuckets {
    static final int SUB_BITS = 6;
    static final int SUB_BUCKETS = 1 << SUB_BITS;
    /** About 68 s in nanoseconds: longer latencies are counted in the last bucket. */
    static final long MAX_VALUE = (1L << 36) - 1;

    static final int BUCKETS = index(MAX_VALUE) + 1;

    static {
        assert index(SUB_BUCKETS - 1) == SUB_BUCKETS - 1;
        assert index(2L * SUB_BUCKETS - 1) == 2 * SUB_BUCKETS - 1;
        assert index(2L * SUB_BUCKETS) == 2 * SUB_BUCKETS;
        assert lowest(BUCKETS - 1) + width(BUCKETS - 1) - 1 == MAX_VALUE;
    }

    private LogLinearBuckets() {}

    static int index(long value) {
        long v = Math.min(Math.max(value, 0), MAX_VALUE);
        int shift = Math.max(0, 63 - Long.numberOfLeadingZeros(v) - SUB_BITS);
        return (int) ((long) shift * SUB_BUCKETS + (v >>> shift));
    }

    static long lowest(int index) {
        if (index < 2 * SUB_BUCKETS) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        return (long) (index - shift * SUB_BUCKETS) << shift;
    }

    static long width(int index) {
        return index < 2 * SUB_BUCKETS ? 1 : 1L << (index / SUB_BUCKETS - 1);
    }

    /** The largest value counted in the bucket, as percentiles report it. */
    static long highest(int index) {
        return lowest(index) + width(index) - 1;
    }

    /** The middle of the bucket, within half a bucket of every value counted in it. */
    static long middle(int index) {
        return lowest(index) + width(index) / 2;
    }
}
