package io.seqs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * seqs against Kafka Streams' own RocksDB store, in the same run, on the three things a state
 * store does in a Streams application:
 *
 * <ul>
 *   <li><b>aggregate</b>: a count topology ({@code groupByKey().count()}) over 300,000 product
 *       updates ({@code -Dseqs.kafka.bench.updates=N}), 200,000 products drawn uniformly, in
 *       Kafka's {@link TopologyTestDriver} with record caching off, so that every update is a get
 *       and a put of the store;
 *   <li><b>restore</b>: a changelog of N records into an empty store through the batching restore
 *       callback the store registers, in batches of 1,000 as the restore consumer delivers them,
 *       then a commit;
 *   <li><b>standby</b>: a standby replica keeping up with an active task: the same callback, in
 *       batches of 100 records as they arrive, with a commit (its offset checkpoint) every
 *       10,000.
 * </ul>
 *
 * Keys are 14 bytes, values 100. The changelog records are built once, before anything is timed,
 * as the restore consumer hands them over: the timings are the stores' work, not the building of
 * records. Each round measures both engines, in alternating order, each on a store of its own that
 * is deleted once measured; warm-up rounds come first and are reported but left out of the
 * medians. The figures are printed and written to {@code target/kafka-store-benchmark.json} and
 * {@code .csv}.
 *
 * <p>Not part of the normal test run: {@code ./mvnw -B -pl seqs-kafka -am verify -Pkafka-bench
 * -Dtest=KafkaStoreBenchmark -Dsurefire.failIfNoSpecifiedTests=false}. Settings:
 * {@code -Dseqs.kafka.bench.records=N} (default 2,000,000), {@code .updates=N} (300,000),
 * {@code .rounds=N} measured rounds (5), {@code .warmup=N} warm-up rounds (1), {@code
 * .phases=restore,standby} (all three), {@code .jvmArgs="..."} (extra JVM options, e.g. a
 * flight recording).
 */
final class KafkaStoreBenchmark {
    private static final int VALUE_BYTES = 100;
    private static final int PRODUCTS = 200_000;
    private static final TopicPartition CHANGELOG = new TopicPartition("bench-changelog", 0);
    private static final List<String> ENGINES = List.of("seqs", "rocksdb");

    @TempDir
    Path dir;

    /** One timing: the phase, the engine, the round (negative for warm-up) and what it took. */
    private record Result(String phase, String engine, int round, long records, long nanos, long commitNanos) {
        double rate() {
            return records / (nanos / 1e9);
        }

        /** Records per second leaving out the final commit (the log force, for seqs). */
        double applyRate() {
            return records / ((nanos - commitNanos) / 1e9);
        }
    }

    @Test
    void seqsAgainstRocksDb() throws IOException {
        assumeTrue(Boolean.getBoolean("seqs.kafka.bench"), "runs only in the kafka-bench profile");
        int records = Integer.getInteger("seqs.kafka.bench.records", 2_000_000);
        // the test driver costs far more per record than either store: fewer updates measure as well
        int updates = Integer.getInteger("seqs.kafka.bench.updates", 300_000);
        int rounds = Integer.getInteger("seqs.kafka.bench.rounds", 5);
        int warmup = Integer.getInteger("seqs.kafka.bench.warmup", 1);
        List<String> phases = List.of(System.getProperty("seqs.kafka.bench.phases", "aggregate,restore,standby")
                .split(","));
        long buildStart = System.nanoTime();
        List<ConsumerRecord<byte[], byte[]>> changelog = changelog(records);
        System.out.printf(
                Locale.ROOT,
                "KafkaStoreBenchmark: %,d changelog records built in %.0f ms (not timed below)%n",
                records,
                (System.nanoTime() - buildStart) / 1e6);
        List<Result> results = new ArrayList<>();
        for (int r = -warmup; r < rounds; r++) {
            List<String> order = r % 2 == 0 ? ENGINES : ENGINES.reversed();
            for (String phase : phases) {
                for (String engine : order) {
                    Result result = measure(phase, engine, r, updates, changelog);
                    results.add(result);
                    System.out.printf(
                            Locale.ROOT,
                            "  %s %-9s %-7s %,12.0f records/s%s%n",
                            r < 0 ? "warm-up" : "round " + r,
                            phase,
                            engine,
                            result.rate(),
                            result.commitNanos() > 0
                                    ? String.format(Locale.ROOT, " (final commit %.0f ms)", result.commitNanos() / 1e6)
                                    : "");
                }
            }
        }
        report(phases, results, records, updates);
    }

