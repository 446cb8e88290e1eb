package io.seqs;

import java.util.List;

/**
 * A snapshot of a store's figures, taken shard by shard under each shard's lock. Counters
 * (operations, bytes written, waits, flushes, checkpoints, resets) start at zero when the store
 * is opened and carry across resets, so they only grow while it is open; the state figures
 * (keys, live and dead bytes, segments, the index, what recovery found) describe the current
 * epoch.
 */
public final class SeqsStats {
    private final long epoch;
    private final Durability durability;
    private final List<ShardStats> shards;
    private final long resets;
    private final long lastResetNanos;
    private final long resetNanos;
    private final long openNanos;
    private final long uptimeNanos;
    private final LatencyStats getLatency;
    private final LatencyStats putLatency;
    private final LatencyStats recentGetLatency;
    private final LatencyStats recentPutLatency;

    private SeqsStats(
            long epoch,
            Durability durability,
            List<ShardStats> shards,
            long resets,
            long lastResetNanos,
            long resetNanos,
            long openNanos,
            long uptimeNanos,
            LatencyStats getLatency,
            LatencyStats putLatency,
            LatencyStats recentGetLatency,
            LatencyStats recentPutLatency) {
        this.epoch = epoch;
        this.durability = durability;
        this.shards = List.copyOf(shards);
        this.resets = resets;
        this.lastResetNanos = lastResetNanos;
        this.resetNanos = resetNanos;
        this.openNanos = openNanos;
        this.uptimeNanos = uptimeNanos;
        this.getLatency = getLatency;
        this.putLatency = putLatency;
        this.recentGetLatency = recentGetLatency;
        this.recentPutLatency = recentPutLatency;
    }

    /** The figures, as the store collects them; not part of the API. */
    static SeqsStats of(
            long epoch,
            Durability durability,
            List<ShardStats> shards,
            long resets,
            long lastResetNanos,
            long resetNanos,
            long openNanos,
            long uptimeNanos,
            LatencyStats getLatency,
            LatencyStats putLatency,
            LatencyStats recentGetLatency,
            LatencyStats recentPutLatency) {
        return new SeqsStats(
                epoch,
                durability,
                shards,
                resets,
                lastResetNanos,
                resetNanos,
                openNanos,
                uptimeNanos,
                getLatency,
                putLatency,
                recentGetLatency,
                recentPutLatency);
    }

    /**
     * The current epoch.
     *
     * @return the figure
     */
    public long epoch() {
        return epoch;
    }

    /**
     * The durability mode the store runs with.
     *
     * @return the figure
     */
    public Durability durability() {
        return durability;
    }

    /**
     * Per-shard figures, by shard index.
     *
     * @return the figure
     */
    public List<ShardStats> shards() {
        return shards;
    }

    /**
     * Resets since open.
     *
     * @return the figure
     */
    public long resets() {
        return resets;
    }

    /**
     * Duration of the latest reset, 0 when none.
     *
     * @return the figure
     */
    public long lastResetNanos() {
        return lastResetNanos;
    }

    /**
     * Total time spent in resets since open.
     *
     * @return the figure
     */
    public long resetNanos() {
        return resetNanos;
    }

    /**
     * Time open took: manifest, recovery of every shard.
     *
     * @return the figure
     */
    public long openNanos() {
        return openNanos;
    }

    /**
     * Time since the store was opened.
     *
     * @return the figure
     */
    public long uptimeNanos() {
        return uptimeNanos;
    }

    /**
     * Sampled get latencies since open.
     *
     * @return the figure
     */
    public LatencyStats getLatency() {
        return getLatency;
    }

    /**
     * Sampled put latencies since open (including waits for the shard and, under SYNC, the force).
     *
     * @return the figure
     */
    public LatencyStats putLatency() {
        return putLatency;
    }

    /**
     * Sampled get latencies since the previous snapshot.
     *
     * @return the figure
     */
    public LatencyStats recentGetLatency() {
        return recentGetLatency;
    }

