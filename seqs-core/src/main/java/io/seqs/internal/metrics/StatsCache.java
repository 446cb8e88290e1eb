package io.seqs.internal.metrics;

import io.seqs.SeqsStats;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The store's latest figures for meters: a snapshot at most {@link #MAX_AGE_NANOS} old, taken
 * afresh when an older one is asked for, and after close the last one taken. Meters hold this
 * object weakly and the store holds it strongly, so a store nobody references leaves no meter
 * keeping it alive.
 */
public final class StatsCache {
    /** How old a snapshot handed to a meter may be. */
    public static final long MAX_AGE_NANOS = 500_000_000L;

    private final Supplier<SeqsStats> fresh;
    private final BooleanSupplier closed;
    private volatile SeqsStats latest;
    private volatile long takenAt;

    /**
     * @param fresh takes a new snapshot; throws {@link IllegalStateException} once the store is closed
     * @param closed whether the store is closed
     */
    public StatsCache(Supplier<SeqsStats> fresh, BooleanSupplier closed) {
        this.fresh = fresh;
        this.closed = closed;
    }

    /** Records a snapshot just taken, so the next meter read need not take one. */
    public void remember(SeqsStats stats) {
        latest = stats;
        takenAt = System.nanoTime();
    }

    /** A snapshot at most half a second old; after close, the last one taken. */
    public SeqsStats get() {
        SeqsStats stats = latest;
        if (closed.getAsBoolean() && stats != null) {
            return stats;
        }
        if (stats == null || System.nanoTime() - takenAt > MAX_AGE_NANOS) {
            try {
                stats = fresh.get();
            } catch (IllegalStateException closedMeanwhile) {
                if (stats == null) {
                    throw closedMeanwhile;
                }
            }
        }
        return stats;
    }
}
