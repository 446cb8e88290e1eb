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

    /** Values offered to the compressor, their bytes, and the bytes stored for them. */
    long compressionInputs;

    long compressionInputBytes;
    long compressionOutputBytes;
    /** Values the compressor made smaller, stored compressed. */
    long compressedRecords;

    long compressionSamples;
    long compressionSampleNanos;

    long reclaimedSegments;
    long reclaimedBytes;
    long reclaimCopiedRecords;
    long reclaimCopiedBytes;
    long reclaimNanos;
    /** Part of {@link #reclaimNanos} in the checkpoints that commit reclamations (they force the log). */
    long reclaimCommitNanos;

    final LongAdder decompressions = new LongAdder();
    final LongAdder decompressionSamples = new LongAdder();
    final LongAdder decompressionSampleNanos = new LongAdder();

    final LongAdder gets = new LongAdder();
    final LongAdder getHits = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder flushNanos = new LongAdder();

    /**
     * Counts a value the put path offered to the compressor; {@code nanos} is its compression
     * time when this call was timed, else 0. Under the lock.
     */
    void compression(int inputBytes, int storedBytes, boolean kept, long nanos) {
        compressionInputs++;
        compressionInputBytes += inputBytes;
        compressionOutputBytes += storedBytes;
        if (kept) {
            compressedRecords++;
        }
        if (nanos > 0) {
            compressionSamples++;
            compressionSampleNanos += nanos;
        }
    }

    /** Counts a value a get decompressed; {@code start} is when a timed one began, else 0. */
    void decompressed(long start) {
        decompressions.increment();
        if (start != 0) {
            decompressionSamples.increment();
            decompressionSampleNanos.add(System.nanoTime() - start);
        }
    }

    /** Estimated time spent compressing, from the timed calls. */
    long compressionNanosEstimate() {
        return estimate(compressionSampleNanos, compressionSamples, compressionInputs);
    }

    /** Estimated time spent decompressing, from the timed calls. */
    long decompressionNanosEstimate() {
        return estimate(decompressionSampleNanos.sum(), decompressionSamples.sum(), decompressions.sum());
    }

    private static long estimate(long sampleNanos, long samples, long calls) {
        return samples == 0 ? 0 : (long) ((double) sampleNanos / samples * calls);
    }

    /** Estimated time spent holding the lock to write (append and index), from the sampled puts. */
    long writeNanosEstimate() {
        return writeSamples == 0 ? 0 : (long) ((double) writeSampleNanos / writeSamples * (puts + deletes));
    }
}
