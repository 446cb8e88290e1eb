package io.seqs;

/**
 * One shard's figures at the moment of a {@link Seqs#stats()} call. Counters start at zero when
 * the store is opened and carry across resets to the shard with the same index; state figures
 * (keys, index, segments, live and dead bytes, recovery) describe the current epoch's shard.
 * Times are in nanoseconds, sizes in bytes.
 */
public final class ShardStats {
    private final int shard;
    private final long keys;
    private final long indexCapacity;
    private final long indexBytes;
    private final long tombstones;
    private final int segments;
    private final long puts;
    private final long deletes;
    private final long gets;
    private final long getHits;
    private final long logicalBytes;
    private final long physicalBytes;
    private final long liveBytes;
    private final long deadBytes;
    private final long logPosition;
    private final long durablePosition;
    private final long lockWaits;
    private final long lockWaitNanos;
    private final long writeNanos;
    private final long indexRebuilds;
    private final long indexRebuildNanos;
    private final long flushes;
    private final long flushNanos;
    private final long checkpoints;
    private final long checkpointNanos;
    private final long checkpointBytes;
    private final long checkpointStallNanosMax;
    private final boolean recoveredFromCheckpoint;
    private final long recoveryReplayedRecords;
    private final long recoveryDroppedRecords;
    private final long recoveryDroppedBytes;
    private final long recoveryDroppedSegments;
    private final long recoveryNanos;

    private ShardStats(int shard, long keys, long indexCapacity, long indexBytes, long tombstones, int segments, long puts, long deletes, long gets, long getHits, long logicalBytes, long physicalBytes, long liveBytes, long deadBytes, long logPosition, long durablePosition, long lockWaits, long lockWaitNanos, long writeNanos, long indexRebuilds, long indexRebuildNanos, long flushes, long flushNanos, long checkpoints, long checkpointNanos, long checkpointBytes, long checkpointStallNanosMax, boolean recoveredFromCheckpoint, long recoveryReplayedRecords, long recoveryDroppedRecords, long recoveryDroppedBytes, long recoveryDroppedSegments, long recoveryNanos) {
        this.shard = shard;
        this.keys = keys;
        this.indexCapacity = indexCapacity;
        this.indexBytes = indexBytes;
        this.tombstones = tombstones;
        this.segments = segments;
        this.puts = puts;
        this.deletes = deletes;
        this.gets = gets;
        this.getHits = getHits;
        this.logicalBytes = logicalBytes;
        this.physicalBytes = physicalBytes;
        this.liveBytes = liveBytes;
        this.deadBytes = deadBytes;
        this.logPosition = logPosition;
        this.durablePosition = durablePosition;
        this.lockWaits = lockWaits;
        this.lockWaitNanos = lockWaitNanos;
        this.writeNanos = writeNanos;
        this.indexRebuilds = indexRebuilds;
        this.indexRebuildNanos = indexRebuildNanos;
        this.flushes = flushes;
        this.flushNanos = flushNanos;
        this.checkpoints = checkpoints;
        this.checkpointNanos = checkpointNanos;
        this.checkpointBytes = checkpointBytes;
        this.checkpointStallNanosMax = checkpointStallNanosMax;
        this.recoveredFromCheckpoint = recoveredFromCheckpoint;
        this.recoveryReplayedRecords = recoveryReplayedRecords;
        this.recoveryDroppedRecords = recoveryDroppedRecords;
        this.recoveryDroppedBytes = recoveryDroppedBytes;
        this.recoveryDroppedSegments = recoveryDroppedSegments;
        this.recoveryNanos = recoveryNanos;
    }

    /** The figures, as the store collects them; not part of the API. */
    static ShardStats of(int shard, long keys, long indexCapacity, long indexBytes, long tombstones, int segments, long puts, long deletes, long gets, long getHits, long logicalBytes, long physicalBytes, long liveBytes, long deadBytes, long logPosition, long durablePosition, long lockWaits, long lockWaitNanos, long writeNanos, long indexRebuilds, long indexRebuildNanos, long flushes, long flushNanos, long checkpoints, long checkpointNanos, long checkpointBytes, long checkpointStallNanosMax, boolean recoveredFromCheckpoint, long recoveryReplayedRecords, long recoveryDroppedRecords, long recoveryDroppedBytes, long recoveryDroppedSegments, long recoveryNanos) {
        return new ShardStats(shard, keys, indexCapacity, indexBytes, tombstones, segments, puts, deletes, gets, getHits, logicalBytes, physicalBytes, liveBytes, deadBytes, logPosition, durablePosition, lockWaits, lockWaitNanos, writeNanos, indexRebuilds, indexRebuildNanos, flushes, flushNanos, checkpoints, checkpointNanos, checkpointBytes, checkpointStallNanosMax, recoveredFromCheckpoint, recoveryReplayedRecords, recoveryDroppedRecords, recoveryDroppedBytes, recoveryDroppedSegments, recoveryNanos);
    }

