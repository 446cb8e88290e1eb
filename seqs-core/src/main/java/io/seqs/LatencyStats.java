package io.seqs;

/**
 * Percentiles of sampled operation latencies, in nanoseconds. Latencies are taken from one
 * operation in {@code SeqsBuilder.latencySampleEvery(n)} (default 32), so {@code samples} counts
 * timed operations, not all operations.
 */
public record LatencyStats(long samples, double meanNanos, long p50Nanos, long p90Nanos, long p99Nanos, long p999Nanos, long maxNanos) {
    static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0, 0);

    @Override
    public String toString() {
        return samples == 0 ? "no samples" : String.format("p50 %.2f µs  p99 %.2f µs  p99.9 %.2f µs  max %.2f µs  (%,d samples)",
                p50Nanos / 1e3, p99Nanos / 1e3, p999Nanos / 1e3, maxNanos / 1e3, samples);
    }
}