    /**
     * Sampled put latencies since the previous snapshot.
     *
     * @return the figure
     */
    public LatencyStats recentPutLatency() {
        return recentPutLatency;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeqsStats other
                && epoch == other.epoch
                && java.util.Objects.equals(durability, other.durability)
                && java.util.Objects.equals(shards, other.shards)
                && resets == other.resets
                && lastResetNanos == other.lastResetNanos
                && resetNanos == other.resetNanos
                && openNanos == other.openNanos
                && uptimeNanos == other.uptimeNanos
                && java.util.Objects.equals(getLatency, other.getLatency)
                && java.util.Objects.equals(putLatency, other.putLatency)
                && java.util.Objects.equals(recentGetLatency, other.recentGetLatency)
                && java.util.Objects.equals(recentPutLatency, other.recentPutLatency);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                epoch,
                durability,
                shards,
                resets,
                lastResetNanos,
                resetNanos,
                openNanos,
                uptimeNanos,
                getLatency,
                putLatency,
                recentGetLatency,
                recentPutLatency);
    }
    /**
     * Live keys, summed over shards.
     *
     * @return the figure
     */
    public long keys() {
        return sum(ShardStats::keys);
    }

    /**
     * Puts appended since open.
     *
     * @return the figure
     */
    public long puts() {
        return sum(ShardStats::puts);
    }

    /**
     * Deletes appended since open (of live keys).
     *
     * @return the figure
     */
    public long deletes() {
        return sum(ShardStats::deletes);
    }

    /**
     * Gets served since open.
     *
     * @return the figure
     */
    public long gets() {
        return sum(ShardStats::gets);
    }

    /**
     * Gets that found a value.
     *
     * @return the figure
     */
    public long getHits() {
        return sum(ShardStats::getHits);
    }

    /**
     * Records appended: puts and deletes.
     *
     * @return the figure
     */
    public long recordsWritten() {
        return puts() + deletes();
    }

    /**
     * Records written per second, averaged since open.
     *
     * @return the figure
     */
    public double recordsPerSecond() {
        return uptimeNanos == 0 ? 0 : recordsWritten() * 1e9 / uptimeNanos;
    }

    /**
     * Time writers held shard locks to append and index, estimated from samples, summed over shards.
     *
     * @return the figure
     */
    public long writeNanos() {
        return sum(ShardStats::writeNanos);
    }

    /**
     * Key and value bytes handed to the store.
     *
     * @return the figure
     */
    public long logicalBytes() {
        return sum(ShardStats::logicalBytes);
    }

    /**
     * Bytes written to files: records with headers and padding, segment headers, checkpoints.
     *
     * @return the figure
     */
    public long physicalBytes() {
        return sum(ShardStats::physicalBytes);
    }

    /**
     * Physical over logical bytes; 0 before anything was written.
     *
     * @return the figure
     */
    public double writeAmplification() {
        long logical = logicalBytes();
        return logical == 0 ? 0 : (double) physicalBytes() / logical;
    }

    /**
     * Bytes of the records the index points at.
     *
     * @return the figure
     */
    public long liveBytes() {
        return sum(ShardStats::liveBytes);
    }

    /**
     * Bytes of overwritten and deleted records and of delete records.
     *
     * @return the figure
     */
    public long deadBytes() {
        return sum(ShardStats::deadBytes);
    }

    /**
     * Bytes of records in the log over the bytes of live records; 1.0 when nothing is dead.
     *
     * @return the figure
     */
    public double spaceAmplification() {
        long live = liveBytes();
        return live == 0 ? 0 : (double) (live + deadBytes()) / live;
    }

    /**
     * Off-heap bytes of the index tables.
     *
     * @return the figure
     */
    public long indexBytes() {
        return sum(ShardStats::indexBytes);
    }

    /**
     * Index memory per live key; 0 when there are no keys (an empty table is not a cost per key).
     *
     * @return the figure
     */
    public double indexBytesPerKey() {
        long keys = keys();
        return keys == 0 ? 0 : (double) indexBytes() / keys;
    }

    /**
     * Time writers spent waiting for shard locks, summed over shards.
     *
     * @return the figure
     */
    public long lockWaitNanos() {
        return sum(ShardStats::lockWaitNanos);
    }

    /**
     * Forces of the log that wrote something, summed over shards.
     *
     * @return the figure
     */
    public long flushes() {
        return sum(ShardStats::flushes);
    }

    /**
     * Time spent forcing the log, summed over shards.
     *
     * @return the figure
     */
    public long flushNanos() {
        return sum(ShardStats::flushNanos);
    }

    /**
     * Checkpoints written since open, summed over shards.
     *
     * @return the figure
     */
    public long checkpoints() {
        return sum(ShardStats::checkpoints);
    }

    /**
     * Time spent writing checkpoints, summed over shards.
     *
     * @return the figure
     */
    public long checkpointNanos() {
        return sum(ShardStats::checkpointNanos);
    }

    /**
     * Longest time any shard's lock was held by a checkpoint.
     *
     * @return the figure
     */
    public long checkpointStallNanosMax() {
        return shards.stream()
                .mapToLong(ShardStats::checkpointStallNanosMax)
                .max()
                .orElse(0);
    }

    /**
     * Time spent rebuilding index tables, summed over shards; writers of a shard wait during its rebuilds.
     *
     * @return the figure
     */
    public long indexRebuildNanos() {
        return sum(ShardStats::indexRebuildNanos);
    }

    /**
     * Records replayed at open, summed over shards.
     *
     * @return the figure
     */
    public long recoveryReplayedRecords() {
        return sum(ShardStats::recoveryReplayedRecords);
    }

    /**
     * Records open gave up (a torn tail, damage), summed over shards; for a read-only open, what a read-write open
     * would drop.
     *
     * @return the figure
     */
    public long recoveryDroppedRecords() {
        return sum(ShardStats::recoveryDroppedRecords);
    }

    /**
     * Bytes open gave up, summed over shards.
     *
     * @return the figure
     */
    public long recoveryDroppedBytes() {
        return sum(ShardStats::recoveryDroppedBytes);
    }

    /**
     * Values offered to the compressor (puts of at least 32 bytes while LZ4 is on). Summed over
     * shards.
     *
     * @return the figure
     */
    public long compressionInputs() {
        return sum(ShardStats::compressionInputs);
    }

    /**
     * Bytes of the values offered to the compressor. Summed over shards.
     *
     * @return the figure
     */
    public long compressionInputBytes() {
        return sum(ShardStats::compressionInputBytes);
    }

    /**
     * Bytes stored for the values offered to the compressor: compressed where that was smaller,
     * else as they came. Summed over shards.
     *
     * @return the figure
     */
    public long compressionOutputBytes() {
        return sum(ShardStats::compressionOutputBytes);
    }

    /**
     * Values stored compressed. Summed over shards.
     *
     * @return the figure
     */
    public long compressedRecords() {
        return sum(ShardStats::compressedRecords);
    }

    /**
     * Estimated time spent compressing values, from one call in 64 timed per thread. Summed
     * over shards.
     *
     * @return the figure
     */
    public long compressionNanos() {
        return sum(ShardStats::compressionNanos);
    }

    /**
     * Values decompressed by gets and scans. Summed over shards.
     *
     * @return the figure
     */
    public long decompressions() {
        return sum(ShardStats::decompressions);
    }

    /**
     * Estimated time spent decompressing values, from one call in 64 timed per thread. Summed
     * over shards.
     *
     * @return the figure
     */
    public long decompressionNanos() {
        return sum(ShardStats::decompressionNanos);
    }

    /**
     * Segment files reclaimed: their live records copied to the tail and the files deleted.
     * Summed over shards.
     *
     * @return the figure
     */
    public long reclaimedSegments() {
        return sum(ShardStats::reclaimedSegments);
    }

    /**
     * Bytes of the segment files reclaimed (what went back to the file system). Summed over shards.
     *
     * @return the figure
     */
    public long reclaimedBytes() {
        return sum(ShardStats::reclaimedBytes);
    }

    /**
     * Bytes reclamation wrote to the tail; they count in physicalBytes too. Summed over shards.
     *
     * @return the figure
     */
    public long reclaimCopiedBytes() {
        return sum(ShardStats::reclaimCopiedBytes);
    }

    /**
     * Time spent reclaiming: copying, the checkpoint that commits it, and deleting. Summed over
     * shards.
     *
     * @return the figure
     */
    public long reclaimNanos() {
        return sum(ShardStats::reclaimNanos);
    }

    /**
     * Part of {@link #reclaimNanos()} spent in the checkpoints that commit reclamations; they
     * force the log first, so they also pay for writes not yet on disk. Summed over shards.
     *
     * @return the figure
     */
    public long reclaimCommitNanos() {
        return sum(ShardStats::reclaimCommitNanos);
    }

    /**
     * Bytes stored for the values offered to the compressor over their uncompressed bytes: 1 when
     * nothing was offered or nothing saved, 0.25 when values shrank to a quarter.
     *
     * @return the figure
     */
    public double compressionRatio() {
        long in = compressionInputBytes();
        return in == 0 ? 1 : (double) compressionOutputBytes() / in;
    }

    private long sum(java.util.function.ToLongFunction<ShardStats> f) {
        long total = 0;
        for (ShardStats s : shards) {
            total += f.applyAsLong(s);
        }
        return total;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                "seqs epoch %d (%s), %d shards, opened in %.1f ms%n",
                epoch, durability, shards.size(), openNanos / 1e6));
        b.append(String.format(
                "  keys %,d  puts %,d  deletes %,d  gets %,d (hits %,d)%n",
                keys(), puts(), deletes(), gets(), getHits()));
        b.append(String.format(
                "  logical %,d B  physical %,d B  write amplification %.3f%n",
                logicalBytes(), physicalBytes(), writeAmplification()));
        b.append(String.format(
                "  live %,d B  dead %,d B  space amplification %.3f%n",
                liveBytes(), deadBytes(), spaceAmplification()));
        b.append(String.format(
                "  %.0f records/s since open  get %s%n  put %s%n", recordsPerSecond(), getLatency, putLatency));
        b.append(String.format(
                "  index %,d B  %.2f B/key  shard lock: waited %.1f ms, held to write %.1f ms (est.)%n",
                indexBytes(), indexBytesPerKey(), lockWaitNanos() / 1e6, writeNanos() / 1e6));
        b.append(String.format(
                "  flushes %,d (%.1f ms)  checkpoints %,d (%.1f ms, longest stall %.2f ms)  index rebuilds %.1f "
                        + "ms  resets %d (last %.2f ms)%n",
                flushes(),
                flushNanos() / 1e6,
                checkpoints(),
                checkpointNanos() / 1e6,
                checkpointStallNanosMax() / 1e6,
                indexRebuildNanos() / 1e6,
                resets,
                lastResetNanos / 1e6));
        b.append(String.format(
                "  recovery replayed %,d records, dropped %,d records / %,d B%n",
                recoveryReplayedRecords(), recoveryDroppedRecords(), recoveryDroppedBytes()));
        for (ShardStats s : shards) {
            b.append(String.format(
                    "  shard %3d: keys %,d  load %.2f  segments %d  puts %,d  live %,d B  dead %,d B%n",
                    s.shard(), s.keys(), s.indexLoadFactor(), s.segments(), s.puts(), s.liveBytes(), s.deadBytes()));
        }
        return b.toString();
    }
}