    /**
     * Shard index.
     *
     * @return the figure
     */
    public int shard() {
        return shard;
    }

    /**
     * Live keys in the index.
     *
     * @return the figure
     */
    public long keys() {
        return keys;
    }

    /**
     * Index slots.
     *
     * @return the figure
     */
    public long indexCapacity() {
        return indexCapacity;
    }

    /**
     * Off-heap bytes of the index table.
     *
     * @return the figure
     */
    public long indexBytes() {
        return indexBytes;
    }

    /**
     * Index slots holding a deletion marker.
     *
     * @return the figure
     */
    public long tombstones() {
        return tombstones;
    }

    /**
     * Segment files in the log.
     *
     * @return the figure
     */
    public int segments() {
        return segments;
    }

    /**
     * Puts appended since open.
     *
     * @return the figure
     */
    public long puts() {
        return puts;
    }

    /**
     * Deletes appended since open (of live keys).
     *
     * @return the figure
     */
    public long deletes() {
        return deletes;
    }

    /**
     * Gets served since open.
     *
     * @return the figure
     */
    public long gets() {
        return gets;
    }

    /**
     * Gets that found a value.
     *
     * @return the figure
     */
    public long getHits() {
        return getHits;
    }

    /**
     * Key and value bytes handed to put and delete since open.
     *
     * @return the figure
     */
    public long logicalBytes() {
        return logicalBytes;
    }

    /**
     * Bytes written to files since open: records with headers and padding, segment headers, checkpoints.
     *
     * @return the figure
     */
    public long physicalBytes() {
        return physicalBytes;
    }

    /**
     * Bytes of the records the index points at.
     *
     * @return the figure
     */
    public long liveBytes() {
        return liveBytes;
    }

    /**
     * Bytes of overwritten and deleted records and of delete records.
     *
     * @return the figure
     */
    public long deadBytes() {
        return deadBytes;
    }

    /**
     * Log position of the next record.
     *
     * @return the figure
     */
    public long logPosition() {
        return logPosition;
    }

    /**
     * Log position below which everything was forced to stable storage.
     *
     * @return the figure
     */
    public long durablePosition() {
        return durablePosition;
    }

    /**
     * Writes that found the shard lock taken.
     *
     * @return the figure
     */
    public long lockWaits() {
        return lockWaits;
    }

    /**
     * Time writers spent waiting for the shard lock.
     *
     * @return the figure
     */
    public long lockWaitNanos() {
        return lockWaitNanos;
    }

    /**
     * Time writers spent holding the shard lock to append and index, estimated from one timed put in 16.
     *
     * @return the figure
     */
    public long writeNanos() {
        return writeNanos;
    }

    /**
     * Times the index table was rebuilt (grown or cleaned of tombstones).
     *
     * @return the figure
     */
    public long indexRebuilds() {
        return indexRebuilds;
    }

    /**
     * Time spent rebuilding, during which writers of this shard wait.
     *
     * @return the figure
     */
    public long indexRebuildNanos() {
        return indexRebuildNanos;
    }

    /**
     * Forces of the log that wrote something.
     *
     * @return the figure
     */
    public long flushes() {
        return flushes;
    }

    /**
     * Time spent forcing the log.
     *
     * @return the figure
     */
    public long flushNanos() {
        return flushNanos;
    }

    /**
     * Checkpoints written since open.
     *
     * @return the figure
     */
    public long checkpoints() {
        return checkpoints;
    }

    /**
     * Time spent writing checkpoints.
     *
     * @return the figure
     */
    public long checkpointNanos() {
        return checkpointNanos;
    }

    /**
     * Bytes of checkpoint files written since open.
     *
     * @return the figure
     */
    public long checkpointBytes() {
        return checkpointBytes;
    }

    /**
     * Longest time a checkpoint held the shard lock (to copy the index), the most a writer waited for a checkpoint.
     *
     * @return the figure
     */
    public long checkpointStallNanosMax() {
        return checkpointStallNanosMax;
    }

    /**
     * Whether open loaded a checkpoint (else it scanned the whole log).
     *
     * @return the figure
     */
    public boolean recoveredFromCheckpoint() {
        return recoveredFromCheckpoint;
    }

    /**
     * Records replayed at open.
     *
     * @return the figure
     */
    public long recoveryReplayedRecords() {
        return recoveryReplayedRecords;
    }

