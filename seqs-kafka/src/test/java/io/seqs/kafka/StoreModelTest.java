package io.seqs.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random puts, deletes, putIfAbsent, putAll, restore batches, commits and reopenings against a
 * HashMap, with short keys (the empty key among them) so that keys repeat. The seed is printed;
 * set {@code -Dseqs.kafka.seed=<seed>} to replay a run.
 */
final class StoreModelTest {
    private static final TopicPartition CHANGELOG = new TopicPartition(CapturingContext.CHANGELOG, 0);

    @TempDir
    Path stateDir;

    @Test
    void matchesAHashMap() {
        long seed = Long.getLong("seqs.kafka.seed", System.nanoTime());
        System.out.println("StoreModelTest seed " + seed);
        Random random = new Random(seed);
        Map<Bytes, byte[]> model = new HashMap<>();
        CapturingContext context = CapturingContext.atLeastOnce(stateDir);
        KeyValueStore<Bytes, byte[]> store = open(context);
        long changelogOffset = 0;
        try {
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(100);
                Bytes key = randomKey(random);
                if (op < 50) {
                    byte[] value = randomValue(random);
                    store.put(key, value);
                    model.put(key, value);
                } else if (op < 65) {
                    assertArrayEquals(model.remove(key), store.delete(key), "delete, seed " + seed);
                } else if (op < 72) {
                    byte[] value = randomValue(random);
                    assertArrayEquals(
                            model.putIfAbsent(key, value), store.putIfAbsent(key, value), "putIfAbsent, seed " + seed);
                } else if (op < 80) {
                    List<KeyValue<Bytes, byte[]>> batch = new ArrayList<>();
                    for (int i = random.nextInt(20); i >= 0; i--) {
                        Bytes k = randomKey(random);
                        byte[] v = random.nextInt(4) == 0 ? null : randomValue(random);
                        batch.add(KeyValue.pair(k, v));
                        apply(model, k, v);
                    }
                    store.putAll(batch);
                } else if (op < 88) {
                    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
                    for (int i = random.nextInt(50); i >= 0; i--) {
                        Bytes k = randomKey(random);
                        byte[] v = random.nextInt(4) == 0 ? null : randomValue(random);
                        records.add(CapturingContext.changelogRecord(changelogOffset++, k.get(), v));
                        apply(model, k, v);
                    }
                    context.restore(records);
                } else if (op < 99 || random.nextInt(4) != 0) {
                    assertArrayEquals(model.get(key), store.get(key), "get, seed " + seed);
                } else {
                    store.commit(Map.of(CHANGELOG, changelogOffset));
                    store.close();
                    context = CapturingContext.atLeastOnce(stateDir);
                    store = open(context);
                    assertEquals(changelogOffset, store.committedOffset(CHANGELOG), "seed " + seed);
                }
            }
            assertSameContents(model, store, seed);
        } finally {
            store.close();
        }
    }

    private static KeyValueStore<Bytes, byte[]> open(CapturingContext context) {
        KeyValueStore<Bytes, byte[]> store = SeqsStores.keyValueStore("model").get();
        store.init(context, store);
        return store;
    }

    private static void apply(Map<Bytes, byte[]> model, Bytes key, byte[] value) {
        if (value == null) {
            model.remove(key);
        } else {
            model.put(key, value);
        }
    }

    private static void assertSameContents(Map<Bytes, byte[]> model, KeyValueStore<Bytes, byte[]> store, long seed) {
        Map<Bytes, byte[]> seen = new HashMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            it.forEachRemaining(kv -> assertTrue(seen.put(kv.key, kv.value) == null, "key twice, seed " + seed));
        }
        assertEquals(model.keySet(), seen.keySet(), "keys, seed " + seed);
        model.forEach((k, v) -> assertArrayEquals(v, seen.get(k), "value of " + k + ", seed " + seed));
        assertEquals(model.size(), store.approximateNumEntries(), "count, seed " + seed);
    }

    private static Bytes randomKey(Random random) {
        byte[] key = new byte[random.nextInt(3)];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) random.nextInt(8);
        }
        return Bytes.wrap(key);
    }

    private static byte[] randomValue(Random random) {
        byte[] value = new byte[random.nextInt(40)];
        random.nextBytes(value);
        return value;
    }
}
