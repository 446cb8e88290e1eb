package io.seqs.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The harness's settings, parsed from the command line. Every flag has a default, three presets
 * ({@code --quick}, default, {@code --large}) size the run, and explicit flags override a preset
 * whatever their order. Bad values fail with a message naming the flag.
 */
final class Options {
    enum Mode {
        QUICK,
        DEFAULT,
        LARGE
    }

    enum DurabilityClass {
        /** Survives the process being killed; nothing forced until the phase ends. */
        PROCESS,
        /** As PROCESS, plus everything is forced once a second. */
        PERIODIC,
        /** Every write is forced before it returns. */
        SYNC
    }

    static final List<String> ALL_ENGINES =
            List.of("seqs", "seqs-lz4", "rocksdb", "rocksdb-nowal", "rocksdb-bulk", "rocksdb-blob", "lmdb");
    static final List<String> DEFAULT_ENGINES = List.of("seqs", "seqs-lz4", "rocksdb");

    Mode mode = Mode.DEFAULT;
    long records = -1;
    int valueSize = 1024;
    int writers = Runtime.getRuntime().availableProcessors();
    int readers = 1;
    long readRate = 20_000;
    long updates = -1;
    /** The week's read-modify-writes as a multiple of the records (each rewrites a whole record); 0 = no week. */
    double week = 3.0;

    double zipfTheta = 0.99;
    long recoveryRecords = -1;
    DurabilityClass durability = DurabilityClass.PROCESS;
    List<String> engines = DEFAULT_ENGINES;
    Path out = Path.of("bench-results");
    Path dataDir;
    long diskTestMb = -1;
    long seed = 42;
    long seqsSegmentMb = 0;
    int seqsShards = 0;
    long seqsCheckpointSeconds = 30;
    long rocksCacheMb = -1;
    String rocksCompression = "lz4";
    long settleTimeoutSeconds = 900;
    boolean keepData;
    boolean plots = true;
    boolean help;

