package io.seqs.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Runs the four phases for one engine in a fresh directory, then deletes it (unless asked not to). */
final class EngineRun {
    /** Longest wait for a reset's files to leave the disk. */
    private static final long RESET_DISK_WAIT_MS = 10_000;

    private final EngineConfig config;
    private final Options o;
    private final RecordGenerator gen;
    private final ZipfianKeys zipf;
    private final IoCounters io;
    private final PrintStream out;

    EngineRun(EngineConfig config, Options o, RecordGenerator gen, ZipfianKeys zipf, IoCounters io, PrintStream out) {
        this.config = config;
        this.o = o;
        this.gen = gen;
        this.zipf = zipf;
        this.io = io;
        this.out = out;
    }

    EngineResult run() throws IOException, InterruptedException {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        EngineLog.install(log, out);
        warmUp();
        DiskUsage.deleteTree(config.dir());
        EngineResult r = new EngineResult(config.name(), log);
        out.printf(
                Locale.ROOT,
                "%n== %s: %,d records, %d writers, %d readers, durability %s%n",
                config.name(),
                o.records,
                o.writers,
                o.readers,
                o.durability.name().toLowerCase(Locale.ROOT));
        Engine engine = config.open();
        try {
            r.bootstrap =
                    new LoadPhase(LoadPhase.Kind.BOOTSTRAP, engine, gen, zipf, o.records, o.records, o, io, out).run();
            r.diskBytesAfterBootstrap = DiskUsage.allocatedBytes(config.dir());
            r.keysAfterBootstrap = engine.keys();
            r.detailsAfterBootstrap = engine.details();
            r.indexBytesPerKey = engine.indexBytesPerKey();

            if (o.updates > 0) {
                r.incremental = new LoadPhase(
                                LoadPhase.Kind.INCREMENTAL, engine, gen, zipf, o.records, o.updates, o, io, out)
                        .run();
            }
            r.diskBytes = DiskUsage.allocatedBytes(config.dir());
            r.diskApparentBytes = DiskUsage.apparentBytes(config.dir());
            r.detailsAfterIncremental = engine.details();
            long weekUpdates = Math.round(o.week * o.records);
            if (weekUpdates > 0) {
                r.week =
                        new LoadPhase(LoadPhase.Kind.WEEK, engine, gen, zipf, o.records, weekUpdates, o, io, out).run();
                r.diskBytesAfterWeek = DiskUsage.allocatedBytes(config.dir());
                r.detailsAfterWeek = engine.details();
                out.printf(
                        Locale.ROOT,
                        "%-14s %-11s disk %s at the end (%.2fx the data set), at most %.2fx during the week%n",
                        config.name(),
                        "week",
                        mb(r.diskBytesAfterWeek),
                        r.weekEndSpaceAmplification(),
                        r.weekMaxSpaceAmplification());
            }

            engine = export(engine, r);
            reset(engine, r);
        } finally {
            engine.close();
        }
        r.recovery = RecoveryPhase.run(config.withExpectedKeys(o.recoveryRecords), o, gen, out);
        if (!o.keepData) {
            DiskUsage.deleteTree(config.dir());
        }
        return r;
    }

    /** seqs' switch for reading scans past the page cache. */
    private static final String SCAN_DIRECT = "seqs.scan.direct";

