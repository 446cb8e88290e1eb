package io.seqs.internal.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.CorruptionException;
import io.seqs.internal.format.SegmentDescriptor;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's table read back across many read chunks: every slot as written, and a slot
 * pointing outside the covered log reported with its file offset even when the file's checksum
 * agrees.
 */
class CheckpointFileTest {
    private static final long COVERED = 1L << 30;
    /** Slots over many of the chunks a table is read in, and not a whole number of them. */
    private static final long CAPACITY = 300_000 + 4_321;
    /** Slots are stored little-endian (see HashIndex). */
    private static final ValueLayout.OfLong SLOT = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    /** Fills a table with entries, tombstones and a stretch of empty pages; returns its entries and tombstones. */
    private static long[] fill(MemorySegment table, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long entries = 0;
        long tombstones = 0;
        for (long i = 0; i < CAPACITY; i++) {
            boolean emptyStretch = i >= 100_000 && i < 180_000;
            int pick = rnd.nextInt(10);
            long slot = 0;
            if (!emptyStretch && pick < 6) {
                long position = SegmentDescriptor.HEADER_LENGTH + 8 * rnd.nextLong((COVERED - 64) / 8);
                slot = HashIndex.slot(rnd.nextLong(), position);
                entries++;
            } else if (!emptyStretch && pick == 6) {
                slot = HashIndex.TOMBSTONE;
                tombstones++;
            }
            table.setAtIndex(SLOT, i, slot);
        }
        return new long[] {entries, tombstones};
    }

    /** A table filled by {@link #fill}, its entries and tombstones, and the checkpoint written of it. */
    private record Written(MemorySegment table, long[] counts, Path file) {}

    private Written writeFilled(Arena arena, long seed) throws Exception {
        MemorySegment table = arena.allocate(CAPACITY * HashIndex.SLOT_BYTES);
        long[] counts = fill(table, seed);
        return new Written(table, counts, write(table, counts));
    }

    private Path write(MemorySegment table, long[] counts) throws Exception {
        CheckpointFile.write(
                dir,
                new CheckpointFile.Snapshot(
                        3, 1, 4, COVERED, 7, CAPACITY, counts[0], counts[1], new long[] {5}, new long[] {6}, table));
        return dir.resolve(CheckpointFile.fileName(COVERED));
    }

    @Test
    void aTableOverSeveralReadChunksLoadsSlotForSlot() throws Exception {
        try (Arena arena = Arena.ofShared()) { // the checkpoint is written on a thread of seqs' own
            Written w = writeFilled(arena, 11);
            MemorySegment table = w.table();
            long[] counts = w.counts();
            Path file = w.file();
            CheckpointFile.Loaded loaded = CheckpointFile.load(file, 3, 1, 4, null, position -> true);
            try (HashIndex index = loaded.index()) {
                assertEquals(counts[0], index.size);
                assertEquals(counts[1], index.tombstones);
                long[] slots = new long[HashIndex.SCAN_CHUNK];
                for (long base = 0; base < CAPACITY; base += slots.length) {
                    int n = (int) Math.min(slots.length, CAPACITY - base);
                    index.copySlots(base, slots, n);
                    for (int j = 0; j < n; j++) {
                        assertEquals(table.getAtIndex(SLOT, base + j), slots[j], "slot " + (base + j));
                    }
                }
            }
        }
    }

    @Test
    void aSlotOutsideTheCoveredLogIsReportedWithItsOffset() throws Exception {
        try (Arena arena = Arena.ofShared()) { // the checkpoint is written on a thread of seqs' own
            Path file = writeFilled(arena, 12).file();
            // far into the table, a slot now points past the covered position; the CRC is made to agree
            long slotIndex = 250_017;
            long tableOffset = CheckpointFile.SPACE_OFFSET + CheckpointFile.SPACE_ENTRY_LENGTH;
            long offset = tableOffset + slotIndex * HashIndex.SLOT_BYTES;
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong((int) offset, HashIndex.slot(42, COVERED + 4096));
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - CheckpointFile.TRAILER_LENGTH);
            b.putInt(bytes.length - CheckpointFile.TRAILER_LENGTH, (int) crc.getValue());
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.write(bytes);
            }
            CorruptionException e = assertThrows(
                    CorruptionException.class, () -> CheckpointFile.load(file, 3, 1, 4, null, position -> true));
            assertEquals(file, e.file());
            assertEquals(offset, e.offset());
            assertTrue(e.getMessage().contains("slot points at log position " + (COVERED + 4096)), e.getMessage());
        }
    }

    @Test
    void everyEntryIsOfferedToTheLogsCheckAndOneRefusalIsReported() throws Exception {
        try (Arena arena = Arena.ofShared()) { // the checkpoint is written on a thread of seqs' own
            Written w = writeFilled(arena, 13);
            long[] counts = w.counts();
            Path file = w.file();
            long[] offered = {0};
            CheckpointFile.Loaded all = CheckpointFile.load(file, 3, 1, 4, null, position -> {
                offered[0]++;
                return position >= SegmentDescriptor.HEADER_LENGTH && position < COVERED;
            });
            all.index().close();
            assertEquals(counts[0], offered[0], "every entry, and nothing else, is asked about");
            assertTrue(all.entriesHeld());
            // a log that lost its upper half: the checkpoint is sound but not usable with it
            CheckpointFile.Loaded beyond = CheckpointFile.load(file, 3, 1, 4, null, position -> position < COVERED / 2);
            beyond.index().close();
            assertFalse(beyond.entriesHeld());
        }
    }
}
