package io.seqs;

import io.seqs.internal.store.ShardFigures;

/**
 * One shard's figures at the moment of a {@link Seqs#stats()} call. Counters start at zero when
 * the store is opened and carry across resets to the shard with the same index; state figures
 * (keys, index, segments, live and dead bytes, recovery) describe the current epoch's shard.
 * Times are in nanoseconds, sizes in bytes.
 */
public final class ShardStats {

    private final ShardFigures f;

    private ShardStats(ShardFigures f) {
        this.f = f;
    }

    /** Wraps the figures a shard collected; not part of the API. */
    static ShardStats of(ShardFigures figures) {
        return new ShardStats(figures);
    }

    /**
     * Shard index.
     *
     * @return the figure
     */
    public int shard() {
        return f.shard();
    }

    /**
     * Live keys in the index.
     *
     * @return the figure
     */
    public long keys() {
        return f.keys();
    }

    /**
     * Index slots.
     *
     * @return the figure
     */
    public long indexCapacity() {
        return f.indexCapacity();
    }

    /**
     * Off-heap bytes of the index table.
     *
     * @return the figure
     */
    public long indexBytes() {
        return f.indexBytes();
    }

    /**
     * Index slots holding a deletion marker.
     *
     * @return the figure
     */
    public long tombstones() {
        return f.tombstones();
    }

    /**
     * Segment files in the log.
     *
     * @return the figure
     */
    public int segments() {
        return f.segments();
    }

    /**
     * Puts appended since open.
     *
     * @return the figure
     */
    public long puts() {
        return f.puts();
    }

    /**
     * Deletes appended since open (of live keys).
     *
     * @return the figure
     */
    public long deletes() {
        return f.deletes();
    }

    /**
     * Gets served since open.
     *
     * @return the figure
     */
    public long gets() {
        return f.gets();
    }

    /**
     * Gets that found a value.
     *
     * @return the figure
     */
    public long getHits() {
        return f.getHits();
    }

    /**
     * Key and value bytes handed to put and delete since open.
     *
     * @return the figure
     */
    public long logicalBytes() {
        return f.logicalBytes();
    }

    /**
     * Bytes written to files since open: records with headers and padding, segment headers, checkpoints.
     *
     * @return the figure
     */
    public long physicalBytes() {
        return f.physicalBytes();
    }

    /**
     * Bytes of the records the index points at.
     *
     * @return the figure
     */
    public long liveBytes() {
        return f.liveBytes();
    }

    /**
     * Bytes of overwritten and deleted records and of delete records.
     *
     * @return the figure
     */
    public long deadBytes() {
        return f.deadBytes();
    }

    /**
     * Log position of the next record.
     *
     * @return the figure
     */
    public long logPosition() {
        return f.logPosition();
    }

    /**
     * Log position below which everything was forced to stable storage.
     *
     * @return the figure
     */
    public long durablePosition() {
        return f.durablePosition();
    }

    /**
     * Writes that found the shard lock taken.
     *
     * @return the figure
     */
    public long lockWaits() {
        return f.lockWaits();
    }

    /**
     * Time writers spent waiting for the shard lock.
     *
     * @return the figure
     */
    public long lockWaitNanos() {
        return f.lockWaitNanos();
    }

    /**
     * Time writers spent holding the shard lock to append and index, estimated from one timed put in 16.
     *
     * @return the figure
     */
    public long writeNanos() {
        return f.writeNanos();
    }

    /**
     * Times the index table was rebuilt (grown or cleaned of tombstones).
     *
     * @return the figure
     */
    public long indexRebuilds() {
        return f.indexRebuilds();
    }

    /**
     * Time spent rebuilding, during which writers of this shard wait.
     *
     * @return the figure
     */
    public long indexRebuildNanos() {
        return f.indexRebuildNanos();
    }

    /**
     * Forces of the log that wrote something.
     *
     * @return the figure
     */
    public long flushes() {
        return f.flushes();
    }

    /**
     * Time spent forcing the log.
     *
     * @return the figure
     */
    public long flushNanos() {
        return f.flushNanos();
    }

    /**
     * Checkpoints written since open.
     *
     * @return the figure
     */
    public long checkpoints() {
        return f.checkpoints();
    }

    /**
     * Time spent writing checkpoints.
     *
     * @return the figure
     */
    public long checkpointNanos() {
        return f.checkpointNanos();
    }

    /**
     * Bytes of checkpoint files written since open.
     *
     * @return the figure
     */
    public long checkpointBytes() {
        return f.checkpointBytes();
    }

