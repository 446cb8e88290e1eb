package io.seqs.internal.metrics;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * Sampled latencies of one kind of operation. One operation in {@code sampleEvery} is timed, so
 * the cost on the hot path is a thread-local random draw for the others; a timed one increments
 * one counter of a log-linear histogram ({@link LogLinearBuckets}), wait-free. Whatever else
 * wants the samples (a meter registry) gets them when they are drained, on the draining thread,
 * never on the operation's: each drain takes the counts added since the previous one, so both
 * "since open" and "since the previous snapshot" can be told.
 *
 * <p>The histogram is ours rather than HdrHistogram's because seqs-core is a named module and
 * HdrHistogram has no module name: requiring it would tie the module to a name derived from a
 * jar file's name. What the store needs from a histogram is this class's size.
 */
public final class Latencies {
    private final int sampleMask;
    private final AtomicLongArray counts = new AtomicLongArray(LogLinearBuckets.BUCKETS);
    /** Counts as of the last drain: everything recorded since open that a drain has seen. */
    private final long[] drained = new long[LogLinearBuckets.BUCKETS];
    /** Counts as of the last snapshot. */
    private final long[] atSnapshot = new long[LogLinearBuckets.BUCKETS];

    /**
     * @param sampleEvery time one operation in this many; a power of two
     */
    public Latencies(int sampleEvery) {
        if (Integer.bitCount(sampleEvery) != 1) {
            throw new IllegalArgumentException("sampleEvery " + sampleEvery + " is not a power of two");
        }
        this.sampleMask = sampleEvery - 1;
    }

    /** Whether the calling operation should be timed. */
    public boolean sample() {
        return sampleMask == 0 || (ThreadLocalRandom.current().nextInt() & sampleMask) == 0;
    }

    /** Counts one timed operation; negative times (a clock step) count as zero. */
    public void record(long nanos) {
        counts.getAndIncrement(LogLinearBuckets.index(nanos));
    }

    /**
     * Takes in what was recorded since the last drain and hands each new sample to {@code sink}
     * (at the middle of its bucket), or to nobody when {@code sink} is null.
     */
    public synchronized void drain(LongConsumer sink) {
        for (int i = 0; i < drained.length; i++) {
            long now = counts.get(i);
            long added = now - drained[i];
            if (added == 0) {
                continue;
            }
            assert added > 0 : "bucket " + i + " went from " + drained[i] + " to " + now;
            drained[i] = now;
            if (sink != null) {
                long value = LogLinearBuckets.middle(i);
                for (long n = added; n > 0; n--) {
                    sink.accept(value);
                }
            }
        }
    }

    /** Drains into {@code sink}; returns {since open, since the previous snapshot}. */
    public synchronized LatencySummary[] snapshot(LongConsumer sink) {
        drain(sink);
        long[] recent = new long[drained.length];
        for (int i = 0; i < recent.length; i++) {
            recent[i] = drained[i] - atSnapshot[i];
        }
        System.arraycopy(drained, 0, atSnapshot, 0, drained.length);
        return new LatencySummary[] {LatencySummary.of(drained), LatencySummary.of(recent)};
    }
}
