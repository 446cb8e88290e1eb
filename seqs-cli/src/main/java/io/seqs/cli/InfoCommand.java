package io.seqs.cli;

import io.seqs.Seqs;
import io.seqs.SeqsStats;
import io.seqs.ShardStats;
import io.seqs.cli.format.FormatException;
import io.seqs.cli.format.ManifestFile;
import io.seqs.cli.format.MappedFile;
import io.seqs.cli.format.SegmentHeader;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code info DIR}: what a store is: format, epoch, shards, segments and reclaimed segments, checkpoints, keys and
 * space.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Format versions, epoch, shards, segments, reclaimed segments, checkpoints and their age, keys, "
                + "live and dead bytes and space amplification per shard. Opens the store read-only.")
public final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The store directory.")
    Path dir;

    @Mixin
    OutputOptions output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try (Seqs store = StoreAccess.openReadOnly(dir, output.checkpointDir)) {
            SeqsStats stats = store.stats();
            StoreLayout layout = new StoreLayout(dir, output.checkpoints(dir));
            Map<String, Object> store0 = storeFigures(layout, stats);
            List<Map<String, Object>> shards = new ArrayList<>();
            for (ShardStats s : stats.shards()) {
                shards.add(shardFigures(layout, stats.epoch(), s));
            }
            print(store0, shards);
        }
        return ExitCode.OK;
    }

    private Map<String, Object> storeFigures(StoreLayout layout, SeqsStats stats) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("store", dir.toString());
        ManifestFile manifest = manifest(layout);
        m.put("format_version", ManifestFile.VERSION);
        m.put("segment_format_versions", segmentVersions(layout, stats));
        m.put("epoch", stats.epoch());
        if (manifest != null) {
            m.put(
                    "epoch_created",
                    Instant.ofEpochMilli(manifest.createdMillis()).toString());
            m.put("epoch_age_s", (System.currentTimeMillis() - manifest.createdMillis()) / 1000);
            m.put("generation", manifest.generation());
            m.put("segment_size_bytes", manifest.windowSize());
        } else {
            m.put("manifest", "missing or damaged (run verify)");
        }
        m.put("shards", stats.shards().size());
        m.put(
                "segments",
                stats.shards().stream().mapToLong(ShardStats::segments).sum());
        long reclaimed = 0;
        for (ShardStats s : stats.shards()) {
            reclaimed += layout.reclaimed(stats.epoch(), s.shard()).size();
        }
        m.put("reclaimed_segments", reclaimed);
        m.put("keys", stats.keys());
        m.put("live_bytes", stats.liveBytes());
        m.put("dead_bytes", stats.deadBytes());
        m.put("space_amplification", stats.spaceAmplification());
        m.put("recovery_dropped_records", stats.recoveryDroppedRecords());
        m.put("recovery_dropped_bytes", stats.recoveryDroppedBytes());
        return m;
    }

    private static ManifestFile manifest(StoreLayout layout) throws IOException {
        if (!Files.exists(layout.manifest())) {
            return null;
        }
        try {
            return ManifestFile.parse(MemorySegment.ofArray(Files.readAllBytes(layout.manifest())));
        } catch (FormatException e) {
            return null;
        }
    }

    /**
     * The format versions of the current epoch's segment headers, ascending (segment files beside
     * their reclaimed-segment markers left out, as open leaves them out).
     */
    private static List<Integer> segmentVersions(StoreLayout layout, SeqsStats stats) throws IOException {
        TreeSet<Integer> versions = new TreeSet<>();
        for (ShardStats s : stats.shards()) {
            for (Path p : layout.logFiles(stats.epoch(), s.shard()).values()) {
                if (StoreLayout.isMarker(p)) {
                    continue;
                }
                try (MappedFile f = MappedFile.open(p)) {
                    versions.add(SegmentHeader.parse(f.bytes()).version());
                } catch (FormatException e) {
                    // a damaged header has no version to show; verify names it
                }
            }
        }
        return List.copyOf(versions);
    }

    private static Map<String, Object> shardFigures(StoreLayout layout, long epoch, ShardStats s) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shard", s.shard());
        m.put("segments", s.segments());
        m.put("reclaimed_segments", layout.reclaimed(epoch, s.shard()).size());
        m.put("keys", s.keys());
        m.put("live_bytes", s.liveBytes());
        m.put("dead_bytes", s.deadBytes());
        m.put(
                "space_amplification",
                s.liveBytes() == 0 ? 0.0 : (double) (s.liveBytes() + s.deadBytes()) / s.liveBytes());
        m.put("log_bytes", s.logPosition());
        TreeMap<Long, Path> checkpoints = layout.checkpoints(epoch, s.shard());
        m.put("checkpoints", checkpoints.size());
        if (checkpoints.isEmpty()) {
            m.put("checkpoint_covers", "-");
            m.put("checkpoint_age_s", "-");
        } else {
            m.put("checkpoint_covers", checkpoints.lastKey());
            long modified = Files.getLastModifiedTime(checkpoints.lastEntry().getValue())
                    .toMillis();
            m.put("checkpoint_age_s", (System.currentTimeMillis() - modified) / 1000);
        }
        m.put("recovery_dropped_records", s.recoveryDroppedRecords());
        return m;
    }

    private void print(Map<String, Object> store, List<Map<String, Object>> shards) {
        var out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> all = new LinkedHashMap<>(store);
            all.put("shard_figures", shards);
            out.println(Json.value(all));
            return;
        }
        List<Object> pairs = new ArrayList<>();
        store.forEach((k, v) -> {
            pairs.add(k);
            pairs.add(v);
        });
        Table.labelled(out, pairs.toArray());
        out.println();
        Table t = new Table(shards.getFirst().keySet().toArray(String[]::new));
        shards.forEach(s -> t.row(s.values().toArray()));
        t.print(out);
    }
}
