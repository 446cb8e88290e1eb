package io.seqs.internal.index;

import io.seqs.CorruptionException;
import io.seqs.internal.format.FilePrefix;
import io.seqs.internal.format.IdFileNames;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.fs.Failpoints;
import io.seqs.internal.fs.FileUtil;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.zip.CRC32C;

/**
 * A shard's index checkpoint: the index table as it stood when the log ended at
 * {@code coveredPosition}, so recovery loads it and replays only the records after that position.
 * All integers little-endian.
 *
 * <pre>
 *  offset        size  field
 *   0              8   magic "SEQSCKP1"
 *   8              2   format version (1)
 *  10              2   header length (64)
 *  12              4   shard index
 *  16              8   epoch
 *  24              8   covered log position
 *  32              8   table capacity in slots
 *  40              8   live keys in the table
 *  48              8   tombstones in the table
 *  56              4   shard count
 *  60              4   generation of the session that wrote it
 *  64              4   n: number of windows with space figures
 *  68              4   reserved, zero
 *  72           16*n   per window: live bytes (8), dead bytes (8)
 *  72+16n   8*capacity table slots, exactly as in memory (see HashIndex)
 *  end-16          4   CRC32C of every byte before it
 *  end-12          4   reserved, zero
 *  end-8           8   end magic "SEQSCKPE"
 * </pre>
 *
 * <p>Files are named by the covered position in 16 hex digits plus {@code .ckpt}, written to a
 * temporary name, forced, renamed into place, and the directory forced.
 */
public final class CheckpointFile {
    static final long MAGIC = 0x3150_4b43_5351_4553L; // "SEQSCKP1" as little-endian bytes
    static final long END_MAGIC = 0x4550_4b43_5351_4553L; // "SEQSCKPE"
    static final short FORMAT_VERSION = 1;

    static final int MAGIC_OFFSET = FilePrefix.MAGIC_OFFSET;
    static final int VERSION_OFFSET = FilePrefix.VERSION_OFFSET;
    static final int HEADER_LENGTH_OFFSET = FilePrefix.HEADER_LENGTH_OFFSET;
    static final int SHARD_OFFSET = 12;
    static final int EPOCH_OFFSET = 16;
    static final int COVERED_OFFSET = 24;
    static final int CAPACITY_OFFSET = 32;
    static final int LIVE_KEYS_OFFSET = 40;
    static final int TOMBSTONES_OFFSET = 48;
    static final int SHARD_COUNT_OFFSET = 56;
    static final int GENERATION_OFFSET = 60;
    static final int HEADER_LENGTH = 64;

    static final FilePrefix.Kind KIND = new FilePrefix.Kind("checkpoint", MAGIC, FORMAT_VERSION, HEADER_LENGTH);

    static {
        assert SHARD_OFFSET == FilePrefix.LENGTH;
    }

    static final int SPACE_COUNT_OFFSET = 64;
    static final int SPACE_OFFSET = 72;
    static final int SPACE_ENTRY_LENGTH = 16;
    static final int TRAILER_LENGTH = 16;
    public static final String SUFFIX = ".ckpt";

    private CheckpointFile() {}

    /** What a checkpoint holds; {@code table} is a private copy of the index slots. */
    public record Snapshot(
            long epoch,
            int shard,
            int shardCount,
            long coveredPosition,
            int generation,
            long capacity,
            long liveKeys,
            long tombstones,
            long[] liveBytes,
            long[] deadBytes,
            MemorySegment table) {}

    /** A checkpoint read back and checked; the caller owns {@code index}. */
    public record Loaded(
            Path file,
            long coveredPosition,
            int generation,
            long maxPosition,
            HashIndex index,
            long[] liveBytes,
            long[] deadBytes,
            boolean entriesHeld) {}

    static String fileName(long coveredPosition) {
        return IdFileNames.name(coveredPosition, SUFFIX);
    }

