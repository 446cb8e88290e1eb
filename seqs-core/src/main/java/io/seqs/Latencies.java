package io.seqs;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * Sampled latencies of one kind of operation. Recording is wait-free (HdrHistogram's
 * {@link Recorder}); one operation in {@code sampleEvery} is timed, so the cost on the hot path is
 * a thread-local random draw for the others. Whatever else wants the samples (a meter registry)
 * gets them when they are drained, on the draining thread, never on the operation's: each drain
 * folds the interval since the previous one into the running total and into the figures since
 * the previous snapshot, so both "since open" and "recently" can be told.
 */
final class Latencies {
    private static final int SIGNIFICANT_DIGITS = 2;

    private final int sampleMask;
    private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(SIGNIFICANT_DIGITS);
    private final Histogram sinceSnapshot = new Histogram(SIGNIFICANT_DIGITS);
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

    /**
     * Folds in what was recorded since the last drain and hands each new sample to {@code sink}
     * (at the middle of its histogram bucket, so within 1 % of the value recorded).
     */
    synchronized void drain(LongConsumer sink) {
        interval = recorder.getIntervalHistogram(interval);
        if (interval.getTotalCount() == 0) {
            return;
        }
        total.add(interval);
        sinceSnapshot.add(interval);
        if (sink != null) {
            for (HistogramIterationValue v : interval.recordedValues()) {
                long value = interval.medianEquivalentValue(v.getValueIteratedTo());
                for (long i = v.getCountAtValueIteratedTo(); i > 0; i--) {
                    sink.accept(value);
                }
            }
        }
    }

    /** Drains into {@code sink}; returns {since open, since the previous snapshot}. */
    synchronized LatencyStats[] snapshot(LongConsumer sink) {
        drain(sink);
        LatencyStats[] result = {of(total), of(sinceSnapshot)};
        sinceSnapshot.reset();
        return result;
    }

    private static LatencyStats of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return LatencyStats.EMPTY;
        }
        return LatencyStats.of(h.getTotalCount(), h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }
}
