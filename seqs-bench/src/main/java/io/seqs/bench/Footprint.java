package io.seqs.bench;

import io.seqs.Seqs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * {@code seqs-bench.jar footprint [DIR]}: what a store costs before its data arrives, which must
 * follow the data and not the settings. For {@code expectedKeys} of 0, 50 M and 200 M with
 * default settings: the resident memory open adds, open's time, the time of ten resets (the
 * index tables of the new epoch are pre-sized each time), resident memory after them; then disk
 * allocated and apparent for a store of 100 small keys, against RocksDB's for the same keys in
 * the same run. Run it with and without {@code --enable-native-access=ALL-UNNAMED} to see both
 * ways seqs gets lazily zeroed memory and reserves space.
 */
final class Footprint {
    static final String COMMAND = "footprint";
    private static final long[] EXPECTED_KEYS = {0, 50_000_000, 200_000_000};
    private static final int RESETS = 10;
    private static final int SMALL_KEYS = 100;

    private Footprint() {}

    static void run(String[] args, PrintStream out) throws IOException, RocksDBException {
        Path root = args.length > 1 ? Path.of(args[1]) : Path.of("bench-results", "footprint");
        Files.createDirectories(root);
        boolean nativeAccess = Seqs.class.getModule().isNativeAccessEnabled();
        out.printf(
                Locale.ROOT,
                "footprint: native access %s, %d processors%n",
                nativeAccess ? "enabled" : "not enabled",
                Runtime.getRuntime().availableProcessors());
        out.printf(
                Locale.ROOT,
                "%-14s %10s %14s %14s %14s %16s%n",
                "expectedKeys",
                "open ms",
                "RSS +open MB",
                "reset ms med",
                "reset ms max",
                "RSS +resets MB");
        for (long expected : EXPECTED_KEYS) {
            Path dir = root.resolve("presized-" + expected);
            DiskUsage.deleteTree(dir);
            long rss0 = residentBytes();
            long t0 = System.nanoTime();
            try (Seqs s = Seqs.builder(dir).expectedKeys(expected).open()) {
                long openNanos = System.nanoTime() - t0;
                long rssOpen = residentBytes() - rss0;
                long[] resets = new long[RESETS];
                for (int i = 0; i < RESETS; i++) {
                    long r = System.nanoTime();
                    s.resetEpoch();
                    resets[i] = System.nanoTime() - r;
                }
                Arrays.sort(resets);
                long rssResets = residentBytes() - rss0;
                out.printf(
                        Locale.ROOT,
                        "%-14d %10.1f %14.1f %14.2f %14.2f %16.1f%n",
                        expected,
                        openNanos / 1e6,
                        rssOpen / 1e6,
                        resets[RESETS / 2] / 1e6,
                        resets[RESETS - 1] / 1e6,
                        rssResets / 1e6);
            }
            DiskUsage.deleteTree(dir);
        }
        Path small = root.resolve("small-seqs");
        DiskUsage.deleteTree(small);
        try (Seqs s = Seqs.open(small)) {
            for (int i = 0; i < SMALL_KEYS; i++) {
                s.put(("key-" + i).getBytes(), ("value-" + i).getBytes());
            }
        }
        out.printf(
                Locale.ROOT,
                "%d small keys, default settings: seqs %.1f MB allocated (%.1f MB apparent)%n",
                SMALL_KEYS,
                DiskUsage.allocatedBytes(small) / 1e6,
                apparentBytes(small) / 1e6);
        DiskUsage.deleteTree(small);
        if (!nativeAccess) {
            out.println("RocksDB is measured only with native access (it loads JNI code): run with java -jar or "
                    + "--enable-native-access");
            return;
        }
        Path rocks = root.resolve("small-rocksdb");
        DiskUsage.deleteTree(rocks);
        RocksDB.loadLibrary();
        try (Options options = new Options().setCreateIfMissing(true);
                RocksDB db = RocksDB.open(options, rocks.toString())) {
            for (int i = 0; i < SMALL_KEYS; i++) {
                db.put(("key-" + i).getBytes(), ("value-" + i).getBytes());
            }
        }
        out.printf(
                Locale.ROOT,
                "%d small keys, default settings: RocksDB %.1f MB allocated (%.1f MB apparent)%n",
                SMALL_KEYS,
                DiskUsage.allocatedBytes(rocks) / 1e6,
                apparentBytes(rocks) / 1e6);
        DiskUsage.deleteTree(rocks);
    }

    private static long apparentBytes(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0;
                        }
                    })
                    .sum();
        }
    }

    /** This process's resident memory, from /proc/self/status. */
    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
