package io.seqs.cli;

import io.seqs.Seqs;
import io.seqs.SeqsStats;
import io.seqs.ShardStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stats DIR}: every figure of {@code stats()} for a closed store, and key and value size histograms. */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description = "The figures stats() gives, store-wide and per shard, for a store opened read-only, plus "
                + "histograms of key and value sizes (read from every live record).")
public final class StatsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The store directory.")
    Path dir;

    @Option(names = "--no-histograms", description = "Skip the histograms (they read every live record).")
    boolean noHistograms;

    @Mixin
    OutputOptions output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    SeqsCommand parent;

    @Override
    public Integer call() {
        try (Seqs store = StoreAccess.openReadOnly(dir, output.checkpointDir)) {
            SeqsStats stats = store.stats();
            Map<String, Object> all = storeFigures(stats);
            List<Map<String, Object>> shards = new ArrayList<>();
            stats.shards().forEach(s -> shards.add(figures(s)));
            SizeHistogram keys = new SizeHistogram();
            SizeHistogram values = new SizeHistogram();
            if (!noHistograms) {
                Progress progress = new Progress("stats", "keys", stats.keys(), parent.err(), output.progress());
                store.forEachSegment((k, v) -> {
                    keys.add(k.byteSize());
                    values.add(v.byteSize());
                    progress.advance(1);
                });
                progress.finish();
            }
            print(all, shards, keys, values);
        }
        return ExitCode.OK;
    }

    private static Map<String, Object> storeFigures(SeqsStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", s.epoch());
        m.put("shards", s.shards().size());
        m.put("keys", s.keys());
        m.put("live_bytes", s.liveBytes());
        m.put("dead_bytes", s.deadBytes());
        m.put("space_amplification", s.spaceAmplification());
        m.put("index_bytes", s.indexBytes());
        m.put("index_bytes_per_key", s.indexBytesPerKey());
        m.put("recovery_replayed_records", s.recoveryReplayedRecords());
        m.put("recovery_dropped_records", s.recoveryDroppedRecords());
        m.put("recovery_dropped_bytes", s.recoveryDroppedBytes());
        m.put("compression_ratio", s.compressionRatio());
        m.put("decompressions", s.decompressions());
        m.put("reclaimed_segments", s.reclaimedSegments());
        m.put("open_ms", s.openNanos() / 1_000_000);
        return m;
    }

    /** Every figure of a shard, by name in snake case. */
    static Map<String, Object> figures(ShardStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shard", s.shard());
        m.put("keys", s.keys());
        m.put("index_capacity", s.indexCapacity());
        m.put("index_bytes", s.indexBytes());
        m.put("tombstones", s.tombstones());
        m.put("segments", s.segments());
        m.put("puts", s.puts());
        m.put("deletes", s.deletes());
        m.put("gets", s.gets());
        m.put("get_hits", s.getHits());
        m.put("logical_bytes", s.logicalBytes());
        m.put("physical_bytes", s.physicalBytes());
        m.put("live_bytes", s.liveBytes());
        m.put("dead_bytes", s.deadBytes());
        m.put("log_position", s.logPosition());
        m.put("durable_position", s.durablePosition());
        m.put("lock_waits", s.lockWaits());
        m.put("lock_wait_nanos", s.lockWaitNanos());
        m.put("write_nanos", s.writeNanos());
        m.put("index_rebuilds", s.indexRebuilds());
        m.put("index_rebuild_nanos", s.indexRebuildNanos());
        m.put("flushes", s.flushes());
        m.put("flush_nanos", s.flushNanos());
        m.put("checkpoints", s.checkpoints());
        m.put("checkpoint_nanos", s.checkpointNanos());
        m.put("checkpoint_bytes", s.checkpointBytes());
        m.put("checkpoint_stall_nanos_max", s.checkpointStallNanosMax());
        m.put("recovered_from_checkpoint", s.recoveredFromCheckpoint());
        m.put("recovery_replayed_records", s.recoveryReplayedRecords());
        m.put("recovery_dropped_records", s.recoveryDroppedRecords());
        m.put("recovery_dropped_bytes", s.recoveryDroppedBytes());
        m.put("recovery_dropped_segments", s.recoveryDroppedSegments());
        m.put("recovery_nanos", s.recoveryNanos());
        m.put("compression_inputs", s.compressionInputs());
        m.put("compression_input_bytes", s.compressionInputBytes());
        m.put("compression_output_bytes", s.compressionOutputBytes());
        m.put("compressed_records", s.compressedRecords());
        m.put("compression_nanos", s.compressionNanos());
        m.put("decompressions", s.decompressions());
        m.put("decompression_nanos", s.decompressionNanos());
        m.put("reclaimed_segments", s.reclaimedSegments());
        m.put("reclaimed_bytes", s.reclaimedBytes());
        m.put("reclaim_copied_records", s.reclaimCopiedRecords());
        m.put("reclaim_copied_bytes", s.reclaimCopiedBytes());
        m.put("reclaim_nanos", s.reclaimNanos());
        m.put("index_load_factor", s.indexLoadFactor());
        m.put("index_bytes_per_key", s.indexBytesPerKey());
        return m;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private void print(
            Map<String, Object> all, List<Map<String, Object>> shards, SizeHistogram keys, SizeHistogram values) {
        var out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>(all);
            m.put("shard_figures", shards);
            if (!noHistograms) {
                m.put("key_sizes", keys.figures());
                m.put("value_sizes", values.figures());
            }
            out.println(Json.value(m));
            return;
        }
        List<Object> pairs = new ArrayList<>();
        all.forEach((k, v) -> {
            pairs.add(k);
            pairs.add(v);
        });
        Table.labelled(out, pairs.toArray());
        out.println();
        String[] columns = {
            "shard",
            "keys",
            "segments",
            "live_bytes",
            "dead_bytes",
            "log_position",
            "index_capacity",
            "index_load_factor",
            "tombstones",
            "recovered_from_checkpoint",
            "recovery_replayed_records",
            "recovery_dropped_records",
            "recovery_dropped_bytes",
            "recovery_dropped_segments"
        };
        Table t = new Table(columns);
        for (Map<String, Object> s : shards) {
            Object[] row = new Object[columns.length];
            for (int i = 0; i < columns.length; i++) {
                row[i] = s.get(columns[i]);
            }
            t.row(row);
        }
        t.print(out);
        if (!noHistograms) {
            histogram(out, "key sizes", keys);
            histogram(out, "value sizes", values);
        }
    }

    private static void histogram(java.io.PrintWriter out, String title, SizeHistogram h) {
        out.println();
        Map<String, Object> f = h.figures();
        out.printf(
                "%s: count %d, mean %.1f bytes, max %d bytes%n",
                title, (Long) f.get("count"), (Double) f.get("mean_bytes"), (Long) f.get("max_bytes"));
        Table t = new Table("min_bytes", "max_bytes", "count");
        h.buckets().forEach(b -> t.row(b.get("min_bytes"), b.get("max_bytes"), b.get("count")));
        t.print(out);
    }
}
