package io.seqs.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code seqs-bench.jar ycsb-load [--records N] [--threads T] [--engines a,b] [--dir DIR]}: the
 * load phase of a YCSB core workload, rebuilt here so that it runs beside the harness and
 * against RocksDB in the same run. As YCSB's defaults have it: keys {@code user<n>} where
 * {@code n} is the FNV-1a 64-bit hash of the record number (the hashed insert order), ten fields
 * {@code field0..field9} of 100 random printable bytes each, serialized as YCSB's RocksDB binding
 * does (per field: big-endian name length, name, big-endian value length, value: 1,140 bytes;
 * the field values are cut from a pool of random printable bytes),
 * record numbers handed out to the threads from one counter. Durability as in the harness's
 * PROCESS class (seqs: every completed write survives the process; RocksDB: its write-ahead log,
 * unsynced). The time includes the final flush and close, as YCSB's includes its clean-up;
 * between the two, outside the timing, records spread over the load are read back and compared.
 */
final class YcsbLoad {
    static final String COMMAND = "ycsb-load";

    static final int FIELDS = 10;
    static final int FIELD_LENGTH = 100;
    private static final int COUNTER_BATCH = 256;
    /** About this many records are read back and compared after the load, outside the timing. */
    private static final long VERIFIED = 10_000;
    /** Random printable bytes (YCSB's field values are such), which the fields are cut from. */
    private static final byte[] POOL = printablePool(1 << 20, 0x5eed);
    /** RocksDB's block cache, as in the harness's full runs. */
    private static final long ROCKSDB_CACHE_BYTES = 1L << 30;

    private static final long FNV_OFFSET_BASIS_64 = 0xCBF29CE484222325L;
    private static final long FNV_PRIME_64 = 1099511628211L;
    private static final int MAX_KEY_LENGTH = 4 + 20;
    private static final byte[][] FIELD_NAMES = new byte[FIELDS][];

