package io.seqs.internal.metrics;

/**
 * Percentiles of a set of latency samples, in nanoseconds, each the upper end of the histogram
 * bucket it falls in (within 1.6 % of the sample). The public view is {@code io.seqs.LatencyStats}.
 *
 * @param samples how many samples
 * @param meanNanos the mean, from bucket middles
 * @param p50Nanos the median
 * @param p90Nanos the 90th percentile
 * @param p99Nanos the 99th percentile
 * @param p999Nanos the 99.9th percentile
 * @param maxNanos the largest sample
 */
public record LatencySummary(
        long samples, double meanNanos, long p50Nanos, long p90Nanos, long p99Nanos, long p999Nanos, long maxNanos) {
    /** No samples. */
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

    /** Summarizes bucket counts laid out as {@link LogLinearBuckets} lays them out. */
    static LatencySummary of(long[] counts) {
        long total = 0;
        double sum = 0;
        int highestBucket = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != 0) {
                assert counts[i] > 0 : "bucket " + i + " count " + counts[i];
                total += counts[i];
                sum += (double) counts[i] * LogLinearBuckets.middle(i);
                highestBucket = i;
            }
        }
        if (total == 0) {
            return EMPTY;
        }
        return new LatencySummary(
                total,
                sum / total,
                percentile(counts, total, 50),
                percentile(counts, total, 90),
                percentile(counts, total, 99),
                percentile(counts, total, 99.9),
                LogLinearBuckets.highest(highestBucket));
    }

    private static long percentile(long[] counts, long total, double percent) {
        long rank = Math.max(1, (long) Math.ceil(total * percent / 100));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return LogLinearBuckets.highest(i);
            }
        }
        throw new AssertionError("rank " + rank + " beyond " + total + " samples");
    }
}