    /**
     * Records dropped at open because the log was torn or corrupt there.
     *
     * @return the figure
     */
    public long recoveryDroppedRecords() {
        return recoveryDroppedRecords;
    }

    /**
     * Bytes dropped at open.
     *
     * @return the figure
     */
    public long recoveryDroppedBytes() {
        return recoveryDroppedBytes;
    }

    /**
     * Segment files dropped at open.
     *
     * @return the figure
     */
    public long recoveryDroppedSegments() {
        return recoveryDroppedSegments;
    }

    /**
     * Time this shard's recovery took.
     *
     * @return the figure
     */
    public long recoveryNanos() {
        return recoveryNanos;
    }

    @Override
    public String toString() {
        return "ShardStats[shard=" + shard + ", keys=" + keys + ", indexCapacity=" + indexCapacity + ", indexBytes=" + indexBytes + ", tombstones=" + tombstones + ", segments=" + segments + ", puts=" + puts + ", deletes=" + deletes + ", gets=" + gets + ", getHits=" + getHits + ", logicalBytes=" + logicalBytes + ", physicalBytes=" + physicalBytes + ", liveBytes=" + liveBytes + ", deadBytes=" + deadBytes + ", logPosition=" + logPosition + ", durablePosition=" + durablePosition + ", lockWaits=" + lockWaits + ", lockWaitNanos=" + lockWaitNanos + ", writeNanos=" + writeNanos + ", indexRebuilds=" + indexRebuilds + ", indexRebuildNanos=" + indexRebuildNanos + ", flushes=" + flushes + ", flushNanos=" + flushNanos + ", checkpoints=" + checkpoints + ", checkpointNanos=" + checkpointNanos + ", checkpointBytes=" + checkpointBytes + ", checkpointStallNanosMax=" + checkpointStallNanosMax + ", recoveredFromCheckpoint=" + recoveredFromCheckpoint + ", recoveryReplayedRecords=" + recoveryReplayedRecords + ", recoveryDroppedRecords=" + recoveryDroppedRecords + ", recoveryDroppedBytes=" + recoveryDroppedBytes + ", recoveryDroppedSegments=" + recoveryDroppedSegments + ", recoveryNanos=" + recoveryNanos + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardStats other
                && shard == other.shard
                && keys == other.keys
                && indexCapacity == other.indexCapacity
                && indexBytes == other.indexBytes
                && tombstones == other.tombstones
                && segments == other.segments
                && puts == other.puts
                && deletes == other.deletes
                && gets == other.gets
                && getHits == other.getHits
                && logicalBytes == other.logicalBytes
                && physicalBytes == other.physicalBytes
                && liveBytes == other.liveBytes
                && deadBytes == other.deadBytes
                && logPosition == other.logPosition
                && durablePosition == other.durablePosition
                && lockWaits == other.lockWaits
                && lockWaitNanos == other.lockWaitNanos
                && writeNanos == other.writeNanos
                && indexRebuilds == other.indexRebuilds
                && indexRebuildNanos == other.indexRebuildNanos
                && flushes == other.flushes
                && flushNanos == other.flushNanos
                && checkpoints == other.checkpoints
                && checkpointNanos == other.checkpointNanos
                && checkpointBytes == other.checkpointBytes
                && checkpointStallNanosMax == other.checkpointStallNanosMax
                && recoveredFromCheckpoint == other.recoveredFromCheckpoint
                && recoveryReplayedRecords == other.recoveryReplayedRecords
                && recoveryDroppedRecords == other.recoveryDroppedRecords
                && recoveryDroppedBytes == other.recoveryDroppedBytes
                && recoveryDroppedSegments == other.recoveryDroppedSegments
                && recoveryNanos == other.recoveryNanos;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(shard, keys, indexCapacity, indexBytes, tombstones, segments, puts, deletes, gets, getHits, logicalBytes, physicalBytes, liveBytes, deadBytes, logPosition, durablePosition, lockWaits, lockWaitNanos, writeNanos, indexRebuilds, indexRebuildNanos, flushes, flushNanos, checkpoints, checkpointNanos, checkpointBytes, checkpointStallNanosMax, recoveredFromCheckpoint, recoveryReplayedRecords, recoveryDroppedRecords, recoveryDroppedBytes, recoveryDroppedSegments, recoveryNanos);
    }
    /**
     * Index memory per live key; 0 when there are no keys.
     *
     * @return the figure
     */
    public double indexBytesPerKey() {
        return keys == 0 ? 0 : (double) indexBytes / keys;
    }

    /**
     * Occupied index slots (live and tombstones) over all slots.
     *
     * @return the figure
     */
    public double indexLoadFactor() {
        return (double) (keys + tombstones) / indexCapacity;
    }
}
