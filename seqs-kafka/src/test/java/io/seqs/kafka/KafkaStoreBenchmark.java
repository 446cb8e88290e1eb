package io.seqs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
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
 * Keys are 14 bytes, values 100. Two rounds; the first warms the JIT. Not part of the normal test
 * run: {@code ./mvnw -B -pl seqs-kafka -am verify -Pkafka-bench -Dtest=KafkaStoreBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dseqs.kafka.bench.records=N}, default
 * 2,000,000).
 */
final class KafkaStoreBenchmark {
    private static final int VALUE_BYTES = 100;
    private static final int PRODUCTS = 200_000;
    private static final TopicPartition CHANGELOG = new TopicPartition("bench-changelog", 0);

    @TempDir
    Path dir;

    @Test
    void seqsAgainstRocksDb() {
        assumeTrue(Boolean.getBoolean("seqs.kafka.bench"), "runs only in the kafka-bench profile");
        int records = Integer.getInteger("seqs.kafka.bench.records", 2_000_000);
        // the test driver costs far more per record than either store: fewer updates measure as well
        int updates = Integer.getInteger("seqs.kafka.bench.updates", 300_000);
        // The DSL materializes counts in a timestamped store; a changelog is restored into whatever
        // store the application chose, here the plain one.
        Map<String, List<Function<String, KeyValueBytesStoreSupplier>>> stores = new LinkedHashMap<>();
        stores.put("seqs", List.of(SeqsStores::timestampedKeyValueStore, SeqsStores::keyValueStore));
        stores.put("rocksdb", List.of(Stores::persistentTimestampedKeyValueStore, Stores::persistentKeyValueStore));
        for (int round = 0; round < 2; round++) {
            Map<String, double[]> rates = new LinkedHashMap<>();
            for (var store : stores.entrySet()) {
                String name = store.getKey() + "-" + round;
                Function<String, KeyValueBytesStoreSupplier> timestamped =
                        store.getValue().get(0);
                Function<String, KeyValueBytesStoreSupplier> plain =
                        store.getValue().get(1);
                double aggregate = updates / (aggregate(timestamped.apply(name + "-counts"), updates) / 1e9);
                double restore = records / (apply(plain.apply(name + "-restore").get(), records, 1_000, records) / 1e9);
                double standby = records / (apply(plain.apply(name + "-standby").get(), records, 100, 10_000) / 1e9);
                rates.put(store.getKey(), new double[] {aggregate, restore, standby});
            }
            report(round, records, updates, rates);
        }
    }

    private static void report(int round, int records, int updates, Map<String, double[]> rates) {
        String[] what = {"aggregate (count, caching off)", "restore (batches of 1,000)", "standby (batches of 100)"};
        double[] seqs = rates.get("seqs");
        double[] rocks = rates.get("rocksdb");
        System.out.printf(
                Locale.ROOT,
                "KafkaStoreBenchmark round %d: %,d updates counted, %,d changelog records of 14+%d bytes; records/s:%n",
                round,
                updates,
                records,
                VALUE_BYTES);
        for (int i = 0; i < what.length; i++) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-32s seqs %,12.0f   rocksdb %,12.0f   %.2fx%n",
                    what[i],
                    seqs[i],
                    rocks[i],
                    seqs[i] / rocks[i]);
        }
    }

    /** Nanoseconds to count {@code records} updates of {@link #PRODUCTS} products through the driver. */
    private long aggregate(KeyValueBytesStoreSupplier supplier, int records) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("updates", Consumed.with(Serdes.Bytes(), Serdes.ByteArray()))
                .groupByKey()
                .count(Materialized.<Bytes, Long>as(supplier).withCachingDisabled());
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + supplier.name());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(supplier.name()).toString());
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
     * Nanoseconds to apply {@code records} changelog records through the store's restore callback
     * in batches of {@code batch}, committing every {@code commitEvery} records and at the end.
     */
    private long apply(KeyValueStore<Bytes, byte[]> store, int records, int batch, int commitEvery) {
        AtomicReference<StateRestoreCallback> callback = new AtomicReference<>();
        store.init(capturing(callback), store);
        try {
            RecordBatchingStateRestoreCallback restore = (RecordBatchingStateRestoreCallback) callback.get();
            byte[] value = new byte[VALUE_BYTES];
            long start = System.nanoTime();
            List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>(batch);
            for (int i = 0; i < records; i++) {
                pending.add(new ConsumerRecord<>(CHANGELOG.topic(), 0, i, key(i), value));
                if (pending.size() == batch) {
                    restore.restoreBatch(pending);
                    pending = new ArrayList<>(batch);
                }
                if ((i + 1) % commitEvery == 0) {
                    restore.restoreBatch(pending);
                    pending = new ArrayList<>(batch);
                    store.commit(Map.of(CHANGELOG, (long) i + 1));
                }
            }
            restore.restoreBatch(pending);
            store.commit(Map.of(CHANGELOG, (long) records));
            long nanos = System.nanoTime() - start;
            assertEquals(records, store.approximateNumEntries(), 0.02 * records);
            return nanos;
        } finally {
            store.close();
        }
    }

    /**
     * Kafka's mock context, with the restore callback a store registers kept (RocksDB needs the
     * internal context type).
     */
    private StateStoreContext capturing(AtomicReference<StateRestoreCallback> callback) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        StateStoreContext mock =
                new MockProcessorContext<>(config, new TaskId(0, 0), dir.toFile()).getStateStoreContext();
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
