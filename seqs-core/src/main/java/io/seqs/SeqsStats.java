package io.seqs;

import java.util.List;

/**
 * A snapshot of a store's figures, taken shard by shard under each shard's lock. Counters
 * (operations, bytes written, waits, flushes, checkpoints, resets) start at zero when the store
 * is opened and carry across resets, so they only grow while it is open; the state figures
 * (keys, live and dead bytes, segments, the index, what recovery found) describe the current
 * epoch.
 *
 * @param epoch the current epoch
 * @param durability the durability mode the store runs with
 * @param shards per-shard figures, by shard index
 * @param resets resets since open
 * @param lastResetNanos duration of the latest reset, 0 when none
 * @param resetNanos total time spent in resets since open
 * @param openNanos time open took: manifest, recovery of every shard
 * @param uptimeNanos time since the store was opened
 * @param getLatency sampled get latencies since open
 * @param putLatency sampled put latencies since open (including waits for the shard and, under
 *     SYNC, the force)
 * @param recentGetLatency sampled get latencies since the previous snapshot
 * @param recentPutLatency sampled put latencies since the previous snapshot
 */
public record SeqsStats(
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

    public SeqsStats {
        shards = List.copyOf(shards);
    }

    public long keys() {
        return sum(ShardStats::keys);
    }

    public long puts() {
        return sum(ShardStats::puts);
    }

    public long deletes() {
        return sum(ShardStats::deletes);
    }

    public long gets() {
        return sum(ShardStats::gets);
    }

    public long getHits() {
        return sum(ShardStats::getHits);
    }

    /** Records appended: puts and deletes. */
    public long recordsWritten() {
        return puts() + deletes();
    }

    /** Records written per second, averaged since open. */
    public double recordsPerSecond() {
        return uptimeNanos == 0 ? 0 : recordsWritten() * 1e9 / uptimeNanos;
    }

    /** Time writers held shard locks to append and index, estimated from samples, summed over shards. */
    public long writeNanos() {
        return sum(ShardStats::writeNanos);
    }

    /** Key and value bytes handed to the store. */
    public long logicalBytes() {
        return sum(ShardStats::logicalBytes);
    }

    /** Bytes written to files: records with headers and padding, segment headers, checkpoints. */
    public long physicalBytes() {
        return sum(ShardStats::physicalBytes);
    }

    /** Physical over logical bytes; 0 before anything was written. */
    public double writeAmplification() {
        long logical = logicalBytes();
        return logical == 0 ? 0 : (double) physicalBytes() / logical;
    }

    public long liveBytes() {
        return sum(ShardStats::liveBytes);
    }

    public long deadBytes() {
        return sum(ShardStats::deadBytes);
    }

    /** Bytes of records in the log over the bytes of live records; 1.0 when nothing is dead. */
    public double spaceAmplification() {
        long live = liveBytes();
        return live == 0 ? 0 : (double) (live + deadBytes()) / live;
    }

    public long indexBytes() {
        return sum(ShardStats::indexBytes);
    }

    /** Index memory per live key; 0 when there are no keys (an empty table is not a cost per key). */
    public double indexBytesPerKey() {
        long keys = keys();
        return keys == 0 ? 0 : (double) indexBytes() / keys;
    }

    public long lockWaitNanos() {
        return sum(ShardStats::lockWaitNanos);
    }

    public long flushes() {
        return sum(ShardStats::flushes);
    }

    public long flushNanos() {
        return sum(ShardStats::flushNanos);
    }

    public long checkpoints() {
        return sum(ShardStats::checkpoints);
    }

    public long checkpointNanos() {
        return sum(ShardStats::checkpointNanos);
    }

    /** Longest time any shard's lock was held by a checkpoint. */
    public long checkpointStallNanosMax() {
        return shards.stream().mapToLong(ShardStats::checkpointStallNanosMax).max().orElse(0);
    }

    /** Time spent rebuilding index tables, summed over shards; writers of a shard wait during its rebuilds. */
    public long indexRebuildNanos() {
        return sum(ShardStats::indexRebuildNanos);
    }

    public long recoveryReplayedRecords() {
        return sum(ShardStats::recoveryReplayedRecords);
    }

    public long recoveryDroppedRecords() {
        return sum(ShardStats::recoveryDroppedRecords);
    }

    public long recoveryDroppedBytes() {
        return sum(ShardStats::recoveryDroppedBytes);
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
        b.append(String.format("seqs epoch %d (%s), %d shards, opened in %.1f ms%n", epoch, durability, shards.size(), openNanos / 1e6));
        b.append(String.format("  keys %,d  puts %,d  deletes %,d  gets %,d (hits %,d)%n", keys(), puts(), deletes(), gets(), getHits()));
        b.append(String.format("  logical %,d B  physical %,d B  write amplification %.3f%n", logicalBytes(), physicalBytes(), writeAmplification()));
        b.append(String.format("  live %,d B  dead %,d B  space amplification %.3f%n", liveBytes(), deadBytes(), spaceAmplification()));
        b.append(String.format("  %.0f records/s since open  get %s%n  put %s%n", recordsPerSecond(), getLatency, putLatency));
        b.append(String.format("  index %,d B  %.2f B/key  shard lock: waited %.1f ms, held to write %.1f ms (est.)%n",
                indexBytes(), indexBytesPerKey(), lockWaitNanos() / 1e6, writeNanos() / 1e6));
        b.append(String.format("  flushes %,d (%.1f ms)  checkpoints %,d (%.1f ms, longest stall %.2f ms)  index rebuilds %.1f ms  resets %d (last %.2f ms)%n",
                flushes(), flushNanos() / 1e6, checkpoints(), checkpointNanos() / 1e6, checkpointStallNanosMax() / 1e6,
                indexRebuildNanos() / 1e6, resets, lastResetNanos / 1e6));
        b.append(String.format("  recovery replayed %,d records, dropped %,d records / %,d B%n",
                recoveryReplayedRecords(), recoveryDroppedRecords(), recoveryDroppedBytes()));
        for (ShardStats s : shards) {
            b.append(String.format("  shard %3d: keys %,d  load %.2f  segments %d  puts %,d  live %,d B  dead %,d B%n",
                    s.shard(), s.keys(), s.indexLoadFactor(), s.segments(), s.puts(), s.liveBytes(), s.deadBytes()));
        }
        return b.toString();
    }
}
