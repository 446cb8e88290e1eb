package io.seqs;

import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sampled latencies of one kind of operation. Recording is wait-free (HdrHistogram's
 * {@link Recorder}); one operation in {@code sampleEvery} is timed, so the cost on the hot path is
 * a thread-local random draw for the others. Each snapshot folds the interval since the previous
 * one into the running total, so both "since open" and "recently" can be told.
 */
final class Latencies {
    private static final int SIGNIFICANT_DIGITS = 2;

    private final int sampleMask;
    private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(SIGNIFICANT_DIGITS);
    private Histogram interval;

    Latencies(int sampleEvery) {
        assert Integer.bitCount(sampleEvery) == 1 : sampleEvery;
        this.sampleMask = sampleEvery - 1;
    }

    /** Whether the calling operation should be timed. */
    boolean sample() {
        return sampleMask == 0 || (ThreadLocalRandom.current().nextInt() & sampleMask) == 0;
    }

    void record(long nanos) {
        recorder.recordValue(Math.max(0, nanos));
    }

    /** Folds in what was recorded since the last call; returns {since open, since the last call}. */
    synchronized LatencyStats[] snapshot() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return new LatencyStats[] {of(total), of(interval)};
    }

    private static LatencyStats of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return LatencyStats.EMPTY;
        }
        return new LatencyStats(h.getTotalCount(), h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }
}