    private Result measure(
            String phase, String engine, int round, int updates, List<ConsumerRecord<byte[], byte[]>> changelog)
            throws IOException {
        String name = engine + "-" + phase + "-" + (round < 0 ? "w" + -round : round);
        Path stateDir = Files.createDirectories(dir.resolve(name));
        boolean seqs = engine.equals("seqs");
        try {
            return switch (phase) {
                case "aggregate" -> {
                    // the DSL materializes counts in a timestamped store
                    KeyValueBytesStoreSupplier supplier = seqs
                            ? SeqsStores.timestampedKeyValueStore(name)
                            : Stores.persistentTimestampedKeyValueStore(name);
                    yield new Result(phase, engine, round, updates, aggregate(supplier, updates, stateDir), 0);
                }
                case "restore", "standby" -> {
                    // a changelog is restored into whatever store the application chose, here the plain one
                    KeyValueBytesStoreSupplier supplier =
                            seqs ? SeqsStores.keyValueStore(name) : Stores.persistentKeyValueStore(name);
                    boolean restore = phase.equals("restore");
                    long[] nanos = apply(
                            supplier.get(),
                            changelog,
                            restore ? 1_000 : 100,
                            restore ? changelog.size() : 10_000,
                            stateDir);
                    yield new Result(phase, engine, round, changelog.size(), nanos[0], nanos[1]);
                }
                default -> throw new IllegalArgumentException("no phase " + phase);
            };
        } finally {
            deleteRecursively(stateDir);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The changelog: record i puts key i, in offset order, as the restore consumer hands them over. */
    private static List<ConsumerRecord<byte[], byte[]>> changelog(int records) {
        byte[] value = new byte[VALUE_BYTES];
        List<ConsumerRecord<byte[], byte[]>> changelog = new ArrayList<>(records);
        for (int i = 0; i < records; i++) {
            changelog.add(new ConsumerRecord<>(CHANGELOG.topic(), 0, i, key(i), value));
        }
        return changelog;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static List<Double> rates(
            List<Result> results, String phase, String engine, ToDoubleFunction<Result> rate) {
        return results.stream()
                .filter(r ->
                        r.round() >= 0 && r.phase().equals(phase) && r.engine().equals(engine))
                .map(rate::applyAsDouble)
                .toList();
    }

    /** Prints the medians and writes every timing to target/kafka-store-benchmark.{json,csv}. */
    private static void report(List<String> phases, List<Result> results, int records, int updates) throws IOException {
        System.out.printf(
                Locale.ROOT,
                "KafkaStoreBenchmark: %,d updates counted, %,d changelog records of 14+%d bytes; median records/s"
                        + " of the measured rounds (per-round figures above):%n",
                updates,
                records,
                VALUE_BYTES);
        StringBuilder json = new StringBuilder("{\"records\": ")
                .append(records)
                .append(", \"updates\": ")
                .append(updates)
                .append(", \"medians\": {");
        for (String phase : phases) {
            List<Double> seqs = rates(results, phase, "seqs", Result::rate);
            if (seqs.isEmpty()) {
                continue;
            }
            double s = median(seqs);
            double k = median(rates(results, phase, "rocksdb", Result::rate));
            System.out.printf(Locale.ROOT, "  %-9s seqs %,12.0f   rocksdb %,12.0f   %.2fx%n", phase, s, k, s / k);
            json.append(String.format(
                    Locale.ROOT, "\"%s\": {\"seqs\": %.0f, \"rocksdb\": %.0f, \"ratio\": %.3f}, ", phase, s, k, s / k));
            if (!phase.equals("aggregate")) {
                double sa = median(rates(results, phase, "seqs", Result::applyRate));
                double ka = median(rates(results, phase, "rocksdb", Result::applyRate));
                System.out.printf(
                        Locale.ROOT,
                        "  %-9s seqs %,12.0f   rocksdb %,12.0f   %.2fx   (without the final commit)%n",
                        phase,
                        sa,
                        ka,
                        sa / ka);
                json.append(String.format(
                        Locale.ROOT,
                        "\"%s without the final commit\": {\"seqs\": %.0f, \"rocksdb\": %.0f, \"ratio\": %.3f}, ",
                        phase,
                        sa,
                        ka,
                        sa / ka));
            }
        }
        if (json.charAt(json.length() - 2) == ',') {
            json.setLength(json.length() - 2);
        }
        json.append("}, \"runs\": [");
        StringBuilder csv = new StringBuilder("phase,engine,round,records,nanos,final_commit_nanos,records_per_s\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            // the same fields in the same order for both formats
            Object[] fields = {r.phase(), r.engine(), r.round(), r.records(), r.nanos(), r.commitNanos(), r.rate()};
            json.append(i == 0 ? "\n  " : ",\n  ")
                    .append(String.format(
                            Locale.ROOT,
                            "{\"phase\": \"%s\", \"engine\": \"%s\", \"round\": %d, \"records\": %d, \"nanos\": %d, "
                                    + "\"finalCommitNanos\": %d, \"recordsPerSecond\": %.0f}",
                            fields));
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%.0f%n", fields));
        }
        json.append("\n]}\n");
        Path out = Path.of(System.getProperty("seqs.kafka.bench.out", "target/kafka-store-benchmark"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out.resolveSibling(out.getFileName() + ".json"), json);
        Files.writeString(out.resolveSibling(out.getFileName() + ".csv"), csv);
        System.out.println("KafkaStoreBenchmark: wrote " + out.toAbsolutePath() + ".json and .csv");
    }

    /** Nanoseconds to count {@code records} updates of {@link #PRODUCTS} products through the driver. */
    private long aggregate(KeyValueBytesStoreSupplier supplier, int records, Path stateDir) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("updates", Consumed.with(Serdes.Bytes(), Serdes.ByteArray()))
                .groupByKey()
                .count(Materialized.<Bytes, Long>as(supplier).withCachingDisabled());
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + supplier.name());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config)) {
            TestInputTopic<Bytes, byte[]> updates =
                    driver.createInputTopic("updates", new BytesSerializer(), new ByteArraySerializer());
            SplittableRandom random = new SplittableRandom(42);
            byte[] value = new byte[VALUE_BYTES];
            java.util.BitSet counted = new java.util.BitSet(PRODUCTS);
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                int product = random.nextInt(PRODUCTS);
                counted.set(product);
                updates.pipeInput(Bytes.wrap(key(product)), value);
            }
            long nanos = System.nanoTime() - start;
            KeyValueStore<Bytes, ?> counts = driver.getKeyValueStore(supplier.name());
            long keys = counts.approximateNumEntries();
            if (supplier.getClass().getPackageName().startsWith("io.seqs")) {
                assertEquals(counted.cardinality(), keys, supplier.name() + ": every product counted once");
            } else { // RocksDB's estimate counts a memtable's overwrites too
                assertTrue(keys >= counted.cardinality() * 0.9 && keys <= records * 1.1, supplier.name() + ": " + keys);
            }
            return nanos;
        }
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(14)
                .putShort((short) 0x6b65)
                .putLong(Long.reverse(i))
                .putInt(i)
                .array();
    }

    /**
     * Nanoseconds to apply the changelog through the store's restore callback in batches of
     * {@code batch}, committing every {@code commitEvery} records and at the end: {all of it, the
     * final commit}.
     */
    private long[] apply(
            KeyValueStore<Bytes, byte[]> store,
            List<ConsumerRecord<byte[], byte[]>> changelog,
            int batch,
            int commitEvery,
            Path stateDir) {
        AtomicReference<StateRestoreCallback> callback = new AtomicReference<>();
        store.init(capturing(callback, stateDir), store);
        try {
            RecordBatchingStateRestoreCallback restore = (RecordBatchingStateRestoreCallback) callback.get();
            int records = changelog.size();
            long start = System.nanoTime();
            int from = 0;
            for (int i = 0; i < records; i++) {
                boolean commit = (i + 1) % commitEvery == 0;
                if (i + 1 - from == batch || commit) {
                    restore.restoreBatch(changelog.subList(from, i + 1));
                    from = i + 1;
                }
                if (commit && i + 1 < records) { // the last commit is timed on its own
                    store.commit(Map.of(CHANGELOG, (long) i + 1));
                }
            }
            if (from < records) {
                restore.restoreBatch(changelog.subList(from, records));
            }
            long commitStart = System.nanoTime();
            store.commit(Map.of(CHANGELOG, (long) records));
            long end = System.nanoTime();
            assertEquals(records, store.approximateNumEntries(), 0.02 * records);
            return new long[] {end - start, end - commitStart};
        } finally {
            store.close();
        }
    }

    /**
     * Kafka's mock context, with the restore callback a store registers kept (RocksDB needs the
     * internal context type).
     */
    private StateStoreContext capturing(AtomicReference<StateRestoreCallback> callback, Path stateDir) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("seqs.store."))
                .forEach(k -> config.put(k, System.getProperty(k)));
        StateStoreContext mock =
                new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile()).getStateStoreContext();
        return (StateStoreContext) Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {InternalProcessorContext.class, StateStoreContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("register")) {
                        callback.set((StateRestoreCallback) args[1]);
                    }
                    try {
                        return method.invoke(mock, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
