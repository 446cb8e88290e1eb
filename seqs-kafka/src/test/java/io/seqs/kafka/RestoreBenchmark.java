package io.seqs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore throughput, seqs against Kafka Streams' RocksDB store, both through the batching
 * restore callback they register (the path a changelog restore takes), in batches of 1,000
 * records as the restore consumer delivers them, followed by a commit. Not part of the normal
 * test run: {@code ./mvnw -B -pl seqs-kafka -am verify -Pkafka-restore-bench}
 * ({@code -Dseqs.kafka.bench.records=N} to change the count, default 2,000,000).
 */
final class RestoreBenchmark {
    private static final int BATCH = 1_000;
    private static final int VALUE_BYTES = 100;
    private static final TopicPartition CHANGELOG = new TopicPartition("bench-changelog", 0);

    @TempDir
    Path dir;

    @Test
    void seqsAgainstRocksDb() {
        assumeTrue(Boolean.getBoolean("seqs.kafka.bench"), "runs only in the kafka-restore-bench profile");
        int records = Integer.getInteger("seqs.kafka.bench.records", 2_000_000);
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
            String suffix = "-" + round;
            report(
                    round,
                    "seqs",
                    records,
                    restore(SeqsStores.keyValueStore("seqs" + suffix).get(), records));
            report(
                    round,
                    "rocksdb",
                    records,
                    restore(Stores.persistentKeyValueStore("rocksdb" + suffix).get(), records));
        }
    }

    private static void report(int round, String engine, int records, long nanos) {
        System.out.printf(
                "RestoreBenchmark round %d %-8s %,d records of %d+%d bytes in %,d ms: %,.0f records/s%n",
                round, engine, records, 14, VALUE_BYTES, nanos / 1_000_000, records / (nanos / 1e9));
    }

    private long restore(KeyValueStore<Bytes, byte[]> store, int records) {
        AtomicReference<StateRestoreCallback> callback = new AtomicReference<>();
        store.init(capturing(callback), store);
        try {
            RecordBatchingStateRestoreCallback restore = (RecordBatchingStateRestoreCallback) callback.get();
            byte[] value = new byte[VALUE_BYTES];
            long start = System.nanoTime();
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < records; i++) {
                byte[] key = ByteBuffer.allocate(14)
                        .putShort((short) 0x6b65)
                        .putLong(Long.reverse(i))
                        .putInt(i)
                        .array();
                batch.add(new ConsumerRecord<>(CHANGELOG.topic(), 0, i, key, value));
                if (batch.size() == BATCH) {
                    restore.restoreBatch(batch);
                    batch = new ArrayList<>(BATCH);
                }
            }
            restore.restoreBatch(batch);
            store.commit(Map.of(CHANGELOG, (long) records));
            long nanos = System.nanoTime() - start;
            assertEquals(records, store.approximateNumEntries(), 0.02 * records);
            return nanos;
        } finally {
            store.close();
        }
    }

    /**
     * Kafka's mock context, with the restore callback a store registers kept (RocksDB needs the internal context type).
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