    /**
     * Longest time a checkpoint held the shard lock (to copy the index), the most a writer waited for a checkpoint.
     *
     * @return the figure
     */
    public long checkpointStallNanosMax() {
        return f.checkpointStallNanosMax();
    }

    /**
     * Whether open loaded a checkpoint (else it scanned the whole log).
     *
     * @return the figure
     */
    public boolean recoveredFromCheckpoint() {
        return f.recoveredFromCheckpoint();
    }

    /**
     * Records replayed at open.
     *
     * @return the figure
     */
    public long recoveryReplayedRecords() {
        return f.recoveryReplayedRecords();
    }

    /**
     * Records dropped at open because the log was torn or corrupt there.
     *
     * @return the figure
     */
    public long recoveryDroppedRecords() {
        return f.recoveryDroppedRecords();
    }

    /**
     * Bytes dropped at open.
     *
     * @return the figure
     */
    public long recoveryDroppedBytes() {
        return f.recoveryDroppedBytes();
    }

    /**
     * Segment files dropped at open.
     *
     * @return the figure
     */
    public long recoveryDroppedSegments() {
        return f.recoveryDroppedSegments();
    }

    /**
     * Time this shard's recovery took.
     *
     * @return the figure
     */
    public long recoveryNanos() {
        return f.recoveryNanos();
    }

    /**
     * Values offered to the compressor (puts of at least 32 bytes while LZ4 is on).
     *
     * @return the figure
     */
    public long compressionInputs() {
        return f.compressionInputs();
    }

    /**
     * Bytes of the values offered to the compressor.
     *
     * @return the figure
     */
    public long compressionInputBytes() {
        return f.compressionInputBytes();
    }

    /**
     * Bytes stored for the values offered to the compressor: compressed where that was smaller,
     * else as they came.
     *
     * @return the figure
     */
    public long compressionOutputBytes() {
        return f.compressionOutputBytes();
    }

    /**
     * Values stored compressed.
     *
     * @return the figure
     */
    public long compressedRecords() {
        return f.compressedRecords();
    }

    /**
     * Estimated time spent compressing values, from one call in 64 timed per thread.
     *
     * @return the figure
     */
    public long compressionNanos() {
        return f.compressionNanos();
    }

    /**
     * Values decompressed by gets and scans.
     *
     * @return the figure
     */
    public long decompressions() {
        return f.decompressions();
    }

    /**
     * Estimated time spent decompressing values, from one call in 64 timed per thread.
     *
     * @return the figure
     */
    public long decompressionNanos() {
        return f.decompressionNanos();
    }

    /**
     * Segment files reclaimed: their live records copied to the tail and the files deleted.
     *
     * @return the figure
     */
    public long reclaimedSegments() {
        return f.reclaimedSegments();
    }

    /**
     * Bytes of the segment files reclaimed (what went back to the file system).
     *
     * @return the figure
     */
    public long reclaimedBytes() {
        return f.reclaimedBytes();
    }

    /**
     * Records reclamation copied to the tail.
     *
     * @return the figure
     */
    public long reclaimCopiedRecords() {
        return f.reclaimCopiedRecords();
    }

    /**
     * Bytes reclamation wrote to the tail; they count in physicalBytes too.
     *
     * @return the figure
     */
    public long reclaimCopiedBytes() {
        return f.reclaimCopiedBytes();
    }

    /**
     * Time spent reclaiming: copying, the checkpoint that commits it, and deleting.
     *
     * @return the figure
     */
    public long reclaimNanos() {
        return f.reclaimNanos();
    }

    /**
     * Part of {@link #reclaimNanos()} spent in the checkpoints that commit reclamations; they
     * force the log first, so they also pay for writes not yet on disk.
     *
     * @return the figure
     */
    public long reclaimCommitNanos() {
        return f.reclaimCommitNanos();
    }

    @Override
    public String toString() {
        return "ShardStats" + f.toString().substring("ShardFigures".length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardStats other && f.equals(other.f);
    }

    @Override
    public int hashCode() {
        return f.hashCode();
    }
    /**
     * Index memory per live key; 0 when there are no keys.
     *
     * @return the figure
     */
    public double indexBytesPerKey() {
        return f.keys() == 0 ? 0 : (double) f.indexBytes() / f.keys();
    }

    /**
     * Occupied index slots (live and tombstones) over all slots.
     *
     * @return the figure
     */
    public double indexLoadFactor() {
        return (double) (f.keys() + f.tombstones()) / f.indexCapacity();
    }
}
