package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.store.Background;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM holding many open stores (a Kafka Streams instance with many tasks) runs a handful of threads, not two per
 * store.
 */
class ManyStoresTest {
    @TempDir
    Path dir;

    static final int STORES = 100;

    @Test
    void aHundredOpenStoresShareTheirBackgroundThreads() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Seqs> stores = new ArrayList<>();
        try {
            for (int i = 0;
                    i < STORES;
                    i++) { // open and write one at a time: recovery pools and I/O threads come and go
                Seqs s = Seqs.builder(dir.resolve("store-" + i))
                        .shards(2)
                        .flushInterval(Duration.ofMillis(50))
                        .checkpointInterval(Duration.ofMillis(200))
                        .open();
                stores.add(s);
                s.put(("key-" + i).getBytes(), ("value-" + i).getBytes());
            }
            Thread.sleep(500); // several rounds of periodic flushes and checkpoints for every store
            long seqsThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("seqs-"))
                    .count();
            System.out.printf(
                    "ManyStoresTest: %d stores open, %d seqs threads, %d threads in the JVM%n",
                    STORES, seqsThreads, threads.getThreadCount());
            assertTrue(
                    seqsThreads <= Background.SCHEDULER_THREADS + 8,
                    seqsThreads + " threads for " + STORES + " stores");
            for (int i = 0; i < STORES; i++) {
                assertArrayEquals(("value-" + i).getBytes(), stores.get(i).get(("key-" + i).getBytes()));
                assertTrue(
                        stores.get(i).stats().checkpoints() > 0, "store " + i + " was checkpointed in the background");
            }
        } finally {
            for (Seqs s : stores) {
                s.close();
            }
        }
    }
}