    /** Writes the checkpoint atomically; returns the bytes written. */
    public static long write(Path dir, Snapshot s) throws IOException {
        assert s.table().byteSize() == s.capacity() * HashIndex.SLOT_BYTES;
        int n = s.liveBytes().length;
        ByteBuffer head =
                ByteBuffer.allocate(SPACE_OFFSET + n * SPACE_ENTRY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        FilePrefix.write(MemorySegment.ofBuffer(head.duplicate().clear()), KIND);
        head.putInt(SHARD_OFFSET, s.shard())
                .putLong(EPOCH_OFFSET, s.epoch())
                .putLong(COVERED_OFFSET, s.coveredPosition())
                .putLong(CAPACITY_OFFSET, s.capacity())
                .putLong(LIVE_KEYS_OFFSET, s.liveKeys())
                .putLong(TOMBSTONES_OFFSET, s.tombstones())
                .putInt(SHARD_COUNT_OFFSET, s.shardCount())
                .putInt(GENERATION_OFFSET, s.generation())
                .putInt(SPACE_COUNT_OFFSET, n)
                .putInt(SPACE_COUNT_OFFSET + 4, 0);
        for (int w = 0; w < n; w++) {
            head.putLong(SPACE_OFFSET + w * SPACE_ENTRY_LENGTH, s.liveBytes()[w]);
            head.putLong(SPACE_OFFSET + w * SPACE_ENTRY_LENGTH + 8, s.deadBytes()[w]);
        }
        ByteBuffer table = s.table().asByteBuffer();
        CRC32C crc = new CRC32C();
        crc.update(head.duplicate());
        crc.update(table.duplicate());
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putInt(0, (int) crc.getValue()).putInt(4, 0).putLong(8, END_MAGIC);

        Path target = dir.resolve(fileName(s.coveredPosition()));
        Path tmp = dir.resolve(fileName(s.coveredPosition()) + ".tmp");
        long total = head.remaining() + (long) table.remaining() + trailer.remaining();
        FileUtil.uninterruptibly(() -> {
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                long tableOffset = head.remaining();
                writeFully(ch, head.duplicate(), 0);
                writeSparse(ch, s.table(), tableOffset);
                writeFully(ch, trailer.duplicate(), tableOffset + s.table().byteSize());
                assert ch.size() == total : ch.size() + " != " + total;
                Failpoints.hit("checkpoint.before-force");
                ch.force(true);
            }
            return null;
        });
        assert readsBack(tmp, head, s.table(), trailer) : "checkpoint " + tmp + " does not read back as written";
        Failpoints.hit("checkpoint.before-rename");
        FileUtil.moveAtomically(tmp, target);
        Failpoints.hit("checkpoint.before-directory-sync");
        FileUtil.fsyncDirectory(dir);
        return total;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            at += ch.write(buf, at);
        }
    }

    /**
     * Writes a table at {@code position}, skipping the chunks that are all zero: they stay holes,
     * which read back as zeros. A table pre-sized for keys that have not arrived costs its file
     * system the bytes of its entries, not of its capacity; the bytes and the CRC are the same.
     */
    private static void writeSparse(FileChannel ch, MemorySegment table, long position) throws IOException {
        long size = table.byteSize();
        long runStart = -1; // start of the current stretch of pages that hold something
        for (long off = 0; off < size; off += PAGE_BYTES) {
            boolean empty = Zeros.allZero(table, off, Math.min(size, off + PAGE_BYTES));
            if (!empty && runStart < 0) {
                runStart = off;
            } else if (empty && runStart >= 0) {
                writeFully(ch, table.asSlice(runStart, off - runStart).asByteBuffer(), position + runStart);
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            writeFully(ch, table.asSlice(runStart, size - runStart).asByteBuffer(), position + runStart);
        }
    }

    /** Whether a checkpoint file holds exactly the bytes it was written from; for assertions. */
    private static boolean readsBack(Path file, ByteBuffer head, MemorySegment table, ByteBuffer trailer)
            throws IOException {
        return FileUtil.uninterruptibly(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                    Arena arena = Arena.ofConfined()) {
                long h = head.remaining();
                long t = table.byteSize();
                if (ch.size() != h + t + trailer.remaining()) {
                    return false;
                }
                MemorySegment m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                return MemorySegment.mismatch(m, 0, h, MemorySegment.ofBuffer(head.duplicate()), 0, h) < 0
                        && MemorySegment.mismatch(m, h, h + t, table, 0, t) < 0
                        && MemorySegment.mismatch(
                                        m,
                                        h + t,
                                        ch.size(),
                                        MemorySegment.ofBuffer(trailer.duplicate()),
                                        0,
                                        trailer.remaining())
                                < 0;
            }
        });
    }

    /** The unit of holes in a checkpoint file and of untouched memory in a table read back. */
    private static final int PAGE_BYTES = 4096;

    private static final int SLOTS_PER_PAGE = PAGE_BYTES / HashIndex.SLOT_BYTES;

    /** Checkpoint files of a directory, newest (highest covered position) first. */
    public static List<Path> list(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : entries) {
                if (coveredPosition(p) >= 0) {
                    files.add(p);
                }
            }
        }
        files.sort((a, b) -> Long.compare(coveredPosition(b), coveredPosition(a)));
        return files;
    }

    static long coveredPosition(Path file) {
        return IdFileNames.parse(file.getFileName().toString(), SUFFIX);
    }

    /**
     * Reads and checks a checkpoint; every check names the file and the offset. Each entry's log
     * position is also given to {@code holdsRecord} in the same pass over the table, and
     * {@link Loaded#entriesHeld()} tells whether it held every one: a checkpoint that points
     * beyond what survives of the log is not damaged, only too new for it.
     */
    public static Loaded load(
            Path file, long epoch, int shard, int shardCount, Path scratchDir, LongPredicate holdsRecord)
            throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < SPACE_OFFSET + TRAILER_LENGTH) {
                throw new CorruptionException(
                        file, 0, "checkpoint of " + size + " bytes is shorter than its header and trailer");
            }
            ByteBuffer head = ByteBuffer.allocate(SPACE_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, ch, head, 0);
            FilePrefix.checkMagic(MemorySegment.ofBuffer(head.duplicate().clear()), file, KIND);
            FilePrefix.checkVersionAndLength(
                    MemorySegment.ofBuffer(head.duplicate().clear()), file, KIND);
            expect(file, SHARD_OFFSET, "shard", head.getInt(SHARD_OFFSET), shard);
            expect(file, EPOCH_OFFSET, "epoch", head.getLong(EPOCH_OFFSET), epoch);
            expect(file, SHARD_COUNT_OFFSET, "shard count", head.getInt(SHARD_COUNT_OFFSET), shardCount);
            long covered = head.getLong(COVERED_OFFSET);
            expect(file, COVERED_OFFSET, "covered position (from the file name)", covered, coveredPosition(file));
            long capacity = head.getLong(CAPACITY_OFFSET);
            if (capacity < HashIndex.MIN_CAPACITY || capacity > HashIndex.MAX_CAPACITY) {
                throw new CorruptionException(
                        file,
                        CAPACITY_OFFSET,
                        "table capacity " + capacity + " is outside " + HashIndex.MIN_CAPACITY + ".."
                                + HashIndex.MAX_CAPACITY);
            }
            long liveKeys = head.getLong(LIVE_KEYS_OFFSET);
            long tombstones = head.getLong(TOMBSTONES_OFFSET);
            int generation = head.getInt(GENERATION_OFFSET);
            long n = Integer.toUnsignedLong(head.getInt(SPACE_COUNT_OFFSET));
            long expectedSize =
                    SPACE_OFFSET + n * SPACE_ENTRY_LENGTH + capacity * HashIndex.SLOT_BYTES + TRAILER_LENGTH;
            if (n > (HashIndex.MAX_POSITION >>> 12) || size != expectedSize) {
                throw new CorruptionException(
                        file,
                        SPACE_COUNT_OFFSET,
                        "file is " + size + " bytes, its header says " + expectedSize + " (" + n + " space entries, "
                                + capacity + " slots)");
            }
            CRC32C crc = new CRC32C();
            crc.update(head.flip());
            ByteBuffer space =
                    ByteBuffer.allocate((int) (n * SPACE_ENTRY_LENGTH)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, ch, space, SPACE_OFFSET);
            crc.update(space.duplicate().flip());
            long[] live = new long[(int) n];
            long[] dead = new long[(int) n];
            for (int w = 0; w < n; w++) {
                live[w] = space.getLong(w * SPACE_ENTRY_LENGTH);
                dead[w] = space.getLong(w * SPACE_ENTRY_LENGTH + 8);
            }
            // The table is read a chunk at a time into the heap, checked there, and copied into a
            // lazily zeroed table only where it holds entries: an empty pre-sized table costs no memory.
            HashIndex index = HashIndex.withCapacity(capacity, scratchDir);
            try {
                long tableOffset = SPACE_OFFSET + n * SPACE_ENTRY_LENGTH;
                TableCounts counted = readTable(file, ch, crc, tableOffset, capacity, covered, index, holdsRecord);
                ByteBuffer trailer = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                long trailerOffset = size - TRAILER_LENGTH;
                readFully(file, ch, trailer, trailerOffset);
                expect(file, trailerOffset + 8, "end magic", trailer.getLong(8), END_MAGIC);
                expect(file, trailerOffset, "CRC32C", trailer.getInt(0), (int) crc.getValue());
                expect(file, LIVE_KEYS_OFFSET, "live keys (counted in the table)", liveKeys, counted.entries());
                expect(file, TOMBSTONES_OFFSET, "tombstones (counted in the table)", tombstones, counted.tombstones());
                index.size = counted.entries();
                index.tombstones = counted.tombstones();
                return new Loaded(file, covered, generation, counted.maxPosition(), index, live, dead, counted.held());
            } catch (IOException | RuntimeException e) {
                index.close();
                throw e;
            }
        }
    }

    /** What {@link #readTable} counted in a checkpoint's table. */
    private record TableCounts(long entries, long tombstones, long maxPosition, boolean held) {}

    /**
     * Reads a checkpoint's table from {@code tableOffset} into {@code index}, a chunk at a time
     * through the heap, adding its bytes to {@code crc} and checking that every entry points
     * inside the log the checkpoint covers and asking {@code holdsRecord} about it.
     */
    private static TableCounts readTable(
            Path file,
            FileChannel ch,
            CRC32C crc,
            long tableOffset,
            long capacity,
            long covered,
            HashIndex index,
            LongPredicate holdsRecord)
            throws IOException {
        boolean held = true;
        long entries = 0;
        long tombs = 0;
        long maxPosition = 0;
        ByteBuffer bytes =
                ByteBuffer.allocate(HashIndex.SCAN_CHUNK * HashIndex.SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long[] chunk = new long[HashIndex.SCAN_CHUNK];
        for (long base = 0; base < capacity; base += HashIndex.SCAN_CHUNK) {
            int count = (int) Math.min(HashIndex.SCAN_CHUNK, capacity - base);
            bytes.clear().limit(count * HashIndex.SLOT_BYTES);
            readFully(file, ch, bytes, tableOffset + base * HashIndex.SLOT_BYTES);
            bytes.flip().asLongBuffer().get(0, chunk, 0, count);
            crc.update(bytes);
            for (int j = 0; j < count; j++) {
                long slot = chunk[j];
                if (slot == HashIndex.TOMBSTONE) {
                    tombs++;
                } else if (slot != HashIndex.EMPTY) {
                    long position = HashIndex.position(slot);
                    if (position < SegmentDescriptor.HEADER_LENGTH || position >= covered) {
                        throw new CorruptionException(
                                file,
                                tableOffset + (base + j) * HashIndex.SLOT_BYTES,
                                "slot points at log position " + position + ", outside "
                                        + SegmentDescriptor.HEADER_LENGTH + ".." + covered);
                    }
                    maxPosition = Math.max(maxPosition, position);
                    held = held && holdsRecord.test(position);
                    entries++;
                }
            }
            // copy page by page, leaving the pages of an empty stretch untouched
            for (int page = 0; page < count; page += SLOTS_PER_PAGE) {
                int n2 = Math.min(SLOTS_PER_PAGE, count - page);
                for (int j = page; j < page + n2; j++) {
                    if (chunk[j] != HashIndex.EMPTY) {
                        index.putSlots(base + page, chunk, page, n2);
                        break;
                    }
                }
            }
        }
        return new TableCounts(entries, tombs, maxPosition, held);
    }

    private static void expect(Path file, long offset, String field, long actual, long expected) {
        if (actual != expected) {
            throw new CorruptionException(
                    file, offset, "checkpoint " + field + " is " + actual + ", expected " + expected);
        }
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                throw new CorruptionException(file, at, "unexpected end of checkpoint file");
            }
            at += n;
        }
    }

    /**
     * The highest generation recorded in the headers of the checkpoints under {@code root}
     * (unsigned), 0 when none has a readable header. Used when the manifest must be rebuilt.
     */
    public static long maxGeneration(Path root) throws IOException {
        long max = 0;
        if (!Files.isDirectory(root)) {
            return max;
        }
        try (var walk = Files.walk(root, 2)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (coveredPosition(p) < 0) {
                    continue;
                }
                try {
                    ByteBuffer head = FileUtil.uninterruptibly(() -> {
                        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                            while (b.hasRemaining() && ch.read(b) >= 0) {
                                // fill, or stop at the end of a short file
                            }
                        }
                        return b;
                    });
                    if (!head.hasRemaining() && head.getLong(MAGIC_OFFSET) == MAGIC) {
                        max = Math.max(max, Integer.toUnsignedLong(head.getInt(GENERATION_OFFSET)));
                    }
                } catch (IOException e) {
                    // unreadable: it cannot raise the bound
                }
            }
        }
        return max;
    }

    /** Keeps the {@code keep} newest checkpoints and deletes the rest. */
    public static void deleteAllBut(Path dir, int keep) throws IOException {
        List<Path> files = list(dir);
        for (int i = keep; i < files.size(); i++) {
            Files.deleteIfExists(files.get(i));
        }
    }

    /** Deletes checkpoints that cover more log than exists (the log was cut at recovery). */
    public static void deleteNewerThan(Path dir, long position) throws IOException {
        for (Path p : list(dir)) {
            if (coveredPosition(p) > position) {
                Files.deleteIfExists(p);
            }
        }
    }
}
