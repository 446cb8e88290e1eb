package io.seqs.bench;

import io.seqs.Compression;
import io.seqs.Durability;
import io.seqs.Seqs;
import io.seqs.SeqsBuilder;
import io.seqs.SeqsStats;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** seqs behind the harness's {@link Engine} calls, through its zero-copy ByteBuffer paths. */
final class SeqsEngine implements Engine {
    private final String name;
    private final Path dir;
    private final Seqs store;
    private final Map<String, Object> settings = new LinkedHashMap<>();

    SeqsEngine(
            String name,
            Path dir,
            Options.DurabilityClass durability,
            long expectedKeys,
            long segmentBytes,
            int shards,
            long checkpointSeconds,
            Compression compression) {
        this.name = name;
        this.dir = dir;
        Durability d = switch (durability) {
            case PROCESS -> Durability.PROCESS;
            case PERIODIC -> Durability.PERIODIC;
            case SYNC -> Durability.SYNC;
        };
        SeqsBuilder b = Seqs.builder(dir)
                .durability(d)
                .flushInterval(Duration.ofSeconds(1))
                .checkpointInterval(Duration.ofSeconds(checkpointSeconds))
                .segmentSize(segmentBytes)
                .compression(compression)
                .expectedKeys(expectedKeys);
        if (shards > 0) {
            b.shards(shards);
        }
        this.store = b.open();
        settings.put("durability", d.name());
        settings.put("segment_bytes", segmentBytes);
        settings.put("expected_keys", expectedKeys);
        settings.put("checkpoint_interval_s", checkpointSeconds);
        settings.put("compression", compression.name());
        settings.put("reclaim_threshold", SeqsBuilder.DEFAULT_RECLAIM_THRESHOLD);
        settings.put("shards", store.stats().shards().size());
    }

    /** Segment size the harness uses: about 8 segments of data per shard, a power of two in 16 MiB..1 GiB. */
    static long autoSegmentBytes(long expectedBytes, int shards) {
        long perShard = expectedBytes / Math.max(1, shards) / 8;
        long size = Long.highestOneBit(Math.max(1, perShard));
        return Math.max(16L << 20, Math.min(SeqsBuilder.MAX_SEGMENT_SIZE, size));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public void put(ByteBuffer key, int keyLength, ByteBuffer value, int valueLength) {
        key.limit(keyLength).position(0);
        value.limit(valueLength).position(0);
        store.put(key, value);
    }

    @Override
    public long[] exportAll() {
        long[] seen = new long[2];
        store.forEachSegment((key, value) -> { // key and value copied out of the log, as the others copy them
            seen[0]++;
            seen[1] += key.byteSize() + value.byteSize();
        });
        return seen;
    }

    @Override
    public int get(ByteBuffer key, int keyLength, ByteBuffer dst) {
        key.limit(keyLength).position(0);
        dst.clear();
        return (int) store.get(key, dst);
    }

    @Override
    public void flush() {
        store.flush();
    }

    @Override
    public void reset() {
        store.resetEpoch();
    }

    @Override
    public long keys() {
        return store.stats().keys();
    }

    @Override
    public Double indexBytesPerKey() {
        SeqsStats s = store.stats();
        return s.keys() == 0 ? null : s.indexBytesPerKey();
    }

    @Override
    public Long ownPhysicalBytes() {
        // seqs' counters run on across resets while the store is open, so deltas stay meaningful.
        return store.stats().physicalBytes();
    }

    SeqsStats stats() {
        return store.stats();
    }

    @Override
    public Map<String, Object> details() {
        SeqsStats s = store.stats();
        Map<String, Object> m = new LinkedHashMap<>(settings);
        m.put("epoch", s.epoch());
        m.put("keys", s.keys());
        m.put("logical_bytes", s.logicalBytes());
        m.put("physical_bytes", s.physicalBytes());
        m.put("write_amplification_own", s.writeAmplification());
        m.put("live_bytes", s.liveBytes());
        m.put("dead_bytes", s.deadBytes());
        m.put("space_amplification", s.spaceAmplification());
        m.put("compression_input_bytes", s.compressionInputBytes());
        m.put("compression_output_bytes", s.compressionOutputBytes());
        m.put("compression_ratio", s.compressionRatio());
        m.put("compressed_records", s.compressedRecords());
        m.put("compression_s", s.compressionNanos() / 1e9);
        m.put("decompression_s", s.decompressionNanos() / 1e9);
        m.put("reclaimed_segments", s.reclaimedSegments());
        m.put("reclaimed_bytes", s.reclaimedBytes());
        m.put("reclaim_copied_bytes", s.reclaimCopiedBytes());
        m.put("reclaim_s", s.reclaimNanos() / 1e9);
        m.put("reclaim_commit_s", s.reclaimCommitNanos() / 1e9);
        m.put("index_bytes", s.indexBytes());
        m.put("index_bytes_per_key", s.keys() == 0 ? null : s.indexBytesPerKey());
        double maxLoad = 0;
        double minLoad = Double.MAX_VALUE;
        long segments = 0;
        long maxKeys = 0;
        long minKeys = Long.MAX_VALUE;
        long rebuilds = 0;
        long rebuildNanos = 0;
        for (var shard : s.shards()) {
            maxLoad = Math.max(maxLoad, shard.indexLoadFactor());
            minLoad = Math.min(minLoad, shard.indexLoadFactor());
            segments += shard.segments();
            maxKeys = Math.max(maxKeys, shard.keys());
            minKeys = Math.min(minKeys, shard.keys());
            rebuilds += shard.indexRebuilds();
            rebuildNanos += shard.indexRebuildNanos();
        }
        m.put("index_load_min", minLoad);
        m.put("index_load_max", maxLoad);
        m.put("index_rebuilds", rebuilds);
        m.put("index_rebuild_ms", rebuildNanos / 1e6);
        m.put("shard_keys_min", minKeys);
        m.put("shard_keys_max", maxKeys);
        m.put("segments", segments);
        m.put("lock_wait_ms", s.lockWaitNanos() / 1e6);
        m.put("flushes", s.flushes());
        m.put("flush_ms", s.flushNanos() / 1e6);
        m.put("checkpoints", s.checkpoints());
        m.put("checkpoint_ms", s.checkpointNanos() / 1e6);
        m.put("open_ms", s.openNanos() / 1e6);
        m.put("recovery_replayed_records", s.recoveryReplayedRecords());
        m.put("recovery_dropped_records", s.recoveryDroppedRecords());
        m.put(
                "recovered_from_checkpoint",
                s.shards().stream().filter(x -> x.recoveredFromCheckpoint()).count());
        return m;
    }

    @Override
    public void close() {
        store.close();
    }
}