    static final String HELP = """
            seqs-bench: the weekly cycle of a latest-value-per-key store, seqs, RocksDB and LMDB side by side.

            usage: java -jar seqs-bench.jar [options]          run the workload harness
                   java -jar seqs-bench.jar jmh [jmh options]   run the JMH microbenchmarks (see docs/benchmarks.md)

            Phases, run for each engine in turn on generated product records (keys market:sku, JSON-like values):
              1 bootstrap    writers load every record fresh while readers get keys already written
              2 incremental  writers read-modify-write keys chosen with Zipfian skew while readers get keys
                week         the rest of the week: more of the same, rewriting the data set several times over,
                             with the store's disk use sampled every second (space amplification over time)
              3 reset        drop every key (seqs: resetEpoch; RocksDB: drop and recreate the column family;
                             LMDB: mdb_drop in one transaction)
              4 recovery     a child JVM loads records and is killed (SIGKILL); reopen + first get is timed
            Before and after, a write+fsync of a large file measures the disk's sequential write bandwidth.

            Sizing (a preset first, then any flag overrides it):
              --quick                 well under a minute: 50,000 records, small probes, no warm-up; the CI smoke test
              (default)               a few minutes on 2 cores: 2,000,000 records (~2.1 GB), a 2 GB disk probe
              --large                 a data set 1.5x the machine's RAM, so reads leave the page cache;
                                      needs free disk of about 2.5x the data set (checked before starting)
              --records N             records loaded in the bootstrap phase
              --value-size BYTES      mean value size, 64..1048576 (default 1024; ~0.4% of values are 10-100 KiB)
              --updates N             read-modify-writes in the incremental phase (default records/2)
              --week X                read-modify-writes of the week phase, as a multiple of the records
                                      (default 3: the data set's bytes rewritten three times; 0 = skip it)
              --zipf THETA            skew of the incremental phase, in (0,1) (default 0.99)
              --recovery-records N    records the child JVM writes before it is killed (default records/2)
              --disk-test-mb N        size of the sequential-write probe file (default 2048; quick 256)

            Load:
              --writers N             writer threads (default: available processors)
              --readers N             reader threads (default 1)
              --read-rate N           target gets/s over all readers, 0 = as fast as possible (default 20000)

            Engines:
              --engines LIST          comma-separated, or 'all' (default seqs,seqs-lz4,rocksdb):
                                        seqs           seqs with the chosen durability and its defaults
                                                       (values as they come, reclamation at 0.5 dead)
                                        seqs-lz4       the same with LZ4 values
                                        rocksdb        RocksDB, WAL on (same durability class as seqs)
                                        rocksdb-nowal  RocksDB, disableWAL (loses the memtable on a crash)
                                        rocksdb-bulk   RocksDB bulk-load recipe: no WAL, no auto compaction
                                                       while loading, one full compaction at the end
                                        rocksdb-blob   RocksDB with BlobDB (values in blob files), WAL on
                                        lmdb           LMDB (lmdbjava), one write transaction per put;
                                                       not in the default list (see docs/benchmarks.md)
              --durability MODE       process | periodic | sync (default process):
                                        process   writes survive the process being killed
                                        periodic  plus a force every second (seqs PERIODIC, RocksDB syncWal,
                                                  LMDB mdb_env_sync)
                                        sync      every write forced (seqs SYNC, RocksDB sync=true,
                                                  LMDB without MDB_NOSYNC)
              --seqs-segment-mb N     seqs segment size (default: data/shards/8, in 16..1024)
              --seqs-shards N         seqs shard count (default: seqs' own default)
              --seqs-checkpoint-s N   seqs checkpoint interval in seconds, 0 = off (default 30)
              --rocksdb-cache-mb N    RocksDB block cache (default 1024; quick 64)
              --rocksdb-compression C lz4 | zstd | snappy | none (default lz4)
              --settle-timeout-s N    longest wait for RocksDB's compactions after the bootstrap (default 900)

            Output:
              --out DIR               results.json, summary.txt and PNG plots (default bench-results)
              --data-dir DIR          where the stores and the probe file go (default <out>/data);
                                      this is the disk whose bandwidth is measured
              --seed N                seed of the generated data (default 42)
              --keep-data             keep the stores after the run (default: each is deleted after its phases)
              --no-plots              skip the PNG plots
              --help                  this text
            """;

