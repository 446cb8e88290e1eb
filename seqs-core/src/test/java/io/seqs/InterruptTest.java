package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caller's thread is the caller's: no call hands a thread back interrupted when it was not,
 * and an interrupt the caller set is kept and never breaks the store.
 */
class InterruptTest {
    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return ("key-" + i).getBytes();
    }

    private static byte[] value(int i, int version) {
        byte[] v = new byte[900 + i % 200];
        java.util.Arrays.fill(v, (byte) (i * 31 + version));
        return v;
    }

    /**
     * Small segments, so that puts roll to new files (channels opened on the caller's thread), and SYNC, so that puts
     * force.
     */
    private Seqs open() {
        return Seqs.builder(dir)
                .shards(2)
                .segmentSize(64 << 10)
                .durability(Durability.SYNC)
                .checkpointInterval(Duration.ZERO)
                .open();
    }

    @Test
    void anInterruptedCallerFinishesEveryCallAndKeepsItsInterrupt() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                Thread.currentThread().interrupt();
                try (Seqs s = open()) {
                    assertTrue(Thread.currentThread().isInterrupted(), "open kept the interrupt");
                    for (int i = 0; i < 300; i++) { // ~300 KB over 64 KiB segments: several rolls per shard
                        s.put(key(i), value(i, 1));
                        assertTrue(Thread.currentThread().isInterrupted(), "put " + i + " kept the interrupt");
                    }
                    assertArrayEquals(value(7, 1), s.get(key(7)));
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment dst = arena.allocate(4096);
                        assertEquals(value(8, 1).length, s.get(MemorySegment.ofArray(key(8)), dst));
                    }
                    assertTrue(s.delete(key(9)));
                    s.flush();
                    s.checkpoint();
                    s.resetEpoch();
                    s.put(key(1), value(1, 2));
                    assertTrue(
                            Thread.currentThread().isInterrupted(),
                            "get, delete, flush, checkpoint, reset kept the interrupt");
                }
                assertTrue(Thread.currentThread().isInterrupted(), "close kept the interrupt");
                try (Seqs s = open()) { // opening and recovering with the interrupt still set
                    assertArrayEquals(value(1, 2), s.get(key(1)));
                    assertNull(s.get(key(7)));
                }
                assertTrue(Thread.interrupted(), "reopen kept the interrupt");
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        caller.join();
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.get(0));
        }
        // The store the interrupted thread used is sound for everyone else.
        try (Seqs s = open()) {
            assertArrayEquals(value(1, 2), s.get(key(1)));
            assertEquals(1, s.stats().keys());
        }
    }

    @Test
    void interruptsArrivingDuringCallsNeverFailThemOrTheStore() throws Exception {
        long seed = TestSeeds.seed("InterruptTest");
        int keys = 2_000;
        int[] versions = new int[keys];
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong interruptsSeen = new AtomicLong();
        AtomicLong operations = new AtomicLong();
        try (Seqs s = open()) {
            Thread worker = Thread.ofPlatform().name("interrupted-worker").start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                try {
                    while (!stop.get()) {
                        int k = rnd.nextInt(keys);
                        switch (rnd.nextInt(10)) {
                            case 0 -> s.flush();
                            case 1 -> s.checkpoint();
                            case 2 -> assertArrayEquals(versions[k] == 0 ? null : value(k, versions[k]), s.get(key(k)));
                            default -> s.put(key(k), value(k, ++versions[k]));
                        }
                        operations.incrementAndGet();
                        if (Thread.interrupted()) {
                            interruptsSeen.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failures.add(new AssertionError("seed " + seed + " after " + operations.get() + " operations", t));
                }
            });
            Thread interrupter = Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed + 1);
                while (!stop.get()) {
                    worker.interrupt();
                    java.util.concurrent.locks.LockSupport.parkNanos(rnd.nextLong(10_000, 200_000));
                }
            });
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline && failures.isEmpty()) {
                Thread.sleep(20);
            }
            stop.set(true);
            interrupter.join();
            worker.join();
            System.out.printf(
                    "InterruptTest: %,d operations, %,d came back interrupted%n",
                    operations.get(), interruptsSeen.get());
            if (!failures.isEmpty()) {
                throw new AssertionError(failures.peek());
            }
            assertTrue(interruptsSeen.get() > 0, "the worker was interrupted");
        }
        try (Seqs s = open()) {
            for (int k = 0; k < keys; k++) {
                assertArrayEquals(
                        versions[k] == 0 ? null : value(k, versions[k]), s.get(key(k)), "key " + k + ", seed " + seed);
            }
        }
    }

    /** Resets raced by gets and puts; the defect showed within 32. */
    static final int RESETS = 64;

    @Test
    void getsAndPutsRacingResetsNeverComeBackInterrupted() throws Exception {
        long seed = TestSeeds.seed("InterruptTest.resets");
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong resets = new AtomicLong();
        try (Seqs s = Seqs.builder(dir).shards(4).segmentSize(64 << 10).open()) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean writer = t < 2;
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed + id);
                    try {
                        while (!stop.get()) {
                            int k = rnd.nextInt(5_000);
                            if (writer) {
                                s.put(key(k), value(k, 1));
                            } else {
                                byte[] v = s.get(key(k));
                                if (v != null) {
                                    assertArrayEquals(value(k, 1), v);
                                }
                            }
                            assertFalse(
                                    Thread.currentThread().isInterrupted(),
                                    (writer ? "put" : "get") + " came back interrupted");
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            while (resets.get() < RESETS && failures.isEmpty()) { // a count, not a time: the same race under any load
                Thread.sleep(15);
                s.resetEpoch();
                resets.incrementAndGet();
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("seed " + seed + " after " + resets.get() + " resets", failures.peek());
        }
        assertEquals(RESETS, resets.get(), "resets ran");
    }
}
