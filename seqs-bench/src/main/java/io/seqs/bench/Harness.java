package io.seqs.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * The main job: probe the disk, run the four phases for each engine in turn, probe the disk again,
 * and write results.json, summary.txt, summary.md and the plots into the output directory.
 *
 * <p>Engines run one after the other in one JVM, each in a fresh directory that is deleted when its
 * phases are over, so they never compete for CPU or disk and the disk only has to hold one of them.
 */
final class Harness {
    /** Free space the run needs beyond the probe file, per byte of keys and values (see --help). */
    static final double DISK_PER_LOGICAL_BYTE = 2.5;

    private Harness() {}

    // the phases of the weekly cycle in the order they run
    @SuppressWarnings("checkstyle:MethodLength")
    static void run(Options o, PrintStream out) throws IOException, InterruptedException {
        long began = System.nanoTime();
        Files.createDirectories(o.out);
        Files.createDirectories(o.dataDir);
        checkSpace(o);

        RecordGenerator gen = new RecordGenerator(o.seed, o.valueSize);
        ZipfianKeys zipf = new ZipfianKeys(o.records, o.zipfTheta);
        Dataset data = Dataset.measure(gen, o.records);
        IoCounters io = new IoCounters(o.dataDir);
        double generateRate = generatorRate(gen, Math.min(o.records, 200_000));
        Map<String, Object> machine = Machine.describe(o.dataDir);

        out.printf(
                Locale.ROOT,
                "seqs-bench: %s mode, %,d records (%,.1f MB of keys and values; values %,.0f B mean, %,d of "
                        + "10-100 KiB), seed %d%n",
                o.mode.name().toLowerCase(Locale.ROOT),
                o.records,
                data.logicalBytes / 1e6,
                data.valueMean(),
                data.largeValues,
                o.seed);
        out.printf(
                Locale.ROOT,
                "machine: %d processors, %,.1f GiB RAM, %s; data in %s (%s)%n",
                Runtime.getRuntime().availableProcessors(),
                Machine.totalMemoryBytes() / (double) (1L << 30),
                Machine.cpuModel(),
                o.dataDir.toAbsolutePath(),
                Machine.fileSystem(o.dataDir).get("type"));
        out.printf(
                Locale.ROOT,
                "engines: %s; durability %s; %d writers, %d readers at %s gets/s%n",
                String.join(", ", o.engines),
                o.durability.name().toLowerCase(Locale.ROOT),
                o.writers,
                o.readers,
                o.readRate == 0 ? "unthrottled" : String.format(Locale.ROOT, "%,d", o.readRate));

        out.printf(
                Locale.ROOT,
                "harness: one thread generates %,.0f records/s (%,.0f MB/s) of keys and values, the ceiling of "
                        + "one writer%n",
                generateRate,
                generateRate * (data.logicalBytes / (double) o.records) / 1e6);

        long probeBytes = o.diskTestMb << 20;
        out.printf(
                Locale.ROOT, "%ndisk probe: writing %,d MB and fsync in %s ...%n", probeBytes / 1_000_000, o.dataDir);
        DiskProbe.Result before = DiskProbe.measure(o.dataDir, probeBytes, true);
        out.printf(
                Locale.ROOT,
                "disk probe: %,.0f MB/s buffered write + fsync (O_DIRECT: %s); sequential read from the disk: %s%n",
                before.bufferedMbPerS(),
                mbs(before.directMbPerS()),
                mbs(before.readMbPerS()));

        long segmentBytes = o.seqsSegmentMb > 0
                ? o.seqsSegmentMb << 20
                : SeqsEngine.autoSegmentBytes(data.logicalBytes, o.seqsShards > 0 ? o.seqsShards : 8);
        // LMDB reserves its map up front: size it for the larger of the bootstrap and the recovery load.
        long lmdbMapBytes = LmdbEngine.mapBytes(Math.max(o.records, o.recoveryRecords) * (o.valueSize + 26L));
        List<EngineResult> results = new ArrayList<>();
        for (String name : o.engines) {
            EngineConfig config = new EngineConfig(
                    name,
                    o.dataDir.resolve(name),
                    o.durability,
                    o.records,
                    segmentBytes,
                    o.seqsShards,
                    o.seqsCheckpointSeconds,
                    o.rocksCacheMb << 20,
                    o.rocksCompression,
                    lmdbMapBytes);
            results.add(new EngineRun(config, o, gen, zipf, io, out).run());
        }

        out.printf(Locale.ROOT, "%ndisk probe again ...%n");
        DiskProbe.Result after = DiskProbe.measure(o.dataDir, probeBytes, true);
        out.printf(
                Locale.ROOT,
                "disk probe: %,.0f MB/s buffered write + fsync (O_DIRECT: %s); sequential read from the disk: %s%n",
                after.bufferedMbPerS(),
                mbs(after.directMbPerS()),
                mbs(after.readMbPerS()));
        // The higher of the two is the ceiling: using it can only make the engines' fractions smaller.
        double disk = Math.max(before.bufferedMbPerS(), after.bufferedMbPerS());
        double diskRead = Math.max(before.readMbPerS(), after.readMbPerS());

        Report report = new Report(results, disk, diskRead);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("disk_write_mb_s", Json.round(disk, 1));
        json.put("disk_read_mb_s", Json.round(diskRead, 1));
        json.put("records", o.records);
        json.put("value_bytes_mean", Json.round(data.valueMean(), 1));
        Map<String, Object> engines = new LinkedHashMap<>();
        for (EngineResult r : results) {
            engines.put(r.name, r.toMap(disk, diskRead));
        }
        json.put("engines", engines);
        json.put("ratios", report.ratios());
        json.put("key_bytes_mean", Json.round(data.keyMean(), 2));
        json.put("logical_bytes", data.logicalBytes);
        json.put("large_values", data.largeValues);
        json.put("value_deflate_ratio", Json.round(deflateRatio(gen), 2));
        json.put("harness_generate_records_per_s_per_thread", Json.round(generateRate, 0));
        Map<String, Object> probe = new LinkedHashMap<>();
        probe.put("bytes", probeBytes);
        probe.put("before_mb_s", Json.round(before.bufferedMbPerS(), 1));
        probe.put("after_mb_s", Json.round(after.bufferedMbPerS(), 1));
        probe.put("direct_before_mb_s", Json.round(before.directMbPerS(), 1));
        probe.put("direct_after_mb_s", Json.round(after.directMbPerS(), 1));
        probe.put("read_before_mb_s", Json.round(before.readMbPerS(), 1));
        probe.put("read_after_mb_s", Json.round(after.readMbPerS(), 1));
        probe.put(
                "method",
                "buffered sequential write of random data in 8 MiB chunks, then fsync; time includes the fsync; "
                        + "read: the same file dropped from the page cache, then read in 8 MiB chunks; "
                        + "MB = 10^6 bytes");
        json.put("disk_probe", probe);
        json.put("config", config(o, segmentBytes, lmdbMapBytes));
        json.put("machine", machine);
        json.put("source", Machine.source());
        json.put(
                "io_counters",
                Map.of(
                        "process",
                        "/proc/self/io write_bytes",
                        "device",
                        io.hasDevice() ? "block device sectors written" : "unavailable"));
        json.put("started", Instant.now().minusNanos(System.nanoTime() - began).toString());
        json.put("duration_s", Json.round((System.nanoTime() - began) / 1e9, 1));

        List<String> plotFiles = new ArrayList<>();
        if (o.plots) {
            try {
                String subtitle = String.format(
                        Locale.ROOT,
                        "%,d records, %,.0f B mean value, %d writers, %d readers, durability %s, %d cores, %.0f "
                                + "GiB RAM",
                        o.records,
                        data.valueMean(),
                        o.writers,
                        o.readers,
                        o.durability.name().toLowerCase(Locale.ROOT),
                        Runtime.getRuntime().availableProcessors(),
                        Machine.totalMemoryBytes() / (double) (1L << 30));
                for (Path p : Plots.write(o.out, results, disk, subtitle)) {
                    plotFiles.add(p.getFileName().toString());
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                out.println("plots skipped: " + e);
            }
        }
        json.put("plots", plotFiles);
        Files.writeString(o.out.resolve("results.json"), Json.write(json), StandardCharsets.UTF_8);
        String text = report.text();
        Files.writeString(o.out.resolve("summary.txt"), text, StandardCharsets.UTF_8);
        Files.writeString(o.out.resolve("summary.md"), report.markdown(), StandardCharsets.UTF_8);
        out.printf(
                Locale.ROOT,
                "%n== summary (disk: %,.0f MB/s write + fsync, %s sequential read)%n%s",
                disk,
                mbs(diskRead),
                text);
        out.printf(
                Locale.ROOT,
                "%nresults: %s (and summary.txt, summary.md%s) in %.0f s%n",
                o.out.resolve("results.json").toAbsolutePath(),
                plotFiles.isEmpty() ? "" : ", " + String.join(", ", plotFiles),
                (System.nanoTime() - began) / 1e9);
    }

    private static String mbs(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f MB/s", v);
    }

    private static void checkSpace(Options o) throws IOException {
        long needed = (o.diskTestMb << 20) + (long) (DISK_PER_LOGICAL_BYTE * o.expectedLogicalBytes()) + (1L << 30);
        long usable = Machine.usableBytes(o.dataDir);
        if (usable < needed) {
            throw new CannotRunException(String.format(
                    Locale.ROOT,
                    "%s has %,d MB free but this run needs about %,d MB (%,d records of ~%,d bytes, %.1fx for "
                            + "the largest engine's files, "
                            + "plus the %,d MB probe and 1 GB headroom); use fewer --records or another --data-dir",
                    o.dataDir.toAbsolutePath(),
                    usable / 1_000_000,
                    needed / 1_000_000,
                    o.records,
                    o.valueSize + 26,
                    DISK_PER_LOGICAL_BYTE,
                    o.diskTestMb));
        }
    }

    private static Map<String, Object> config(Options o, long segmentBytes, long lmdbMapBytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", o.mode.name().toLowerCase(Locale.ROOT));
        m.put("records", o.records);
        m.put("value_size_mean_configured", o.valueSize);
        m.put("updates", o.updates);
        m.put("week_updates", Math.round(o.week * o.records));
        m.put("zipf_theta", o.zipfTheta);
        m.put("recovery_records", o.recoveryRecords);
        m.put("writers", o.writers);
        m.put("readers", o.readers);
        m.put("read_rate", o.readRate);
        m.put("durability", o.durability.name().toLowerCase(Locale.ROOT));
        m.put("engines", o.engines);
        m.put("seed", o.seed);
        m.put("seqs_segment_bytes", segmentBytes);
        m.put("seqs_shards", o.seqsShards == 0 ? "default" : o.seqsShards);
        m.put("seqs_checkpoint_s", o.seqsCheckpointSeconds);
        m.put("rocksdb_block_cache_bytes", o.rocksCacheMb << 20);
        m.put("rocksdb_compression", o.rocksCompression);
        m.put("lmdb_map_bytes", lmdbMapBytes);
        m.put("data_dir", o.dataDir.toAbsolutePath().toString());
        return m;
    }

    /** Records per second one thread generates into its buffers, with no engine at all. */
    private static double generatorRate(RecordGenerator gen, long records) {
        LoadPhase.Buffers b = new LoadPhase.Buffers(gen);
        long sink = 0;
        for (int pass = 0; pass < 2; pass++) { // the first pass compiles the code
            long t0 = System.nanoTime();
            for (long i = 0; i < records; i++) {
                sink += b.key(i) + gen.value(i, 0, b.valueSegment);
            }
            if (pass == 1) {
                double rate = records / ((System.nanoTime() - t0) / 1e9);
                return sink == 42 ? rate + 1e-9 : rate; // keeps the loop's result alive
            }
        }
        throw new AssertionError();
    }

    /** How well the values compress: deflate (level 1) over 4 MiB of the payload pool. */
    private static double deflateRatio(RecordGenerator gen) {
        ByteBuffer sample = gen.poolSample(4 << 20);
        Deflater d = new Deflater(1);
        try {
            d.setInput(sample);
            d.finish();
            byte[] buf = new byte[1 << 16];
            long compressed = 0;
            while (!d.finished()) {
                compressed += d.deflate(buf);
            }
            return (double) d.getBytesRead() / compressed;
        } finally {
            d.end();
        }
    }

    /** Exact sizes of the generated data set, from a pass over every record. */
    record Dataset(long records, long keyBytes, long valueBytes, long largeValues, long logicalBytes) {
        static Dataset measure(RecordGenerator gen, long records) {
            long keys = 0;
            long values = 0;
            long large = 0;
            for (long i = 0; i < records; i++) {
                keys += gen.keyLength(i);
                int v = gen.valueLength(i);
                values += v;
                if (v >= 10 << 10) {
                    large++;
                }
            }
            return new Dataset(records, keys, values, large, keys + values);
        }

        double valueMean() {
            return (double) valueBytes / records;
        }

        double keyMean() {
            return (double) keyBytes / records;
        }
    }
}
