package io.seqs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key-value store contract Kafka Streams holds its own stores to, checked through the typed
 * store an application sees (Kafka's metered layer over the seqs store, Integer keys, String
 * values). Written from the contract, not from Kafka's tests.
 *
 * <p>What does not apply to a hash store: every case about order — {@code range},
 * {@code reverseRange}, {@code reverseAll}, {@code prefixScan}, ranges with a negative or
 * reversed bound, "get and range agree for equal keys", and "no concurrent-modification error
 * while a range is open". Those calls throw {@link UnsupportedOperationException} here, which
 * {@link #orderedCallsAreRefused()} checks; {@code all()} returns every entry in some order, and
 * the tests compare its contents as a map.
 */
final class KeyValueStoreContractTest {
    @TempDir
    Path stateDir;

    private KeyValueStore<Integer, String> store;

    @BeforeEach
    void open() {
        store = Stores.keyValueStoreBuilder(SeqsStores.keyValueStore("contract"), Serdes.Integer(), Serdes.String())
                .withLoggingDisabled()
                .withCachingDisabled()
                .build();
        store.init(mockContext(), store);
    }

    /** Kafka's mock context: the metered layer needs the internal context it implements. */
    private org.apache.kafka.streams.processor.StateStoreContext mockContext() {
        java.util.Properties config = new java.util.Properties();
        config.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_ID_CONFIG, "contract");
        config.put(org.apache.kafka.streams.StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        return new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile()).getStateStoreContext();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Map<Integer, String> contents() {
        Map<Integer, String> out = new HashMap<>();
        try (KeyValueIterator<Integer, String> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Integer, String> next = it.next();
                assertNull(out.put(next.key, next.value), "all() returned key " + next.key + " twice");
            }
        }
        return out;
    }

    @Test
    void putThenGetReturnsTheLatestValue() {
        store.put(0, "zero");
        store.put(1, "one");
        store.put(2, "two");
        store.put(4, "four");
        store.put(5, "five");
        store.put(2, "two again");
        assertEquals("zero", store.get(0));
        assertEquals("two again", store.get(2));
        assertNull(store.get(3));
        assertEquals(Map.of(0, "zero", 1, "one", 2, "two again", 4, "four", 5, "five"), contents());
    }

    @Test
    void puttingNullDeletes() {
        store.put(1, "one");
        store.put(1, null);
        assertNull(store.get(1));
        assertEquals(Map.of(), contents());
    }

    @Test
    void putIfAbsentWritesOnlyAbsentKeysAndReturnsTheOldValue() {
        assertNull(store.putIfAbsent(1, "one"));
        assertEquals("one", store.putIfAbsent(1, "uno"));
        assertEquals("one", store.get(1));
        store.putIfAbsent(2, null); // a null value is allowed, and writes nothing
        assertNull(store.get(2));
    }

    @Test
    void deleteRemovesAndReturnsTheOldValue() {
        store.put(1, "one");
        assertEquals("one", store.delete(1));
        assertNull(store.delete(1));
        assertNull(store.get(1));
    }

    @Test
    void putAllWritesEveryEntryAndDeletesNullValues() {
        store.put(9, "nine");
        store.putAll(List.of(KeyValue.pair(1, "one"), KeyValue.pair(2, "two"), KeyValue.pair(9, null)));
        assertEquals(Map.of(1, "one", 2, "two"), contents());
    }

    @Test
    void nullKeysAreRejected() {
        assertThrows(NullPointerException.class, () -> store.put(null, "x"));
        assertThrows(NullPointerException.class, () -> store.putIfAbsent(null, "x"));
        assertThrows(NullPointerException.class, () -> store.putAll(List.of(KeyValue.pair(null, "x"))));
        assertThrows(NullPointerException.class, () -> store.delete(null));
        assertThrows(NullPointerException.class, () -> store.get(null));
    }

    @Test
    void nullValuesAreAllowed() {
        store.put(1, null);
        store.putIfAbsent(2, null);
        store.putAll(List.of(KeyValue.pair(3, null)));
        assertEquals(Map.of(), contents());
    }

    @Test
    void approximateNumEntriesCountsLiveKeys() {
        assertEquals(0, store.approximateNumEntries());
        for (int i = 0; i < 100; i++) {
            store.put(i, "v" + i);
        }
        store.delete(7);
        store.put(8, null);
        assertEquals(98, store.approximateNumEntries());
    }

    @Test
    void allIsASnapshotWithPeekAndAnEndThatThrows() {
        store.put(1, "one");
        try (KeyValueIterator<Integer, String> it = store.all()) {
            store.put(2, "two"); // a write while the iterator is open neither fails nor shows
            assertEquals(1, it.peekNextKey());
            assertEquals(KeyValue.pair(1, "one"), it.next());
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
            assertThrows(NoSuchElementException.class, it::peekNextKey);
        }
        assertEquals(Map.of(1, "one", 2, "two"), contents());
    }

    @Test
    void orderedCallsAreRefused() {
        store.put(1, "one");
        assertThrows(UnsupportedOperationException.class, () -> store.range(0, 2));
        assertThrows(UnsupportedOperationException.class, () -> store.reverseRange(0, 2));
        assertThrows(UnsupportedOperationException.class, () -> store.reverseAll());
        assertThrows(UnsupportedOperationException.class, () -> store.prefixScan("1", new StringSerializer()));
    }

    @Test
    void contentsSurviveCloseAndReopen() {
        store.putAll(List.of(KeyValue.pair(1, "one"), KeyValue.pair(2, "two")));
        store.close();
        open();
        assertEquals(Map.of(1, "one", 2, "two"), contents());
        assertTrue(store.isOpen());
    }

    @Test
    void valuesAreCopiesTheCallerCannotChange() {
        KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]> raw =
                SeqsStores.keyValueStore("raw").get();
        raw.init(CapturingContext.atLeastOnce(stateDir), raw);
        try {
            byte[] value = {1, 2, 3};
            raw.put(org.apache.kafka.common.utils.Bytes.wrap(new byte[] {9}), value);
            value[0] = 42;
            byte[] read = raw.get(org.apache.kafka.common.utils.Bytes.wrap(new byte[] {9}));
            assertTrue(Arrays.equals(new byte[] {1, 2, 3}, read));
        } finally {
            raw.close();
        }
    }
}
