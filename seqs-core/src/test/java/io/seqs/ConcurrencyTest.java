package io.seqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers raise per-key versions while readers check that no key's version ever goes back and
 * that every value they see is intact, with index rebuilds, segment rolls, checkpoints and
 * resets happening meanwhile. Each key has a single writer, so its versions only grow, even
 * across resets.
 */
class ConcurrencyTest {
    @TempDir
    Path dir;

    static final int KEYS_PER_WRITER = 40_000;
    static final long RUN_NANOS = 6_000_000_000L;

    // one scenario told start to finish: writers, readers and the checks they share
    @SuppressWarnings("checkstyle:MethodLength")
    @Test
    void versionsNeverGoBackAndBytesAreIntact() throws Exception {
        long seed = TestSeeds.seed("ConcurrencyTest");
        int writers = 2;
        int readers = 2;
        long[][] versions = new long[writers][KEYS_PER_WRITER];
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        AtomicLong resets = new AtomicLong();
        try (Seqs store = Seqs.builder(dir)
                .shards(4)
                .segmentSize(256 << 10)
                .checkpointInterval(java.time.Duration.ofMillis(100))
                .flushInterval(java.time.Duration.ofMillis(10))
                .open()) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed + writer);
                    try {
                        while (!stop.get()) {
                            int k = rnd.nextInt(KEYS_PER_WRITER);
                            long version = ++versions[writer][k];
                            byte[] key = key(writer, k);
                            long epochBefore = store.epoch();
                            store.put(key, value(writer, k, version, rnd.nextInt(0, 600)));
                            byte[] back = store.get(key);
                            // Read-your-write, unless a reset intervened.
                            if (store.epoch() == epochBefore) {
                                assertEquals(
                                        version,
                                        check(key, back, writer, k),
                                        "read after own write of " + new String(key));
                            }
                            assertFalse(
                                    Thread.currentThread().isInterrupted(),
                                    "a put or get came back with the thread interrupted");
                            writes.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (int r = 0; r < readers; r++) {
                int reader = r;
                threads.add(Thread.ofPlatform().name("reader-" + r).start(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed ^ (0x5DEECE66DL * (reader + 1)));
                    long[][] seen = new long[writers][KEYS_PER_WRITER];
                    try {
                        while (!stop.get()) {
                            int w = rnd.nextInt(writers);
                            int k = rnd.nextInt(KEYS_PER_WRITER);
                            byte[] key = key(w, k);
                            byte[] v = store.get(key);
                            if (v != null) {
                                long version = check(key, v, w, k);
                                if (version < seen[w][k]) {
                                    fail("key " + new String(key) + " went back from version " + seen[w][k] + " to "
                                            + version);
                                }
                                seen[w][k] = version;
                            }
                            assertFalse(
                                    Thread.currentThread().isInterrupted(),
                                    "a get came back with the thread interrupted");
                            reads.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            // Flushes and checkpoints do not hold the store's lifecycle lock while they force and
            // write, so they race with resets (and the background deletion of the old epoch).
            threads.add(Thread.ofPlatform().name("maintainer").start(() -> {
                try {
                    while (!stop.get()) {
                        store.checkpoint();
                        store.flush();
                        Thread.sleep(3);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
            threads.add(Thread.ofPlatform().name("resetter").start(() -> {
                try {
                    while (!stop.get()) {
                        Thread.sleep(200);
                        store.resetEpoch();
                        resets.incrementAndGet();
                        store.checkpoint();
                        store.flush();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
            long deadline = System.nanoTime() + RUN_NANOS;
            while (System.nanoTime() < deadline && failures.isEmpty()) {
                Thread.sleep(50);
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            SeqsStats stats = store.stats();
            System.out.printf(
                    "ConcurrencyTest: %,d writes, %,d reads, %d resets; %s%n",
                    writes.get(), reads.get(), resets.get(), stats);
            if (!failures.isEmpty()) {
                Throwable first = failures.peek();
                throw new AssertionError("seed " + seed + ": " + failures.size() + " failures, first: " + first, first);
            }
            assertTrue(resets.get() >= 3, "resets ran");
            assertTrue(
                    stats.shards().stream().mapToLong(ShardStats::indexRebuilds).sum() > 0 || resets.get() > 0);
        }
    }

    static byte[] key(int writer, int k) {
        return ("w" + writer + ":key-" + k).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** writer (4), key (4), version (8), filler, CRC32C of all before it (4). */
    static byte[] value(int writer, int k, long version, int filler) {
        ByteBuffer b = ByteBuffer.allocate(16 + filler + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(writer).putInt(k).putLong(version);
        for (int i = 0; i < filler; i++) {
            b.put((byte) (version * 31 + i));
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Checks a value's integrity and ownership; returns its version. */
    static long check(byte[] key, byte[] v, int writer, int k) {
        if (v == null || v.length < 20) {
            throw new AssertionError(
                    "value of " + new String(key) + " is " + (v == null ? "null" : v.length + " bytes"));
        }
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(v, 0, v.length - 4);
        if (b.getInt(v.length - 4) != (int) crc.getValue()) {
            throw new AssertionError("value of " + new String(key) + " fails its checksum");
        }
        if (b.getInt(0) != writer || b.getInt(4) != k) {
            throw new AssertionError(
                    "value of " + new String(key) + " belongs to writer " + b.getInt(0) + " key " + b.getInt(4));
        }
        return b.getLong(8);
    }
}
