package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.format.Manifest;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.fs.StoreLock;
import io.seqs.internal.index.HashIndex;
import io.seqs.internal.store.Epoch;
import io.seqs.internal.store.LogWriter;
import io.seqs.internal.store.Shard;
import io.seqs.internal.store.StoreDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store takes over no directory it did not create, grows with its data, and its figures and builder say what is true.
 */
class TrustTest {
    @TempDir
    Path dir;

    private static List<String> names(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aDirectoryThatIsNeitherEmptyNorAStoreIsRefusedAndLeftAlone() throws Exception {
        Path foreign = Files.createDirectory(dir.resolve("project"));
        Files.writeString(foreign.resolve("pom.xml"), "<project/>");
        Files.createDirectory(foreign.resolve("src"));
        List<String> before = names(foreign);
        SeqsException e = assertThrows(SeqsException.class, () -> Seqs.open(foreign));
        assertTrue(e.getMessage().contains(foreign.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("pom.xml") || e.getMessage().contains("src"), e.getMessage());
        assertEquals(before, names(foreign), "nothing was created there");
    }

    @Test
    void anEmptyDirectoryAndAStoreAreOpened() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        try (Seqs s = Seqs.open(empty)) {
            s.put("k".getBytes(), "v".getBytes());
        }
        try (Seqs s = Seqs.open(empty)) {
            assertArrayEquals("v".getBytes(), s.get("k".getBytes()));
        }
        // a store whose creation stopped before its first manifest holds only entries seqs makes
        Path cut = Files.createDirectory(dir.resolve("cut"));
        Files.createFile(cut.resolve(StoreLock.FILE));
        Files.createDirectory(cut.resolve(StoreDirectory.DEFAULT_CHECKPOINT_DIR));
        try (Seqs s = Seqs.open(cut)) {
            assertEquals(1, s.epoch());
        }
    }

    @Test
    void aSmallStoreReservesLittleSpaceWhateverTheSegmentSize() throws Exception {
        long usableBefore = Files.getFileStore(dir).getUsableSpace();
        try (Seqs s = Seqs.open(dir.resolve("small"))) { // 1 GiB segments, at least 8 shards
            for (int i = 0; i < 100; i++) {
                s.put(("key-" + i).getBytes(), ("value-" + i).getBytes());
            }
            long reserved = 0;
            for (ShardStats shard : s.stats().shards()) {
                reserved += shard.logPosition() % SeqsBuilder.DEFAULT_SEGMENT_SIZE;
            }
            assertTrue(reserved < 64L << 20, "log bytes " + reserved);
            assertTrue(
                    s.stats().indexBytes() < 16L << 20,
                    "index bytes " + s.stats().indexBytes());
        }
        // Without native access a shard's promise is its reservation, not its segment: the free-space
        // check needs a chunk per shard, so a store opens and writes on a disk with far less than 8 GiB.
        assertTrue(LogWriter.RESERVE_MAX_BYTES * SeqsBuilder.defaultShards(0) < SeqsBuilder.DEFAULT_SEGMENT_SIZE * 2);
        assertTrue(usableBefore - Files.getFileStore(dir).getUsableSpace() < 256L << 20 || usableBefore < 0);
    }

    @Test
    void aPresizedIndexCostsNoMemoryUntilKeysArrive() throws Exception {
        // A table for 20 M keys per shard is 200 MB: it must come lazily zeroed (a mapping), not
        // from zeroed heap-sized arena memory, with or without native access.
        try (HashIndex idx = HashIndex.forKeys(20_000_000, dir)) {
            assertTrue(idx.slots.isMapped() || FileUtil.canAllocateLazily(), "lazily zeroed table");
            assertEquals(0, idx.getPlain(idx.capacity - 1));
            idx.setRelease(idx.capacity / 2, 42);
            assertEquals(42, idx.getPlain(idx.capacity / 2));
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(
                    s.noneMatch(p -> FileUtil.isScratchFile(p.getFileName().toString())), "the scratch file is gone");
        }
    }

    @Test
    void checkpointsOfAPresizedIndexCostTheDiskOfItsEntriesNotOfItsCapacity() throws Exception {
        Path store = dir.resolve("presized");
        try (Seqs s = Seqs.builder(store).shards(2).expectedKeys(20_000_000).open()) {
            for (int i = 0; i < 100; i++) {
                s.put(("key-" + i).getBytes(), ("value-" + i).getBytes());
            }
        } // close writes a checkpoint of each shard's 100 MB table
        long apparent = 0;
        long allocated = 0;
        for (Path p : StoreFiles.checkpoints(store)) {
            apparent += Files.size(p);
            allocated += NativeAccessTest.Probe.allocatedBytes(p);
        }
        assertTrue(apparent > 150L << 20, "the tables are big: " + apparent);
        assertTrue(allocated < 4L << 20, "but their checkpoints are sparse: " + allocated + " bytes allocated");
        try (Seqs s = Seqs.open(store)) {
            assertEquals(100, s.stats().keys());
            for (int i = 0; i < 100; i++) {
                assertArrayEquals(("value-" + i).getBytes(), s.get(("key-" + i).getBytes()));
            }
            assertTrue(s.stats().shards().get(0).recoveredFromCheckpoint(), "the sparse checkpoint was read back");
        }
    }

    @Test
    void shardsMakeTheirDirectoriesWhenTheyFirstWriteAndARebuiltManifestStillKnowsTheShape() throws Exception {
        Path store = dir.resolve("lazy");
        try (Seqs s = Seqs.builder(store).shards(4).open()) {
            s.resetEpoch(); // makes two directories, whatever the shard count
            try (Stream<Path> shardDirs = Files.list(store.resolve(Epoch.dirName(2)))) {
                assertEquals(0, shardDirs.count(), "no shard has written yet");
            }
            s.put("k".getBytes(), "v".getBytes());
        }
        Files.delete(store.resolve(Manifest.FILE_NAME));
        try (Seqs s = Seqs.open(store)) { // the default would be 8 shards; the segment header says 4
            assertEquals(4, s.stats().shards().size());
            assertEquals(2, s.epoch());
            assertArrayEquals("v".getBytes(), s.get("k".getBytes()));
        }
    }

    @Test
    void indexBytesPerKeyIsZeroForAnEmptyStore() {
        try (Seqs s = Seqs.open(dir)) {
            assertEquals(0, s.stats().indexBytesPerKey());
            s.put("k".getBytes(), "v".getBytes());
            assertTrue(s.stats().indexBytesPerKey() > 0);
            s.resetEpoch();
            assertEquals(0, s.stats().indexBytesPerKey());
            assertEquals(0, s.stats().shards().get(0).indexBytesPerKey());
        }
    }

    @Test
    void liveAndDeadBytesAreKeptPerSegmentEvenWhenASegmentSpansSeveralWindows() throws Exception {
        try (Seqs s = Seqs.builder(dir)
                .shards(1)
                .segmentSize(64 << 10)
                .checkpointInterval(Duration.ZERO)
                .compression(Compression.NONE)
                .reclaimThreshold(0)
                .open()) {
            s.put("a".getBytes(), new byte[100]);
            s.put("big".getBytes(), new byte[200 << 10]); // a segment of four windows of its own
            for (int i = 0; i < 20; i++) { // small records behind it, in the segment's later windows
                s.put(("k" + i).getBytes(), new byte[100]);
            }
            for (int i = 0; i < 20; i++) {
                s.put(("k" + i).getBytes(), new byte[120]); // the first copies die
            }
            checkSegmentSpace(s);
            s.checkpoint();
        }
        try (Seqs s = Seqs.builder(dir)
                .shards(1)
                .segmentSize(64 << 10)
                .checkpointInterval(Duration.ZERO)
                .compression(Compression.NONE)
                .reclaimThreshold(0)
                .open()) {
            checkSegmentSpace(s); // as the checkpoint kept them
        }
    }

    /** Every segment's live and dead figures equal a recount of its records against the index. */
    private static void checkSegmentSpace(Seqs s) {
        Shard shard = s.currentEpochForTests().shards[0];
        long[][] space = shard.segmentSpace();
        long[][] recount = shard.recountSegmentSpace();
        assertEquals(recount.length, space.length);
        for (int i = 0; i < space.length; i++) {
            assertArrayEquals(recount[i], space[i], "segment " + space[i][0] + ": {id, live, dead}");
            assertTrue(space[i][1] >= 0 && space[i][2] >= 0);
        }
        assertTrue(space.length >= 2 && space[1][2] > 0, "the spanning segment has dead bytes");
    }

    @Test
    void aBuilderIsUsableAfterAFailedOpenAndRefusesChangesAfterASuccessfulOne() throws Exception {
        Path target = Files.createDirectory(dir.resolve("b"));
        Path stray = Files.writeString(target.resolve("notes.txt"), "x");
        SeqsBuilder builder = Seqs.builder(target).shards(2);
        assertThrows(SeqsException.class, builder::open);
        Files.delete(stray);
        try (Seqs s = builder.open()) {
            assertEquals(2, s.stats().shards().size());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder.shards(4));
            assertTrue(e.getMessage().contains("already opened"), e.getMessage());
            assertThrows(IllegalStateException.class, builder::open);
        }
    }

    @Test
    void tooManyExpectedKeysSaysWhatTheLimitIs() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Seqs.builder(dir).expectedKeys(Long.MAX_VALUE));
        assertTrue(e.getMessage().contains(String.valueOf(SeqsBuilder.MAX_KEYS)), e.getMessage());
        assertFalse(e.getMessage().contains("use more shards"), e.getMessage());
        IllegalArgumentException few = assertThrows(
                IllegalArgumentException.class,
                () -> Seqs.builder(dir)
                        .shards(1)
                        .expectedKeys(SeqsBuilder.MAX_KEYS_PER_SHARD * 3)
                        .open());
        assertTrue(few.getMessage().contains("at least 4 shards"), few.getMessage());
    }
}
