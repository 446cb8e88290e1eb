package io.seqs;

import io.seqs.internal.metrics.LatencySummary;

/**
 * Percentiles of sampled operation latencies, in nanoseconds. Latencies are taken from one
 * operation in {@code SeqsBuilder.latencySampleEvery(n)} (default 32), so {@code samples} counts
 * timed operations, not all operations.
 */
public final class LatencyStats {
    private final long samples;
    private final double meanNanos;
    private final long p50Nanos;
    private final long p90Nanos;
    private final long p99Nanos;
    private final long p999Nanos;
    private final long maxNanos;

    private LatencyStats(
            long samples,
            double meanNanos,
            long p50Nanos,
            long p90Nanos,
            long p99Nanos,
            long p999Nanos,
            long maxNanos) {
        this.samples = samples;
        this.meanNanos = meanNanos;
        this.p50Nanos = p50Nanos;
        this.p90Nanos = p90Nanos;
        this.p99Nanos = p99Nanos;
        this.p999Nanos = p999Nanos;
        this.maxNanos = maxNanos;
    }

    /** The public view of a summary the store took; not part of the API. */
    static LatencyStats of(LatencySummary s) {
        return s.samples() == 0
                ? EMPTY
                : new LatencyStats(
                        s.samples(),
                        s.meanNanos(),
                        s.p50Nanos(),
                        s.p90Nanos(),
                        s.p99Nanos(),
                        s.p999Nanos(),
                        s.maxNanos());
    }

    /**
     * Operations timed (one in {@code latencySampleEvery}).
     *
     * @return the figure
     */
    public long samples() {
        return samples;
    }

    /**
     * Mean latency, in nanoseconds.
     *
     * @return the figure
     */
    public double meanNanos() {
        return meanNanos;
    }

    /**
     * Median latency, in nanoseconds.
     *
     * @return the figure
     */
    public long p50Nanos() {
        return p50Nanos;
    }

    /**
     * 90th percentile, in nanoseconds.
     *
     * @return the figure
     */
    public long p90Nanos() {
        return p90Nanos;
    }

    /**
     * 99th percentile, in nanoseconds.
     *
     * @return the figure
     */
    public long p99Nanos() {
        return p99Nanos;
    }

    /**
     * 99.9th percentile, in nanoseconds.
     *
     * @return the figure
     */
    public long p999Nanos() {
        return p999Nanos;
    }

    /**
     * Longest latency sampled, in nanoseconds.
     *
     * @return the figure
     */
    public long maxNanos() {
        return maxNanos;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyStats other
                && samples == other.samples
                && Double.compare(meanNanos, other.meanNanos) == 0
                && p50Nanos == other.p50Nanos
                && p90Nanos == other.p90Nanos
                && p99Nanos == other.p99Nanos
                && p999Nanos == other.p999Nanos
                && maxNanos == other.maxNanos;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(samples, meanNanos, p50Nanos, p90Nanos, p99Nanos, p999Nanos, maxNanos);
    }

    static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0, 0);

    @Override
    public String toString() {
        return samples == 0
                ? "no samples"
                : String.format(
                        "p50 %.2f µs  p99 %.2f µs  p99.9 %.2f µs  max %.2f µs  (%,d samples)",
                        p50Nanos / 1e3, p99Nanos / 1e3, p999Nanos / 1e3, maxNanos / 1e3, samples);
    }
}