    static Options parse(String... args) {
        Options o = new Options();
        // Presets first so that explicit flags override them in any order.
        List<String> all = List.of(args);
        if (all.contains("--quick") && all.contains("--large")) {
            throw new IllegalArgumentException("--quick and --large exclude each other");
        }
        o.mode = all.contains("--quick") ? Mode.QUICK : all.contains("--large") ? Mode.LARGE : Mode.DEFAULT;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--quick", "--large" -> {}
                case "--help", "-h" -> o.help = true;
                case "--keep-data" -> o.keepData = true;
                case "--no-plots" -> o.plots = false;
                case "--records" -> o.records = longArg(args, ++i, flag, 1, RecordGenerator.MAX_RECORDS);
                case "--value-size" ->
                    o.valueSize = (int)
                            longArg(args, ++i, flag, RecordGenerator.MIN_MEAN_VALUE, RecordGenerator.MAX_MEAN_VALUE);
                case "--updates" -> o.updates = longArg(args, ++i, flag, 0, Long.MAX_VALUE);
                case "--week" -> o.week = doubleArg(args, ++i, flag, 0, 100);
                case "--zipf" -> o.zipfTheta = doubleArg(args, ++i, flag, 0.01, 0.999);
                case "--recovery-records" ->
                    o.recoveryRecords = longArg(args, ++i, flag, 1, RecordGenerator.MAX_RECORDS);
                case "--disk-test-mb" -> o.diskTestMb = longArg(args, ++i, flag, 16, 1 << 20);
                case "--writers" -> o.writers = (int) longArg(args, ++i, flag, 1, 256);
                case "--readers" -> o.readers = (int) longArg(args, ++i, flag, 0, 256);
                case "--read-rate" -> o.readRate = longArg(args, ++i, flag, 0, 1_000_000_000);
                case "--engines" -> o.engines = engines(value(args, ++i, flag));
                case "--durability" -> o.durability = durability(value(args, ++i, flag));
                case "--seqs-segment-mb" -> o.seqsSegmentMb = longArg(args, ++i, flag, 1, 1024);
                case "--seqs-shards" -> o.seqsShards = (int) longArg(args, ++i, flag, 1, 1024);
                case "--seqs-checkpoint-s" -> o.seqsCheckpointSeconds = longArg(args, ++i, flag, 0, 86_400);
                case "--rocksdb-cache-mb" -> o.rocksCacheMb = longArg(args, ++i, flag, 0, 1 << 20);
                case "--rocksdb-compression" -> o.rocksCompression = compression(value(args, ++i, flag));
                case "--settle-timeout-s" -> o.settleTimeoutSeconds = longArg(args, ++i, flag, 0, 86_400);
                case "--out" -> o.out = Path.of(value(args, ++i, flag));
                case "--data-dir" -> o.dataDir = Path.of(value(args, ++i, flag));
                case "--seed" -> o.seed = longArg(args, ++i, flag, Long.MIN_VALUE, Long.MAX_VALUE);
                default -> throw new IllegalArgumentException("unknown option '" + flag + "'; see --help");
            }
        }
        o.applyPreset();
        return o;
    }

    private void applyPreset() {
        long ram = Machine.totalMemoryBytes();
        if (records < 0) {
            records = switch (mode) {
                case QUICK -> 50_000;
                case DEFAULT -> 2_000_000;
                // 1.5x RAM of keys and values, so that most reads must go to the device.
                case LARGE -> Math.max(1, (long) (1.5 * ram / (valueSize + 26)));
            };
        }
        if (updates < 0) {
            updates = records / 2;
        }
        if (recoveryRecords < 0) {
            recoveryRecords = Math.max(1, records / 2);
        }
        if (diskTestMb < 0) {
            diskTestMb = mode == Mode.QUICK ? 256 : mode == Mode.LARGE ? 8192 : 2048;
        }
        if (rocksCacheMb < 0) {
            rocksCacheMb = mode == Mode.QUICK ? 64 : 1024;
        }
        if (dataDir == null) {
            dataDir = out.resolve("data");
        }
        if (writers > records) {
            throw new IllegalArgumentException("--writers " + writers + " exceeds --records " + records);
        }
    }

    /** Bytes of keys and values the bootstrap is expected to write, for sizing and checks. */
    long expectedLogicalBytes() {
        return records * (valueSize + 26L);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value; see --help");
        }
        return args[i];
    }

    private static long longArg(String[] args, int i, String flag, long min, long max) {
        String v = value(args, i, flag).replace("_", "").replace(",", "");
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, was '" + args[i] + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(flag + " must be in " + min + ".." + max + ", was " + n);
        }
        return n;
    }

    private static double doubleArg(String[] args, int i, String flag, double min, double max) {
        double d;
        try {
            d = Double.parseDouble(value(args, i, flag));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, was '" + args[i] + "'");
        }
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException(flag + " must be in " + min + ".." + max + ", was " + d);
        }
        return d;
    }

    private static List<String> engines(String list) {
        if (list.equals("all")) {
            return ALL_ENGINES;
        }
        Set<String> names = new LinkedHashSet<>();
        for (String s : list.split(",")) {
            String name = s.trim().toLowerCase(Locale.ROOT);
            if (!ALL_ENGINES.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown engine '" + s + "'; choose from " + ALL_ENGINES + " or 'all'");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--engines needs at least one engine");
        }
        return new ArrayList<>(names);
    }

    private static DurabilityClass durability(String s) {
        try {
            return DurabilityClass.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--durability must be process, periodic or sync, was '" + s + "'");
        }
    }

    private static String compression(String s) {
        String c = s.toLowerCase(Locale.ROOT);
        if (!List.of("lz4", "zstd", "snappy", "none").contains(c)) {
            throw new IllegalArgumentException(
                    "--rocksdb-compression must be lz4, zstd, snappy or none, was '" + s + "'");
        }
        return c;
    }
}
