package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of the API's documentation: the regions between {@code @start} and {@code @end}
 * are what {@code {@snippet}} tags in the javadoc show, so every example compiles with the tests
 * and runs here, with its outcome checked.
 */
class ApiExamplesTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void basics() {
        Path path = dir.resolve("products");
        byte[] key = bytes("sku-1");
        byte[] value = bytes("{\"price\":42}");
        // @start region="basics"
        try (Seqs store = Seqs.open(path)) {
            store.put(key, value); // upsert: the latest value wins
            byte[] latest = store.get(key); // null when absent
            store.delete(key);
            store.resetEpoch(); // weekly: start from empty, in constant time
            // @end
            assertArrayEquals(value, latest);
            assertNull(store.get(key));
            assertEquals(2, store.epoch());
        }
    }

    @Test
    void builder() {
        Path path = dir.resolve("feed");
        byte[] key = bytes("sku-2");
        byte[] value = bytes("v");
        // @start region="builder"
        try (Seqs store = Seqs.builder(path)
                .durability(Durability.PERIODIC)
                .flushInterval(Duration.ofMillis(200))
                .expectedKeys(50_000_000)
                .open()) {
            store.put(key, value);
        }
        // @end
        try (Seqs store = Seqs.open(path)) {
            assertArrayEquals(value, store.get(key));
        }
    }

    @Test
    void zeroCopy() {
        try (Seqs store = Seqs.open(dir.resolve("offheap"));
                Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom("sku-3");
            store.put(key, arena.allocateFrom("a value"));
            // @start region="zero-copy"
            MemorySegment buffer = arena.allocate(4096); // reused for every get
            long length = store.get(key, buffer);
            if (length > buffer.byteSize()) {
                buffer = arena.allocate(length); // too small: nothing was copied, ask again
                length = store.get(key, buffer);
            }
            // @end
            assertEquals("a value".length() + 1, length);
        }
    }

    @Test
    void batch() {
        try (Seqs store = Seqs.open(dir.resolve("batch"))) {
            store.put(bytes("old"), bytes("x"));
            // @start region="batch"
            WriteBatch batch = new WriteBatch()
                    .put(bytes("sku-4"), bytes("v4"))
                    .put(bytes("sku-5"), bytes("v5"))
                    .delete(bytes("old"));
            store.write(batch); // one lock turn per shard, one force under SYNC
            // @end
            assertArrayEquals(bytes("v5"), store.get(bytes("sku-5")));
            assertNull(store.get(bytes("old")));
        }
    }

    @Test
    void export() {
        try (Seqs store = Seqs.open(dir.resolve("export"))) {
            for (int i = 0; i < 100; i++) {
                store.put(bytes("k" + i), bytes("v" + i));
            }
            Map<String, String> feed = new HashMap<>();
            // @start region="for-each"
            store.forEach((key, value) -> feed.put(new String(key), new String(value)));
            // @end
            assertEquals(100, feed.size());
            assertEquals("v7", feed.get("k7"));
        }
    }

    @Test
    void figures() {
        try (Seqs store = Seqs.open(dir.resolve("stats"))) {
            store.put(bytes("k"), bytes("v"));
            // @start region="stats"
            SeqsStats stats = store.stats();
            System.out.printf(
                    "%,d keys, write amplification %.2f, get p99 %,d ns%n",
                    stats.keys(), stats.writeAmplification(), stats.getLatency().p99Nanos());
            // @end
            assertTrue(stats.keys() == 1);
        }
    }
}
