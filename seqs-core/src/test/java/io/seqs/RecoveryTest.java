package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.format.Manifest;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery from damaged files: the log is cut at the first unsound byte and the loss reported. */
class RecoveryTest {
    @TempDir
    Path dir;

    static byte[] key(int i) {
        return ("key-" + i).getBytes();
    }

    static byte[] value(int i, int version) {
        byte[] v = new byte[100 + i % 50];
        java.util.Arrays.fill(v, (byte) (1 + (i * 7 + version) % 250));
        return v;
    }

    private Seqs open() {
        return open(dir);
    }

    private static Seqs open(Path dir) {
        return Seqs.builder(dir)
                .compression(Compression.NONE)
                .shards(1)
                .segmentSize(64 << 10)
                .checkpointInterval(Duration.ZERO)
                .open();
    }

    /** Writes keys 0..n-1 (version 1) and closes without a checkpoint covering the tail being needed. */
    private void write(int n) {
        try (Seqs s = open()) {
            for (int i = 0; i < n; i++) {
                s.put(key(i), value(i, 1));
            }
        }
    }

    private static void deleteCheckpoints(Path dir) throws Exception {
        for (Path p : StoreFiles.checkpoints(dir)) {
            Files.delete(p);
        }
    }

    private static void patch(Path file, long offset, byte[] bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(bytes);
        }
    }

    private static Path lastSegment(Path dir) throws Exception {
        List<Path> segs = StoreFiles.segments(dir);
        return segs.get(segs.size() - 1);
    }

    /**
     * A log replayed with no checkpoint grows the index in a few steps sized on what the log
     * holds, not in a dozen rebuilds; a log of rewrites, which makes the estimate run ahead, leaves
     * no oversized table behind. Every key comes back either way.
     */
    @Test
    void aReplayGrowsTheIndexInFewStepsAndNoLarger() throws Exception {
        int keys = 120_000;
        write(keys);
        deleteCheckpoints(dir);
        try (Seqs s = open()) {
            for (ShardStats shard : s.stats().shards()) {
                assertTrue(shard.indexRebuilds() <= 4, "rebuilds of a replayed index: " + shard.indexRebuilds());
            }
            assertTrue(
                    s.stats().indexBytesPerKey() <= 20,
                    "index bytes per key " + s.stats().indexBytesPerKey());
            for (int i = 0; i < keys; i += 97) {
                assertArrayEquals(value(i, 1), s.get(key(i)));
            }
        }
        Path rewrites = dir.resolve("rewrites");
        int hot = 10_000;
        try (Seqs s = Seqs.builder(rewrites)
                .compression(Compression.NONE)
                .shards(1)
                .segmentSize(64 << 10)
                .checkpointInterval(Duration.ZERO)
                .reclaimThreshold(0) // every rewrite stays in the log for the replay to read
                .open()) {
            for (int round = 1; round <= 12; round++) {
                for (int i = 0; i < hot; i++) {
                    s.put(key(i), value(i, round));
                }
            }
        }
        deleteCheckpoints(rewrites);
        try (Seqs s = open(rewrites)) {
            assertEquals(hot, s.stats().keys());
            assertTrue(
                    s.stats().indexBytesPerKey() <= 20,
                    "index bytes per key " + s.stats().indexBytesPerKey());
            for (int i = 0; i < hot; i += 7) {
                assertArrayEquals(value(i, 12), s.get(key(i)));
            }
        }
    }

    @Test
    void corruptLastRecordIsDroppedAndReported() throws Exception {
        write(50);
        deleteCheckpoints(dir);
        Path seg = lastSegment(dir);
        List<long[]> recs = StoreFiles.records(Files.readAllBytes(seg));
        long[] last = recs.get(recs.size() - 1);
        patch(seg, last[0] + RecordDescriptor.HEADER_LENGTH + 2, new byte[] {0x55});
        try (Seqs s = open()) {
            SeqsStats st = s.stats();
            assertEquals(1, st.recoveryDroppedRecords(), st.toString());
            assertTrue(st.recoveryDroppedBytes() >= last[1], st.toString());
            assertNull(s.get(key(49)));
            for (int i = 0; i < 49; i++) {
                assertArrayEquals(value(i, 1), s.get(key(i)), "key " + i);
            }
            s.put(key(49), value(49, 2));
        }
        try (Seqs s = open()) {
            assertEquals(0, s.stats().recoveryDroppedBytes(), "the cut was made clean");
            assertArrayEquals(value(49, 2), s.get(key(49)));
        }
    }

    @Test
    void tornHeaderWithLaterPagesPresentIsFoundAndScrubbed() throws Exception {
        write(30);
        deleteCheckpoints(dir);
        Path seg = lastSegment(dir);
        List<long[]> recs = StoreFiles.records(Files.readAllBytes(seg));
        long[] victim = recs.get(recs.size() - 3);
        patch(
                seg,
                victim[0],
                new byte[RecordDescriptor.HEADER_LENGTH]); // header lost, body and two later records present
        try (Seqs s = open()) {
            SeqsStats st = s.stats();
            assertEquals(2, st.recoveryDroppedRecords(), st.toString());
            assertTrue(st.recoveryDroppedBytes() > 0);
            assertNull(s.get(key(27)));
            assertNull(s.get(key(28)));
            assertNull(s.get(key(29)));
            assertArrayEquals(value(26, 1), s.get(key(26)));
            s.put(key(27), value(27, 3)); // shorter than what was there: stale bytes must not come back
        }
        try (Seqs s = open()) {
            assertEquals(0, s.stats().recoveryDroppedBytes());
            assertArrayEquals(value(27, 3), s.get(key(27)));
            assertNull(s.get(key(28)));
            assertNull(s.get(key(29)));
        }
    }

    @Test
    void corruptCheckpointFallsBackToTheLog() throws Exception {
        write(2000);
        List<Path> ckpts = StoreFiles.checkpoints(dir);
        assertFalse(ckpts.isEmpty());
        for (Path c : ckpts) {
            patch(c, Files.size(c) / 2, new byte[] {0x7f, 0x7f});
        }
        try (Seqs s = open()) {
            SeqsStats st = s.stats();
            assertFalse(st.shards().get(0).recoveredFromCheckpoint());
            assertEquals(2000, st.recoveryReplayedRecords());
            assertEquals(2000, st.keys());
            for (int i = 0; i < 2000; i++) {
                assertArrayEquals(value(i, 1), s.get(key(i)));
            }
        }
    }

    @Test
    void checkpointBoundsReplay() throws Exception {
        try (Seqs s = open()) {
            for (int i = 0; i < 1000; i++) {
                s.put(key(i), value(i, 1));
            }
            s.checkpoint();
            for (int i = 0; i < 10; i++) {
                s.put(key(i), value(i, 2));
            }
            assertTrue(s.delete(key(500)));
        }
        // Remove only the close-time checkpoint, keeping the explicit one: 11 records to replay.
        List<Path> ckpts = StoreFiles.checkpoints(dir);
        assertEquals(2, ckpts.size(), ckpts.toString());
        Files.delete(ckpts.get(1));
        try (Seqs s = open()) {
            SeqsStats st = s.stats();
            assertTrue(st.shards().get(0).recoveredFromCheckpoint());
            assertEquals(11, st.recoveryReplayedRecords());
            assertNull(s.get(key(500)));
            assertArrayEquals(value(3, 2), s.get(key(3)));
            assertArrayEquals(value(999, 1), s.get(key(999)));
            assertEquals(999, st.keys());
        }
    }

    @Test
    void damagedMiddleSegmentHeaderDropsTheRestAndSaysSo() throws Exception {
        write(3000); // ~100 KiB per 1000 keys: several 64 KiB segments
        deleteCheckpoints(dir);
        List<Path> segs = StoreFiles.segments(dir);
        assertTrue(segs.size() >= 4, segs.toString());
        patch(segs.get(2), 0, new byte[] {1, 2, 3});
        try (Seqs s = open()) {
            SeqsStats st = s.stats();
            assertTrue(st.shards().get(0).recoveryDroppedSegments() >= segs.size() - 2, st.toString());
            assertEquals(2, st.shards().get(0).segments());
            long present = 0;
            for (int i = 0; i < 3000; i++) {
                byte[] v = s.get(key(i));
                if (v != null) {
                    assertArrayEquals(value(i, 1), v);
                    present++;
                }
            }
            assertEquals(st.keys(), present);
            assertTrue(present > 0 && present < 3000);
            s.put(key(0), value(0, 9));
        }
        try (Seqs s = open()) {
            assertArrayEquals(value(0, 9), s.get(key(0)));
        }
    }

    @Test
    void missingOrDamagedManifestIsRebuilt() throws Exception {
        write(100);
        try (Seqs s = open()) {
            s.resetEpoch();
            s.put(key(1), value(1, 5));
        }
        Files.delete(dir.resolve(Manifest.FILE_NAME));
        try (Seqs s = open()) {
            assertEquals(2, s.epoch());
            assertArrayEquals(value(1, 5), s.get(key(1)));
            assertNull(s.get(key(2)));
        }
        patch(dir.resolve(Manifest.FILE_NAME), 20, new byte[] {9});
        try (Seqs s = open()) {
            assertEquals(2, s.epoch());
            assertArrayEquals(value(1, 5), s.get(key(1)));
        }
    }

    @Test
    void reopeningARecoveredStoreChangesNothing() throws Exception {
        write(500);
        deleteCheckpoints(dir);
        Path seg = lastSegment(dir);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(f.length() - 4096 * 3); // cut the file itself
        }
        long keys;
        try (Seqs s = open()) {
            keys = s.stats().keys();
        }
        for (int round = 0; round < 3; round++) {
            try (Seqs s = open()) {
                assertEquals(keys, s.stats().keys());
                assertEquals(0, s.stats().recoveryDroppedBytes());
            }
        }
    }

    @Test
    void aSegmentCreatedButNeverWrittenIsRemovedQuietly() throws Exception {
        write(10);
        Path last = lastSegment(dir);
        long id = SegmentDescriptor.parseFileName(last.getFileName().toString());
        Path empty = last.resolveSibling(SegmentDescriptor.fileName(id + 1));
        try (RandomAccessFile f = new RandomAccessFile(empty.toFile(), "rw")) {
            f.setLength(64 << 10);
        }
        try (Seqs s = open()) {
            assertEquals(0, s.stats().recoveryDroppedBytes());
            assertEquals(0, s.stats().shards().get(0).recoveryDroppedSegments());
            assertArrayEquals(value(9, 1), s.get(key(9)));
        }
        assertFalse(Files.exists(empty));
    }

    @Test
    void aDamagedLengthBelowTheCheckpointIsReportedByGetNotTrusted() throws Exception {
        write(20); // closed: a checkpoint covers everything, so recovery reads none of it
        Path seg = lastSegment(dir);
        List<long[]> recs = StoreFiles.records(Files.readAllBytes(seg));
        long[] victim = recs.get(5);
        patch(seg, victim[0] + RecordDescriptor.STORED_LENGTH_OFFSET + 3, new byte[] {(byte) 0x80
        }); // stored length now negative
        try (Seqs s = open()) {
            assertTrue(s.stats().shards().get(0).recoveredFromCheckpoint());
            CorruptionException e =
                    org.junit.jupiter.api.Assertions.assertThrows(CorruptionException.class, () -> s.get(key(5)));
            assertTrue(e.getMessage().contains(seg.toString()), e.getMessage());
            java.lang.foreign.MemorySegment dst = java.lang.foreign.MemorySegment.ofArray(new byte[1024]);
            org.junit.jupiter.api.Assertions.assertThrows(
                    CorruptionException.class, () -> s.get(java.lang.foreign.MemorySegment.ofArray(key(5)), dst));
            assertArrayEquals(value(6, 1), s.get(key(6)));
            // overwriting the damaged record neither trusts its length nor breaks the space figures
            s.put(key(5), value(5, 2));
            assertArrayEquals(value(5, 2), s.get(key(5)));
            assertTrue(
                    s.stats().liveBytes() > 0 && s.stats().deadBytes() >= 0,
                    s.stats().toString());
        }
    }

    @Test
    void aDamagedKeyIsReportedNotTakenForAbsence() throws Exception {
        write(20);
        Path seg = lastSegment(dir);
        List<long[]> recs = StoreFiles.records(Files.readAllBytes(seg));
        patch(seg, recs.get(7)[0] + RecordDescriptor.HEADER_LENGTH + 1, new byte[] {'#'}); // "key-7" becomes "k#y-7"
        try (Seqs s = open()) {
            org.junit.jupiter.api.Assertions.assertThrows(CorruptionException.class, () -> s.get(key(7)));
            for (int i = 0; i < 20; i++) {
                if (i != 7) {
                    assertArrayEquals(value(i, 1), s.get(key(i)), "key " + i);
                }
            }
            assertNull(s.get(key(12345)));
        }
    }

    /**
     * Deleting a key whose only record is damaged removes it: a get after the delete returns null, before and after
     * reopen.
     */
    @Test
    void aKeyWhoseRecordIsDamagedCanBeDeleted() throws Exception {
        write(20);
        Path seg = lastSegment(dir);
        List<long[]> recs = StoreFiles.records(Files.readAllBytes(seg));
        patch(
                seg,
                recs.get(7)[0],
                new byte[RecordDescriptor.HEADER_LENGTH]); // the header zeroed, as a lost page leaves it
        try (Seqs s = open()) {
            org.junit.jupiter.api.Assertions.assertThrows(CorruptionException.class, () -> s.get(key(7)));
            assertTrue(s.delete(key(7)), "the damaged record counts as the key's value");
            assertNull(s.get(key(7)));
            assertArrayEquals(value(8, 1), s.get(key(8)));
        }
        try (Seqs s = open()) {
            assertNull(s.get(key(7)), "the delete survives a reopen");
        }
        deleteCheckpoints(dir);
        try (Seqs s = open()) {
            assertNull(s.get(key(7)), "and a replay of the log without a checkpoint");
        }
    }
}
