package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.store.Shard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reclamation: mostly dead segments are rewritten and deleted, the store keeps agreeing with a
 * model across it and across reopens (with and without checkpoints), deleted keys stay deleted,
 * readers never miss a key being moved and a put racing a move wins.
 */
class ReclaimTest {
    @TempDir
    Path dir;

    @TempDir
    Path backup;

    /** Puts of the racing writer: a few thousand 64 KiB segments, well under the mappings a process may have. */
    private static final long WRITER_PUTS = 300_000;

    private Seqs open(double threshold) {
        return Seqs.builder(dir)
                .shards(1)
                .segmentSize(64 << 10)
                .compression(Compression.NONE)
                .checkpointInterval(Duration.ZERO)
                .reclaimThreshold(threshold)
                .open();
    }

    private static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int k, long version, int size) {
        byte[] v = new byte[size];
        byte[] tag = (k + "/" + version + "/").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            v[i] = tag[i % tag.length];
        }
        return v;
    }

    /** Writes, overwrites and deletes in a seeded mix; returns the model. */
    private static Map<Integer, byte[]> churn(
            Seqs s, SplittableRandom rnd, int keys, int ops, Map<Integer, byte[]> model) {
        for (int op = 0; op < ops; op++) {
            int k = rnd.nextInt(keys);
            if (rnd.nextInt(10) == 0) {
                assertEquals(model.remove(k) != null, s.delete(key(k)));
            } else {
                byte[] v = value(k, op, rnd.nextInt(50, 400));
                s.put(key(k), v);
                model.put(k, v);
            }
        }
        return model;
    }

    private static void check(Seqs s, Map<Integer, byte[]> model, int keys, String where) {
        for (int k = 0; k < keys; k++) {
            assertArrayEquals(model.get(k), s.get(key(k)), where + ", key " + k);
        }
        assertEquals(model.size(), s.stats().keys(), where);
    }

    private long files(String suffix) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    private long segmentBytes() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".seg"))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    @Test
    void deadSegmentsAreReclaimedAndTheStoreStillAgreesWithItsModel() throws Exception {
        long seed = TestSeeds.seed("ReclaimTest.deadSegmentsAreReclaimed");
        SplittableRandom rnd = new SplittableRandom(seed);
        int keys = 600;
        Map<Integer, byte[]> model = new HashMap<>();
        try (Seqs s = open(0.5)) {
            for (int round = 0; round < 6; round++) {
                churn(s, rnd, keys, 3000, model);
                long segmentsBefore = files(".seg");
                long bytesBefore = segmentBytes();
                s.reclaim();
                String where = "seed " + seed + ", round " + round;
                check(s, model, keys, where);
                checkSpace(s, where);
                assertTrue(files(".seg") <= segmentsBefore, where);
                assertTrue(segmentBytes() <= bytesBefore, where);
            }
            SeqsStats st = s.stats();
            assertTrue(st.reclaimedSegments() > 0, st.toString());
            assertTrue(st.reclaimedBytes() > 0 && st.reclaimCopiedBytes() > 0, st.toString());
            assertTrue(st.spaceAmplification() < 2.5, "space amplification " + st.spaceAmplification());
            assertEquals(st.reclaimedSegments(), files(".reclaimed"));
        }
        try (Seqs s = open(0)) {
            check(s, model, keys, "seed " + seed + ", reopened");
            assertEquals(0, s.stats().recoveryDroppedRecords());
            checkSpace(s, "seed " + seed + ", reopened");
        }
        // Without checkpoints, recovery reads the whole log across its holes: the delete records
        // reclamation carried forward keep the keys they deleted deleted.
        deleteCheckpoints();
        try (Seqs s = open(0)) {
            check(s, model, keys, "seed " + seed + ", reopened from the log alone");
            assertEquals(0, s.stats().recoveryDroppedRecords());
            assertTrue(!s.stats().shards().get(0).recoveredFromCheckpoint());
            checkSpace(s, "seed " + seed + ", reopened from the log alone");
        }
    }

    @Test
    void aReclamationCutShortAfterItsMarkerIsFinishedAtOpen() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        int keys = 400;
        Map<Integer, byte[]> model = new HashMap<>();
        List<Path> saved = new ArrayList<>();
        try (Seqs s = open(0.5)) {
            churn(s, rnd, keys, 4000, model);
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.filter(p -> p.toString().endsWith(".seg")).toList()) {
                    Files.copy(p, backup.resolve(p.getFileName()));
                    saved.add(p);
                }
            }
            s.reclaim();
            assertTrue(s.stats().reclaimedSegments() > 0);
        }
        // put back the files of the reclaimed segments, as a crash before their deletion leaves them
        int restored = 0;
        for (Path p : saved) {
            if (!Files.exists(p)) {
                Files.copy(backup.resolve(p.getFileName()), p, StandardCopyOption.COPY_ATTRIBUTES);
                restored++;
            }
        }
        assertTrue(restored > 0);
        try (Seqs s = open(0)) {
            check(s, model, keys, "reopened");
            assertEquals(0, s.stats().recoveryDroppedRecords());
        }
        for (Path p : saved) {
            Path marker = p.resolveSibling(p.getFileName().toString().replace(".seg", ".reclaimed"));
            assertTrue(!Files.exists(marker) || !Files.exists(p), "open finished the reclamation of " + p);
        }
    }

    @Test
    void readersNeverMissAKeyBeingMovedAndPutsRacingAMoveWin() throws Exception {
        long seed = TestSeeds.seed("ReclaimTest.readersNeverMiss");
        int keys = 500;
        AtomicLongArray versions = new AtomicLongArray(keys);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Seqs s = open(0.3)) {
            for (int k = 0; k < keys; k++) {
                s.put(key(k), value(k, 0, 200));
            }
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long readerSeed = seed + t;
                threads.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom rnd = new SplittableRandom(readerSeed);
                    try {
                        while (!stop.get()) {
                            int k = rnd.nextInt(keys);
                            byte[] v = s.get(key(k));
                            assertNotNull(v, "key " + k + " missed");
                            String text = new String(v, 0, 20, StandardCharsets.UTF_8);
                            assertTrue(text.startsWith(k + "/"), "key " + k + " read " + text);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            threads.add(Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
                try {
                    for (long version = 1; !stop.get() && version <= WRITER_PUTS; version++) {
                        int k = rnd.nextInt(keys);
                        s.put(key(k), value(k, version, 200));
                        versions.set(k, version);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline && failure.get() == null) {
                s.reclaim();
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("seed " + seed, failure.get());
            }
            assertTrue(s.stats().reclaimedSegments() > 0, s.stats().toString());
            for (int k = 0; k < keys; k++) {
                assertArrayEquals(value(k, versions.get(k), 200), s.get(key(k)), "seed " + seed + ", key " + k);
            }
            checkSpace(s, "seed " + seed);
        }
    }

    @Test
    void aCutForDamageTakesTheMarkersBehindItAndNothingWrittenAfterIsLost() throws Exception {
        try (Seqs s = open(0.5)) {
            for (int k = 0; k < 2000; k++) {
                s.put(key(k), value(k, 0, 300));
            }
            for (int k = 200; k < 2000; k++) {
                s.put(key(k), value(k, 1, 300)); // the segments after the first die
            }
            s.reclaim();
            assertTrue(s.stats().reclaimedSegments() > 3, s.stats().toString());
        }
        Path shardDir = dir.resolve("epoch-0000000001/shard-0000");
        assertTrue(Files.exists(shardDir.resolve("0000000000000000.seg")), "the first segment is live");
        deleteCheckpoints(); // recovery reads the log from its start and meets the damage
        // damage a record in the middle of the first segment: the log is cut there
        try (var ch = java.nio.channels.FileChannel.open(
                shardDir.resolve("0000000000000000.seg"), java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xA5}), 32 << 10);
        }
        try (Seqs s = open(0)) {
            assertTrue(s.stats().recoveryDroppedRecords() > 0, "the cut is reported");
            assertEquals(0, files(".reclaimed"), "markers behind the cut are gone with it");
            for (int k = 0; k < 1000; k++) {
                s.put(("after-" + k).getBytes(StandardCharsets.UTF_8), value(k, 2, 300)); // rolls into new ids
            }
        }
        try (Seqs s = open(0)) {
            assertEquals(0, s.stats().recoveryDroppedRecords());
            for (int k = 0; k < 1000; k++) {
                assertArrayEquals(
                        value(k, 2, 300), s.get(("after-" + k).getBytes(StandardCharsets.UTF_8)), "after-" + k);
            }
        }
    }

    @Test
    void aLiveRecordDamagedOnDiskIsNotCopiedWithAFreshChecksum() throws Exception {
        try (Seqs s = open(0)) {
            for (int k = 0; k < 600; k++) {
                s.put(key(k), value(k, 0, 300));
            }
            for (int k = 0; k < 600; k++) {
                if (k != 5) {
                    s.put(key(k), value(k, 1, 300)); // the first segments die, but for key 5
                }
            }
            // flip a byte of key 5's value, on disk, behind the store's back
            Path first = dir.resolve("epoch-0000000001/shard-0000/0000000000000000.seg");
            byte[] bytes = Files.readAllBytes(first);
            byte[] needle = (new String(key(5), StandardCharsets.UTF_8) + "5/0/").getBytes(StandardCharsets.UTF_8);
            int at = indexOf(bytes, needle);
            assertTrue(at > 0, "key 5's record is in the first segment");
            try (var ch = java.nio.channels.FileChannel.open(first, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {'#'}), at + needle.length + 20);
            }
            assertThrows(CorruptionException.class, () -> s.get(key(5)));
            // reclaim as the background would at 0.5 (the store runs none: its threshold is 0)
            Shard shard = s.currentEpochForTests().shards[0];
            io.seqs.internal.store.Reclaimer.Pacer pacer = new io.seqs.internal.store.Reclaimer.Pacer(1L << 30);
            while (shard.reclaim(0.5, pacer)) {
                // every segment that qualifies
            }
            assertTrue(s.stats().reclaimedSegments() > 0, "the other dead segments are reclaimed");
            assertTrue(Files.exists(first), "the damaged segment is left as it is");
            assertThrows(CorruptionException.class, () -> s.get(key(5)), "the damage is still reported");
            for (int k = 0; k < 600; k++) {
                if (k != 5) {
                    assertArrayEquals(value(k, 1, 300), s.get(key(k)), "key " + k);
                }
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Every segment's live and dead figures equal a recount of its records against the index. */
    private static void checkSpace(Seqs s, String where) {
        Shard shard = s.currentEpochForTests().shards[0];
        long[][] space = shard.segmentSpace();
        long[][] recount = shard.recountSegmentSpace();
        assertEquals(recount.length, space.length, where);
        for (int i = 0; i < space.length; i++) {
            assertArrayEquals(recount[i], space[i], where + ", segment " + space[i][0] + ": {id, live, dead}");
        }
    }

    private void deleteCheckpoints() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".ckpt")).toList()) {
                Files.delete(p);
            }
        }
    }
}
