package io.seqs;

/**
 * One shard's figures at the moment of a {@link Seqs#stats()} call. Counters start at zero when
 * the store is opened and carry across resets to the shard with the same index; state figures
 * (keys, index, segments, live and dead bytes, recovery) describe the current epoch's shard.
 * Times are in nanoseconds, sizes in bytes.
 *
 * @param shard shard index
 * @param keys live keys in the index
 * @param indexCapacity index slots
 * @param indexBytes off-heap bytes of the index table
 * @param tombstones index slots holding a deletion marker
 * @param segments segment files in the log
 * @param puts puts appended since open
 * @param deletes deletes appended since open (of live keys)
 * @param gets gets served since open
 * @param getHits gets that found a value
 * @param logicalBytes key and value bytes handed to put and delete since open
 * @param physicalBytes bytes written to files since open: records with headers and padding,
 *     segment headers, checkpoints
 * @param liveBytes bytes of the records the index points at
 * @param deadBytes bytes of overwritten and deleted records and of delete records
 * @param logPosition log position of the next record
 * @param durablePosition log position below which everything was forced to stable storage
 * @param lockWaits writes that found the shard lock taken
 * @param lockWaitNanos time writers spent waiting for the shard lock
 * @param writeNanos time writers spent holding the shard lock to append and index, estimated
 *     from one timed put in 16
 * @param indexRebuilds times the index table was rebuilt (grown or cleaned of tombstones)
 * @param indexRebuildNanos time spent rebuilding, during which writers of this shard wait
 * @param flushes forces of the log that wrote something
 * @param flushNanos time spent forcing the log
 * @param checkpoints checkpoints written since open
 * @param checkpointNanos time spent writing checkpoints
 * @param checkpointBytes bytes of checkpoint files written since open
 * @param checkpointStallNanosMax longest time a checkpoint held the shard lock (to copy the index),
 *     the most a writer waited for a checkpoint
 * @param recoveredFromCheckpoint whether open loaded a checkpoint (else it scanned the whole log)
 * @param recoveryReplayedRecords records replayed at open
 * @param recoveryDroppedRecords records dropped at open because the log was torn or corrupt there
 * @param recoveryDroppedBytes bytes dropped at open
 * @param recoveryDroppedSegments segment files dropped at open
 * @param recoveryNanos time this shard's recovery took
 */
public record ShardStats(
        int shard,
        long keys,
        long indexCapacity,
        long indexBytes,
        long tombstones,
        int segments,
        long puts,
        long deletes,
        long gets,
        long getHits,
        long logicalBytes,
        long physicalBytes,
        long liveBytes,
        long deadBytes,
        long logPosition,
        long durablePosition,
        long lockWaits,
        long lockWaitNanos,
        long writeNanos,
        long indexRebuilds,
        long indexRebuildNanos,
        long flushes,
        long flushNanos,
        long checkpoints,
        long checkpointNanos,
        long checkpointBytes,
        long checkpointStallNanosMax,
        boolean recoveredFromCheckpoint,
        long recoveryReplayedRecords,
        long recoveryDroppedRecords,
        long recoveryDroppedBytes,
        long recoveryDroppedSegments,
        long recoveryNanos) {

    /** Index memory per live key; 0 when there are no keys. */
    public double indexBytesPerKey() {
        return keys == 0 ? 0 : (double) indexBytes / keys;
    }

    /** Occupied index slots (live and tombstones) over all slots. */
    public double indexLoadFactor() {
        return (double) (keys + tombstones) / indexCapacity;
    }
}
