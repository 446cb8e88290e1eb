package io.seqs.internal.store;

/**
 * One shard's figures as the shard collects them, under its lock. The public view of them is
 * {@code io.seqs.ShardStats}, which documents each one; this record is what crosses from the
 * engine to the API, so adding a figure changes no public constructor.
 */
public record ShardFigures(
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
        long recoveryNanos) {}
