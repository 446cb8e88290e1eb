package io.seqs.internal.store;

import java.util.concurrent.atomic.LongAdder;

/**
 * A shard's running totals. At a reset they pass from a shard to the shard with the same index
 * in the new epoch, so they only grow while the store is open and meters built on them stay
 * monotonic. Plain fields are written under the lock of the shard that owns them now.
 */
public final class ShardCounters {
    /** One put in {@code WRITE_SAMPLE_MASK + 1} is timed from lock to unlock. */
    static final long WRITE_SAMPLE_MASK = 15;

    long puts;
    long deletes;
    long logicalBytes;
    long physicalBytes;
    long lockWaits;
    long lockWaitNanos;
    long writeSamples;
    long writeSampleNanos;
    long rebuilds;
    long rebuildNanos;
    long checkpoints;
    long checkpointNanos;
    long checkpointBytes;
    /** Time the shard lock was held to copy the index for checkpoints: what writers may wait. */
    long checkpointLockNanos;

    long checkpointLockNanosMax;

    final LongAdder gets = new LongAdder();
    final LongAdder getHits = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder flushNanos = new LongAdder();

    /** Estimated time spent holding the lock to write (append and index), from the sampled puts. */
    long writeNanosEstimate() {
        return writeSamples == 0 ? 0 : (long) ((double) writeSampleNanos / writeSamples * (puts + deletes));
    }
}