    static {
        for (int i = 0; i < FIELDS; i++) {
            FIELD_NAMES[i] = ("field" + i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Bytes of one serialized record's value. */
    static final int VALUE_LENGTH = valueLength();

    private YcsbLoad() {}

    private static byte[] printablePool(int length, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] pool = new byte[length];
        for (int i = 0; i < length; i++) {
            pool[i] = (byte) (' ' + rnd.nextInt('~' - ' ' + 1));
        }
        return pool;
    }

    private static int valueLength() {
        int n = 0;
        for (byte[] name : FIELD_NAMES) {
            n += Integer.BYTES + name.length + Integer.BYTES + FIELD_LENGTH;
        }
        return n;
    }

    /** YCSB's {@code Utils.fnvhash64}: FNV-1a over the value's eight bytes, low byte first, made non-negative. */
    static long fnvhash64(long value) {
        long hash = FNV_OFFSET_BASIS_64;
        for (int i = 0; i < Long.BYTES; i++) {
            long octet = value & 0xff;
            value >>>= 8;
            hash ^= octet;
            hash *= FNV_PRIME_64;
        }
        return Math.abs(hash);
    }

    /** Writes the key of record {@code n} into {@code key} from 0; returns its length. */
    static int key(long n, ByteBuffer key) {
        byte[] text = ("user" + fnvhash64(n)).getBytes(StandardCharsets.US_ASCII);
        key.clear().put(text);
        return text.length;
    }

    /**
     * Writes record {@code n}'s value into {@code value} from 0: each field a slice of
     * {@link #POOL} at an offset drawn from the record number, so that generating it costs
     * little beside the stores' work and a reader can check what it gets back.
     */
    static void value(long n, ByteBuffer value) {
        SplittableRandom rnd = new SplittableRandom(n);
        value.clear().order(ByteOrder.BIG_ENDIAN);
        for (byte[] name : FIELD_NAMES) {
            value.putInt(name.length).put(name).putInt(FIELD_LENGTH);
            value.put(POOL, rnd.nextInt(POOL.length - FIELD_LENGTH), FIELD_LENGTH);
        }
    }

    static void run(String[] args, PrintStream out) throws Exception {
        long records = 1_000_000;
        int threads = 2;
        List<String> engines = List.of("seqs", "rocksdb");
        Path root = Path.of("bench-results", "ycsb-load");
        for (int i = 1; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--records" -> records = Long.parseLong(required(args[i], value));
                case "--threads" -> threads = Integer.parseInt(required(args[i], value));
                case "--engines" -> engines = List.of(required(args[i], value).split(","));
                case "--dir" -> root = Path.of(required(args[i], value));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " for " + COMMAND);
            }
            i++;
        }
        if (records < 1 || threads < 1) {
            throw new IllegalArgumentException("--records and --threads must be positive");
        }
        Files.createDirectories(root);
        IoCounters io = new IoCounters(root);
        out.printf(
                Locale.ROOT,
                "ycsb-load: %,d records of %d x %d-byte fields (%,d-byte values), %d threads, in %s%n",
                records,
                FIELDS,
                FIELD_LENGTH,
                VALUE_LENGTH,
                threads,
                root);
        out.printf(
                Locale.ROOT,
                "%-10s %12s %10s %10s %12s %12s %10s%n",
                "engine",
                "records/s",
                "load s",
                "close s",
                "user CPU-s",
                "sys CPU-s",
                "CPU-s/GB");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("records", records);
        json.put("threads", threads);
        json.put("value_bytes", VALUE_LENGTH);
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String name : engines) {
            Path dir = root.resolve(name);
            DiskUsage.deleteTree(dir);
            EngineConfig config = new EngineConfig(
                    name,
                    dir,
                    Options.DurabilityClass.PROCESS,
                    records,
                    SeqsEngine.autoSegmentBytes(records * (VALUE_LENGTH + MAX_KEY_LENGTH), 8),
                    0,
                    30,
                    ROCKSDB_CACHE_BYTES,
                    "lz4",
                    LmdbEngine.mapBytes(records * (VALUE_LENGTH + 64L)));
            config.loadNativeLibrary();
            Map<String, Object> r;
            try {
                r = load(config, records, threads, io);
            } finally {
                DiskUsage.deleteTree(dir);
            }
            double rate = (double) r.get("records_per_s");
            rates.put(name, rate);
            json.put(name, r);
            double gb = (long) r.get("logical_bytes") / 1e9;
            out.printf(
                    Locale.ROOT,
                    "%-10s %,12.0f %10.2f %10.2f %12.2f %12.2f %10.2f%n",
                    name,
                    rate,
                    (double) r.get("load_s"),
                    (double) r.get("close_s"),
                    (double) r.get("cpu_user_s"),
                    (double) r.get("cpu_system_s"),
                    ((double) r.get("cpu_user_s") + (double) r.get("cpu_system_s")) / gb);
        }
        Double rocks = rates.get("rocksdb");
        if (rocks != null) {
            for (Map.Entry<String, Double> e : rates.entrySet()) {
                if (!e.getKey().equals("rocksdb")) {
                    out.printf(Locale.ROOT, "%s / rocksdb: %.2fx%n", e.getKey(), e.getValue() / rocks);
                    json.put(e.getKey() + "_vs_rocksdb", Json.round(e.getValue() / rocks, 2));
                }
            }
        }
        Path file = root.resolve("ycsb-load.json");
        Files.writeString(file, Json.write(json) + "\n");
        out.printf(Locale.ROOT, "results in %s%n", file);
    }

    private static Map<String, Object> load(EngineConfig config, long records, int threads, IoCounters io)
            throws InterruptedException, IOException {
        AtomicLong next = new AtomicLong();
        LongAdder logical = new LongAdder();
        List<Throwable> failures = new ArrayList<>();
        IoCounters.Snapshot before = io.read();
        long start = System.nanoTime();
        long loaded;
        long flushed;
        long closing;
        long verified = 0;
        try (Engine engine = config.open()) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(Thread.ofPlatform().name("ycsb-load-" + t).start(() -> {
                    try {
                        insert(engine, records, next, logical);
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            loaded = System.nanoTime();
            engine.flush();
            flushed = System.nanoTime();
            if (failures.isEmpty()) {
                verified = verify(engine, records);
            }
            closing = System.nanoTime();
        }
        long closed = System.nanoTime();
        IoCounters.Snapshot used = io.read().minus(before);
        if (!failures.isEmpty()) {
            throw new IOException(config.name() + " failed during the load", failures.get(0));
        }
        double seconds = (loaded - start + closed - closing + flushed - loaded) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("records_per_s", Json.round(records / seconds, 1));
        r.put("logical_bytes", logical.sum());
        r.put("load_s", Json.round((loaded - start) / 1e9, 3));
        r.put("close_s", Json.round((flushed - loaded + closed - closing) / 1e9, 3));
        r.put("cpu_user_s", used.cpuUserMillis() / 1000.0);
        r.put("cpu_system_s", used.cpuSystemMillis() / 1000.0);
        r.put("device_write_bytes", used.deviceWriteBytes());
        r.put("verified_records", verified);
        return r;
    }

    /**
     * Reads back about {@link #VERIFIED} records spread over the load (not timed) and checks
     * every byte; returns how many it checked.
     */
    private static long verify(Engine engine, long records) throws IOException {
        long checked = 0;
        ByteBuffer key = ByteBuffer.allocateDirect(MAX_KEY_LENGTH);
        ByteBuffer expected = ByteBuffer.allocateDirect(VALUE_LENGTH);
        ByteBuffer actual = ByteBuffer.allocateDirect(VALUE_LENGTH);
        long step = Math.max(1, records / VERIFIED);
        for (long n = 0; n < records; n += step) {
            int keyLength = key(n, key);
            value(n, expected);
            int length = engine.get(key, keyLength, actual.clear());
            if (length != VALUE_LENGTH || !actual.clear().equals(expected.flip())) {
                throw new IOException(engine.name() + " returned a wrong value for record " + n + " (length " + length
                        + ", expected " + VALUE_LENGTH + ")");
            }
            checked++;
        }
        return checked;
    }

    private static void insert(Engine engine, long records, AtomicLong next, LongAdder logical) {
        ByteBuffer key = ByteBuffer.allocateDirect(MAX_KEY_LENGTH);
        ByteBuffer value = ByteBuffer.allocateDirect(VALUE_LENGTH);
        for (; ; ) {
            long from = next.getAndAdd(COUNTER_BATCH);
            if (from >= records) {
                return;
            }
            long to = Math.min(records, from + COUNTER_BATCH);
            for (long n = from; n < to; n++) {
                int keyLength = key(n, key);
                value(n, value);
                engine.put(key, keyLength, value, VALUE_LENGTH);
                logical.add(keyLength + VALUE_LENGTH);
            }
        }
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
