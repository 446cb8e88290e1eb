package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** forEach against a HashMap model, alone and with writes, deletes and resets racing it. */
class ForEachTest {
    @TempDir
    Path dir;

    private static String k(byte[] key) {
        return new String(key, StandardCharsets.US_ASCII);
    }

    /** forEach visits every key of {@code model} once, with its value, and nothing else. */
    private static void assertVisitsExactly(Seqs s, Map<String, byte[]> model, long seed) {
        Map<String, byte[]> seen = new HashMap<>();
        s.forEach(
                (key, v) -> assertEquals(null, seen.put(k(key), v), "seed " + seed + ": " + k(key) + " visited twice"));
        assertEquals(model.keySet(), seen.keySet(), "seed " + seed);
        model.forEach((key, v) -> assertArrayEquals(v, seen.get(key), "seed " + seed + ": " + key));
    }

    private static byte[] value(String key, long version, int filler) {
        ByteBuffer b = ByteBuffer.allocate(8 + filler);
        b.putLong(version);
        for (int i = 0; i < filler; i++) {
            b.put((byte) (key.hashCode() + version + i));
        }
        return b.array();
    }

    @Test
    void visitsExactlyTheModelAfterRandomOperations() {
        long seed = TestSeeds.seed("ForEachTest.model");
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, byte[]> model = new HashMap<>();
        try (Seqs s = Seqs.builder(dir)
                .shards(4)
                .segmentSize(64 << 10)
                .checkpointInterval(Duration.ZERO)
                .open()) {
            for (int i = 0; i < 20_000; i++) {
                String key = "key-" + rnd.nextInt(3_000);
                if (rnd.nextInt(5) == 0) {
                    s.delete(key.getBytes());
                    model.remove(key);
                } else {
                    byte[] v = value(key, i, rnd.nextInt(0, 300));
                    s.put(key.getBytes(), v);
                    model.put(key, v);
                }
            }
            assertVisitsExactly(s, model, seed);

            Map<String, byte[]> zeroCopy = new HashMap<>();
            s.forEachSegment((key, v) -> zeroCopy.put(
                    new String(key.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII),
                    v.toArray(ValueLayout.JAVA_BYTE)));
            assertEquals(model.keySet(), zeroCopy.keySet());
            model.forEach((key, v) -> assertArrayEquals(v, zeroCopy.get(key), key));

            assertThrows(IllegalStateException.class, () -> s.forEach((key, v) -> s.forEach((k2, v2) -> {})));
            assertThrows(IllegalArgumentException.class, () -> s.forEach(null));
        }
    }

    /**
     * Batches fill by count (tens of thousands of tiny records) and by bytes, and values larger
     * than a batch's inline limit travel on their own: all of them must arrive intact, once.
     */
    @Test
    void visitsTinyAndLargeRecordsAcrossManyBatches() {
        long seed = TestSeeds.seed("ForEachTest.sizes");
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, byte[]> model = new HashMap<>();
        try (Seqs s =
                Seqs.builder(dir).shards(2).checkpointInterval(Duration.ZERO).open()) {
            for (int i = 0; i < 30_000; i++) {
                String key = "t" + i;
                byte[] v = new byte[rnd.nextInt(0, 9)];
                rnd.nextBytes(v);
                s.put(key.getBytes(), v);
                model.put(key, v);
            }
            for (int i = 0; i < 40; i++) {
                String key = "large" + i;
                byte[] v = new byte[rnd.nextInt(60 << 10, 300 << 10)];
                rnd.nextBytes(v);
                s.put(key.getBytes(), v);
                model.put(key, v);
            }
            assertVisitsExactly(s, model, seed);
        }
    }

    /** An exception from the action ends the call, reaches the caller, and leaves no scan thread running. */
    @Test
    void anExceptionFromTheActionEndsTheCallAndLeavesNothingBehind() {
        try (Seqs s =
                Seqs.builder(dir).shards(4).checkpointInterval(Duration.ZERO).open()) {
            for (int i = 0; i < 20_000; i++) {
                s.put(("k" + i).getBytes(), value("k" + i, 1, 100));
            }
            int[] visited = {0};
            IllegalStateException thrown = assertThrows(
                    IllegalStateException.class,
                    () -> s.forEach((key, v) -> {
                        if (++visited[0] == 1_000) {
                            throw new IllegalStateException("the action's own failure");
                        }
                    }));
            assertEquals("the action's own failure", thrown.getMessage());
            assertEquals(1_000, visited[0]);
            assertEquals(0, scanThreads(), "scan threads still alive after forEach threw");
            int[] all = {0};
            s.forEach((key, v) -> all[0]++);
            assertEquals(20_000, all[0], "the store scans whole again");
        }
    }

    /** An interrupt the caller set before the call is kept, and does not stop the scan. */
    @Test
    void theCallersInterruptIsKept() {
        try (Seqs s =
                Seqs.builder(dir).shards(4).checkpointInterval(Duration.ZERO).open()) {
            for (int i = 0; i < 10_000; i++) {
                s.put(("k" + i).getBytes(), value("k" + i, 1, 100));
            }
            int[] visited = {0};
            Thread.currentThread().interrupt();
            try {
                s.forEach((key, v) -> visited[0]++);
                assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt was cleared");
            } finally {
                Thread.interrupted();
            }
            assertEquals(10_000, visited[0]);
            assertEquals(0, scanThreads());
        }
    }