    /**
     * Runs a small bootstrap and incremental phase and two exports on a throwaway store, unmeasured,
     * so that the measured phases do not pay for class loading and JIT compilation of the engine's
     * paths: the workload this models runs for hours, where those costs vanish.
     */
    private void warmUp() throws InterruptedException {
        long records = warmupRecords(o);
        if (records == 0) {
            return;
        }
        EngineConfig warm = new EngineConfig(
                config.name(),
                o.dataDir.resolve("warmup-" + config.name()),
                config.durability(),
                records,
                Math.min(config.seqsSegmentBytes(), 64L << 20),
                config.seqsShards(),
                config.seqsCheckpointSeconds(),
                config.rocksCacheBytes(),
                config.rocksCompression(),
                config.lmdbMapBytes());
        DiskUsage.deleteTree(warm.dir());
        long t0 = System.nanoTime();
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        try (Engine engine = warm.open()) {
            new LoadPhase(
                            LoadPhase.Kind.BOOTSTRAP,
                            engine,
                            gen,
                            new ZipfianKeys(records, o.zipfTheta),
                            records,
                            records,
                            o,
                            io,
                            quiet)
                    .run();
            new LoadPhase(
                            LoadPhase.Kind.INCREMENTAL,
                            engine,
                            gen,
                            new ZipfianKeys(records, o.zipfTheta),
                            records,
                            records / 2,
                            o,
                            io,
                            quiet)
                    .run();
            engine.exportAll();
            // seqs reads a log larger than memory past the page cache, by other code than the
            // small throwaway store's export above takes: that code is run once here too, so that
            // a large run's measured export is not its first (seqs.scan.direct, docs/design.md)
            String was = System.setProperty(SCAN_DIRECT, "always");
            try {
                engine.exportAll();
            } finally {
                if (was == null) {
                    System.clearProperty(SCAN_DIRECT);
                } else {
                    System.setProperty(SCAN_DIRECT, was);
                }
            }
        } finally {
            DiskUsage.deleteTree(warm.dir());
        }
        out.printf(
                Locale.ROOT,
                "%-14s %-11s %,d records, %,d read-modify-writes and two exports on a throwaway store in %.1f s "
                        + "(not measured)%n",
                config.name(),
                "warm-up",
                records,
                records / 2,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Records of the warm-up: a twentieth of the run, between 20,000 and 200,000 (none in quick mode). */
    static long warmupRecords(Options o) {
        if (o.mode == Options.Mode.QUICK) {
            return 0;
        }
        return Math.min(o.records, Math.max(20_000, Math.min(200_000, o.records / 20)));
    }

    /**
     * The whole latest state read out at the end of the cycle, from the disk: the store is closed,
     * its files are dropped from the page cache (as if it were larger than memory), and it is
     * opened again and exported in the engine's own way. The process's read_bytes show how much
     * came from the disk. Returns the reopened engine.
     */
    private Engine export(Engine engine, EngineResult r) {
        engine.flush();
        engine.close();
        PageCache.Evicted evicted = PageCache.evict(config.dir());
        Engine reopened = config.open();
        try {
            IoCounters.Snapshot before = io.read();
            long t0 = System.nanoTime();
            long[] seen = reopened.exportAll();
            double seconds = (System.nanoTime() - t0) / 1e9;
            IoCounters.Snapshot used = io.read().minus(before);
            r.export = new ExportResult(seen[0], seen[1], seconds, used, evicted);
            out.printf(
                    Locale.ROOT,
                    "%-14s %-11s %,d records, %,.1f MB of keys and values in %.2f s = %,.1f MB/s; %s from the disk; "
                            + "CPU %.1f s user + %.1f s system (%s)%n",
                    config.name(),
                    "export",
                    seen[0],
                    seen[1] / 1e6,
                    seconds,
                    r.export.mbPerSecond(),
                    mb(used.processReadBytes()),
                    used.cpuUserMillis() / 1000.0,
                    used.cpuSystemMillis() / 1000.0,
                    evicted == null
                            ? "page cache NOT dropped: no native access"
                            : String.format(
                                    Locale.ROOT,
                                    "%,d files, %s dropped from the page cache first",
                                    evicted.files(),
                                    mb(evicted.bytes())));
            return reopened;
        } catch (RuntimeException | Error e) {
            reopened.close();
            throw e;
        }
    }

    private void reset(Engine engine, EngineResult r) {
        r.fsyncProbeBeforeResetMs = fsyncProbe();
        long t0 = System.nanoTime();
        engine.reset();
        r.resetMs = (System.nanoTime() - t0) / 1e6;
        long resetDone = System.nanoTime();
        LoadPhase.Buffers b = new LoadPhase.Buffers(gen);
        r.resetVerified =
                engine.get(b.key, b.key(0), b.value) < 0 && engine.get(b.key, b.key(o.records - 1), b.value) < 0;
        // seqs and RocksDB return the space in the background; wait for it, bounded. LMDB keeps its
        // file and reuses the pages, so there is nothing to wait for.
        long target = Math.max(64L << 20, r.diskBytes / 10);
        long deadline = resetDone + (engine.freesDiskOnReset() ? RESET_DISK_WAIT_MS * 1_000_000 : 0);
        long after;
        while (true) {
            after = DiskUsage.allocatedBytes(config.dir());
            if (after < 0 || after <= target || System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        r.diskFreedAfterResetMs = after >= 0 && after <= target ? (System.nanoTime() - resetDone) / 1e6 : Double.NaN;
        // A second reset, of the now empty store once the first one's clean-up is over: a reset
        // whose cost does not depend on the data takes as long as the first.
        long t1 = System.nanoTime();
        engine.reset();
        r.resetEmptyMs = (System.nanoTime() - t1) / 1e6;
        r.fsyncProbeAfterResetMs = fsyncProbe();
        r.diskBytesAfterReset = after;
        String freed = !engine.freesDiskOnReset()
                ? "(kept for reuse)"
                : Double.isNaN(r.diskFreedAfterResetMs)
                        ? String.format(Locale.ROOT, "not within %,d ms", RESET_DISK_WAIT_MS)
                        : String.format(Locale.ROOT, "in %.0f ms", r.diskFreedAfterResetMs);
        out.printf(
                Locale.ROOT,
                "%-14s %-11s %.1f ms (again on the empty store: %.1f ms; a durable 64-byte file replace: %.1f "
                        + "ms before, %.1f ms after); old keys gone: %s; disk %s -> %s %s%n",
                config.name(),
                "reset",
                r.resetMs,
                r.resetEmptyMs,
                r.fsyncProbeBeforeResetMs,
                r.fsyncProbeAfterResetMs,
                r.resetVerified,
                mb(r.diskBytes),
                mb(after),
                freed);
    }

    /**
     * What a durable file replace costs on this file system right now: write 64 bytes to a
     * temporary file, fsync it, rename it over the target, fsync the directory. A reset that
     * commits through such a replace cannot be faster.
     */
    private double fsyncProbe() {
        Path target = o.dataDir.resolve("fsync-probe");
        Path tmp = o.dataDir.resolve("fsync-probe.tmp");
        long t0 = System.nanoTime();
        try {
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.allocate(64));
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(o.dataDir, StandardOpenOption.READ)) {
                d.force(true);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            Files.deleteIfExists(target);
            return ms;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    static String mb(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%,.1f MB", bytes / 1e6);
    }
}