    /**
     * A close from inside the action, or from another thread while the call runs, ends the call
     * without a deadlock (the scan threads wait for the caller's thread, which closes), and the
     * store is closed afterwards.
     */
    @Test
    void aCloseDuringTheCallEndsIt() throws Exception {
        Seqs s = Seqs.builder(dir).shards(4).checkpointInterval(Duration.ZERO).open();
        for (int i = 0; i < 20_000; i++) {
            s.put(("k" + i).getBytes(), value("k" + i, 1, 100));
        }
        int[] visited = {0};
        s.forEach((key, v) -> {
            if (++visited[0] == 100) {
                s.close();
            }
        });
        assertEquals(100, visited[0], "nothing is delivered after the close");
        assertThrows(IllegalStateException.class, () -> s.get("k1".getBytes()));
        assertEquals(0, scanThreads());

        Seqs again =
                Seqs.builder(dir).shards(4).checkpointInterval(Duration.ZERO).open();
        CountDownLatch started = new CountDownLatch(1);
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                started.await();
                again.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int[] seen = {0};
        again.forEach((key, v) -> {
            if (seen[0]++ == 0) {
                started.countDown();
            }
        });
        closer.join();
        assertTrue(seen[0] >= 1 && seen[0] <= 20_000, "visited " + seen[0]);
        assertThrows(IllegalStateException.class, () -> again.get("k1".getBytes()));
        assertEquals(0, scanThreads());
    }

    private static long scanThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("seqs-scan-"))
                .count();
    }

    /**
     * Stable keys are written before the call and left alone; hot keys are rewritten all through
     * it (live the whole time); churn keys are deleted and written again. Every stable and hot key
     * must be visited exactly once, stable ones with their value, hot ones with a version they
     * held during the call; nothing is visited that was never written.
     */
    @Test
    void keysLiveForTheWholeCallAreVisitedOnceWhileWritersRun() throws Exception {
        long seed = TestSeeds.seed("ForEachTest.racing");
        int stable = 20_000;
        int hot = 2_000;
        int churn = 2_000;
        try (Seqs s = Seqs.builder(dir)
                .shards(4)
                .segmentSize(256 << 10)
                .checkpointInterval(Duration.ZERO)
                .open()) {
            for (int i = 0; i < stable; i++) {
                s.put(("s" + i).getBytes(), value("s" + i, 1, 100));
            }
            long[] hotVersions = new long[hot];
            for (int i = 0; i < hot; i++) {
                s.put(("h" + i).getBytes(), value("h" + i, ++hotVersions[i], 100));
            }
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                try {
                    while (!stop.get()) {
                        int i = rnd.nextInt(hot);
                        long next = hotVersions[i] + 1;
                        s.put(("h" + i).getBytes(), value("h" + i, next, rnd.nextInt(50, 400)));
                        hotVersions[i] = next;
                        int c = rnd.nextInt(churn);
                        if (rnd.nextBoolean()) {
                            s.put(("c" + c).getBytes(), value("c" + c, 7, 50));
                        } else {
                            s.delete(("c" + c).getBytes());
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            });
            try {
                for (int round = 0; round < 5; round++) {
                    long[] versionsAtStart = hotVersions.clone(); // racy reads of the writer's array: lower bounds only
                    Map<String, Integer> visits = new HashMap<>();
                    s.forEach((key, v) -> {
                        String name = k(key);
                        visits.merge(name, 1, Integer::sum);
                        long version = ByteBuffer.wrap(v).getLong();
                        switch (name.charAt(0)) {
                            case 's' -> assertArrayEquals(value(name, 1, 100), v, name);
                            case 'h' ->
                                assertTrue(
                                        version >= versionsAtStart[Integer.parseInt(name.substring(1))] - 1,
                                        name + " came back with version " + version);
                            case 'c' -> assertEquals(7, version, name);
                            default -> throw new AssertionError("never written: " + name);
                        }
                    });
                    for (int i = 0; i < stable; i++) {
                        assertEquals(1, visits.getOrDefault("s" + i, 0), "seed " + seed + ": visits of s" + i);
                    }
                    for (int i = 0; i < hot; i++) {
                        assertEquals(
                                1,
                                visits.getOrDefault("h" + i, 0),
                                "seed " + seed + ": visits of h" + i + " (rewritten all along)");
                    }
                    for (int c = 0; c < churn; c++) {
                        assertTrue(
                                visits.getOrDefault("c" + c, 0) <= 1,
                                "seed " + seed + ": visits of c" + c + " (deleted and written again all along)");
                    }
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            if (!failures.isEmpty()) {
                throw new AssertionError("seed " + seed, failures.peek());
            }
        }
    }

    @Test
    void aResetDuringTheCallEndsItCleanly() throws Exception {
        try (Seqs s =
                Seqs.builder(dir).shards(4).checkpointInterval(Duration.ZERO).open()) {
            for (int i = 0; i < 5_000; i++) {
                s.put(("k" + i).getBytes(), value("k" + i, 1, 50));
            }
            int[] visited = {0};
            s.forEach((key, v) -> {
                if (visited[0]++ == 100) {
                    s.resetEpoch(); // from inside the action: the scan sees its shard released and stops
                }
                assertArrayEquals(value(k(key), 1, 50), v);
            });
            // the reset commits during the 101st visit: nothing of the old epoch is delivered after it,
            // however long the old epoch's shards take to be released in the background
            assertEquals(101, visited[0], "visited");
            s.put("after".getBytes(), "v".getBytes());
            int[] after = {0};
            s.forEach((key, v) -> after[0]++);
            assertEquals(1, after[0]);
        }
    }
}
