package io.seqs.internal.store;

import static io.seqs.internal.format.RecordDescriptor.HEADER_LENGTH;

import io.seqs.CapacityExceededException;
import io.seqs.SeqsException;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.fs.Failpoints;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.index.HashIndex;
import io.seqs.internal.log.Segment;
import io.seqs.internal.log.SegmentSpace;
import io.seqs.internal.log.SegmentTable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The append end of one shard's log: where the next record goes, the segment it goes in, and the
 * file-system space reserved ahead of it. It rolls to a new segment file when a record does not
 * fit, reserves space a chunk at a time before anything is written there (a write into a block
 * the file system cannot allocate would be a SIGBUS), and writes a record's header, key, value
 * and CRC32C into the mapping.
 *
 * <p>Every method but {@link #unwrittenBytes()} runs under the shard's lock; the shard publishes
 * a record to readers (through its index) only after {@link #write} returned and moves the tail
 * with {@link #advance}.
 */
public final class LogWriter {
    private static final long PAGE = 4096;
    /** Largest step by which a segment's reserved space grows. */
    public static final long RESERVE_MAX_BYTES = 64L << 20;
    /** Smallest step for large segments; smaller segments grow by an eighth of themselves. */
    static final long RESERVE_MIN_BYTES = 1L << 20;

    /** Records up to this long (header included) are assembled on the heap; longer ones are written in place. */
    static final int STAGED_RECORD_BYTES = 1024;

    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(LogWriter.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Shard shard;
    private final Path dir;
    private final long windowSize;
    private final int generation;
    private final SegmentTable segments;
    private final SegmentSpace space;
    private final SpaceLedger ledger;
    private final long freeSpaceMargin;
    private final ShardCounters counters;

    /** Written under the lock; read without it only by {@link #unwrittenBytes()}. */
    private volatile Segment active;

    private ByteBuffer activeBuffer;
    /** Log position after the last record written; read without the lock only by {@link #unwrittenBytes()}. */
    private long tail;
    /**
     * Log position up to which the active segment's file-system space is reserved; records are
     * written only below it. Read without the lock by {@link #unwrittenBytes()}.
     */
    private volatile long reservedEnd;
    /** Set when the active segment was written by an older format version: the next record rolls. */
    private boolean sealed;
    /** Whether the shard's log directory exists; it is created by the first roll. */
    private boolean logDirectoryExists;
    /** Set when a segment file was created and the log directory is not yet forced. */
    private boolean directoryDirty;
    /** Set when the log directory was created and its entry in the epoch directory is not yet forced. */
    private boolean epochDirectoryDirty;

    private final byte[] header = new byte[HEADER_LENGTH];
    /** Where a record of up to {@link #STAGED_RECORD_BYTES} is assembled before it is copied into the mapping. */
    private final byte[] staging = new byte[STAGED_RECORD_BYTES];

    private final CRC32C crc = new CRC32C();

    LogWriter(
            Shard shard,
            SegmentTable segments,
            SegmentSpace space,
            SpaceLedger ledger,
            Config config,
            ShardCounters counters) {
        this.shard = shard;
        this.dir = shard.dir;
        this.windowSize = shard.windowSize;
        this.generation = shard.generation;
        this.segments = segments;
        this.space = space;
        this.ledger = ledger;
        this.freeSpaceMargin = config.freeSpaceMarginBytes();
        this.counters = counters;
    }

    /** The smallest reservation step in a segment of {@code length} bytes: 1 MiB, or an eighth of a smaller segment. */
    static long reserveStep(long length) {
        return Math.max(PAGE, Math.min(RESERVE_MIN_BYTES, length / 8 / PAGE * PAGE));
    }

    /**
     * Takes over the log recovery left: appends go on after {@code end} in the last segment. The
     * log directory and its files may have been created by a session that was killed before it
     * forced their directories, even when no segment survived: the first flush forces both, the
     * log directory's entry too, whatever this session creates.
     */
    void resume(boolean logDirectoryExists, long end) {
        this.logDirectoryExists = logDirectoryExists;
        directoryDirty = logDirectoryExists;
        epochDirectoryDirty = logDirectoryExists;
        if (segments.isEmpty()) {
            assert end == 0 : end;
            return;
        }
        assert logDirectoryExists : dir + " holds segments";
        active = segments.last();
        activeBuffer = active.map.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        tail = end;
        reservedEnd = end; // what lies beyond may be a hole: reserve again before writing there
        // A segment of an older format version takes no records of this one: the next write rolls.
        sealed = SegmentDescriptor.version(active.map) < SegmentDescriptor.FORMAT_VERSION;
    }

    /** Log position after the last record written. */
    long tail() {
        return tail;
    }

    /** The segment records are appended to, or null before the first. */
    Segment active() {
        return active;
    }

    /** Moves the tail past a record just written and published. */
    void advance(long newTail) {
        assert newTail > tail && newTail <= reservedEnd : tail + " -> " + newTail + ", reserved " + reservedEnd;
        tail = newTail;
    }

    /**
     * Returns the log position for a record of {@code length} bytes, rolling to a new segment if
     * needed and reserving file-system space for it first.
     */
    long reserve(long length) {
        if (active == null || sealed || tail + length > active.limit()) {
            roll(length);
        }
        if (tail + length > reservedEnd) {
            extendReservation(tail + length);
        }
        assert tail + length <= reservedEnd && reservedEnd <= active.limit()
                : tail + " + " + length + " > " + reservedEnd;
        return tail;
    }

    /**
     * Reserves space in the active segment up to at least {@code end}, and a chunk beyond it that
     * grows with what the segment already holds, from {@link #reserveStep} to
     * {@link #RESERVE_MAX_BYTES}: a store's allocated space follows its data, plus at most one
     * chunk per shard, whatever the segment size.
     */
    private void extendReservation(long end) {
        Segment seg = active;
        long from = Math.max(reservedEnd, seg.base);
        long chunk = Math.clamp(from - seg.base, reserveStep(seg.length), RESERVE_MAX_BYTES);
        long to = Math.min(seg.limit(), (end + chunk + PAGE - 1) / PAGE * PAGE);
        FileUtil.reserve(seg.path, from - seg.base, to - seg.base, freeSpaceMargin + promisedElsewhere());
        Failpoints.hit("segment.after-reserve");
        reservedEnd = to;
        prefault(seg, from - seg.base, to - seg.base);
    }

    /**
     * Space other shards were promised but have not written yet is spoken for as well: their
     * files are sparse unless blocks were allocated natively.
     */
    private long promisedElsewhere() {
        return FileUtil.canAllocate() ? 0 : ledger.unwrittenBytesExcept(shard);
    }

    /** Pages faulted in by one call of the prefault task, between its visits to the read gate. */
    private static final long PREFAULT_STEP = 2L << 20;

    /**
     * Faults {@code [from, to)} of the segment in writable on an I/O thread, ahead of the writer
     * (Linux, native access): the first write to each page would otherwise take a page fault
     * while holding the shard's lock. Measured in {@code docs/design.md}, "Space".
     */
    private void prefault(Segment seg, long from, long to) {
        if (!FileUtil.canAdvise()) {
            return;
        }
        long start = from & -PAGE; // madvise takes page-aligned ranges
        io.seqs.internal.fs.IoThreads.pool().execute(() -> {
            for (long at = start; at < to; at += PREFAULT_STEP) {
                if (!shard.populate(seg, at, Math.min(PREFAULT_STEP, to - at))) {
                    return;
                }
            }
        });
    }

    /**
     * Writes a record at {@code position}, which {@link #reserve} returned, with its CRC32C.
     * {@code value} is the value as stored: compressed when {@code flags} say so.
     */
    void write(
            long position,
            byte type,
            byte flags,
            MemorySegment key,
            MemorySegment value,
            int keyLength,
            int valueLength) {
        Segment seg = active;
        MemorySegment map = seg.map;
        long offset = position - seg.base;
        int length = HEADER_LENGTH + keyLength + valueLength;
        crc.reset();
        if (length <= staging.length) {
            // Assembled and checksummed on the heap, then copied in once: a buffer view of the
            // shared mapping would acquire and release the mapping's session for every record.
            RecordDescriptor.encodeHeader(staging, keyLength, type, flags, valueLength, generation);
            MemorySegment.copy(key, ValueLayout.JAVA_BYTE, 0, staging, HEADER_LENGTH, keyLength);
            MemorySegment.copy(value, ValueLayout.JAVA_BYTE, 0, staging, HEADER_LENGTH + keyLength, valueLength);
            crc.update(staging, RecordDescriptor.KEY_LENGTH_OFFSET, length - RecordDescriptor.KEY_LENGTH_OFFSET);
            MemorySegment.copy(staging, 0, map, ValueLayout.JAVA_BYTE, offset, length);
        } else {
            RecordDescriptor.encodeHeader(header, keyLength, type, flags, valueLength, generation);
            MemorySegment.copy(header, 0, map, ValueLayout.JAVA_BYTE, offset, HEADER_LENGTH);
            MemorySegment.copy(key, 0, map, offset + HEADER_LENGTH, keyLength);
            MemorySegment.copy(value, 0, map, offset + HEADER_LENGTH + keyLength, valueLength);
            ByteBuffer view = activeBuffer;
            view.limit((int) (offset + length));
            view.position((int) (offset + RecordDescriptor.KEY_LENGTH_OFFSET));
            crc.update(view);
        }
        map.set(RecordDescriptor.INT, offset + RecordDescriptor.CRC_OFFSET, (int) crc.getValue());
        assert readsBack(seg, offset, type, key, keyLength, valueLength)
                : "record at " + offset + " of " + seg.path + " does not read back";
    }

    /** Whether the record just written passes the checks recovery makes and holds what was written; for assertions. */
    private boolean readsBack(Segment seg, long offset, byte type, MemorySegment key, int keyLength, int valueLength) {
        String bad = RecordDescriptor.check(seg.map, offset, seg.length, generation, generation);
        assert bad == null : bad;
        long keyOffset = RecordDescriptor.keyOffset(offset);
        return RecordDescriptor.type(seg.map, offset) == type
                && RecordDescriptor.keyLength(seg.map, offset) == keyLength
                && RecordDescriptor.storedLength(seg.map, offset) == valueLength
                && MemorySegment.mismatch(seg.map, keyOffset, keyOffset + keyLength, key, 0, keyLength) < 0;
    }

    /** Opens the next segment file, big enough for a record of {@code recordLength} bytes. */
    private void roll(long recordLength) {
        long id = active == null ? 0 : active.nextId();
        long needed = SegmentDescriptor.HEADER_LENGTH + recordLength;
        long length = Math.max(windowSize, (needed + PAGE - 1) / PAGE * PAGE);
        int windowCount = (int) ((length + windowSize - 1) / windowSize);
        long base = id * windowSize;
        if (base + length > HashIndex.MAX_POSITION) {
            throw new CapacityExceededException("shard " + dir + " has filled its log address space of "
                    + HashIndex.MAX_POSITION + " bytes in this epoch; reset the epoch or use more shards");
        }
        Path file = dir.resolve(SegmentDescriptor.fileName(id));
        if (!logDirectoryExists) {
            createDirectory(dir);
            logDirectoryExists = true;
            epochDirectoryDirty = true;
        }
        FileUtil.createSparse(file, length);
        // Space for the header and the first record before anything is mapped: a failure here
        // leaves no file behind and the shard as it was.
        long firstReservation = Math.min(length, (needed + reserveStep(length) + PAGE - 1) / PAGE * PAGE);
        Arena mapping = Arena.ofShared();
        MemorySegment map = reserveAndMap(file, firstReservation, length, mapping);
        FileUtil.adviseRandomAccess(map);
        SegmentDescriptor.write(
                map,
                new SegmentDescriptor.Header(
                        shard.index, shard.epoch, shard.shardCount, windowCount, id, windowSize, tail, length));
        Failpoints.hit("segment.after-create");
        Segment seg = new Segment(file, map, mapping, id, windowCount, base);
        install(seg);
        active = seg;
        sealed = false;
        activeBuffer = map.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        tail = base + SegmentDescriptor.HEADER_LENGTH;
        reservedEnd = base + firstReservation;
        prefault(seg, 0, firstReservation);
        directoryDirty = true;
        counters.physicalBytes += SegmentDescriptor.HEADER_LENGTH;
    }

    /** Reserves the first {@code reservation} bytes of a new file and maps it; on failure the file is gone. */
    private MemorySegment reserveAndMap(Path file, long reservation, long length, Arena mapping) {
        try {
            FileUtil.reserve(file, 0, reservation, freeSpaceMargin + promisedElsewhere());
            return FileUtil.uninterruptibly(() -> {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    return ch.map(FileChannel.MapMode.READ_WRITE, 0, length, mapping);
                }
            });
        } catch (IOException e) {
            mapping.close();
            deleteQuietly(file, e);
            throw new SeqsException("cannot map segment " + file, e);
        } catch (RuntimeException e) {
            mapping.close();
            deleteQuietly(file, e);
            throw e;
        }
    }

    private static void deleteQuietly(Path file, Exception failure) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    /** Creates a directory (its parent exists). */
    static void createDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new SeqsException("cannot create shard directory " + directory, e);
        }
    }

    /** Makes a segment reachable by readers, with room for its space figures. */
    void install(Segment seg) {
        space.ensureWindows(seg.nextId());
        segments.install(seg);
    }

    /**
     * The directories a flush must force for the files created since the last one, and forgets
     * them: {whether the log directory, whether the epoch directory (the log directory's entry)}.
     */
    boolean[] takeDirtyDirectories() {
        boolean[] dirty = {directoryDirty, epochDirectoryDirty};
        directoryDirty = false;
        epochDirectoryDirty = false;
        return dirty;
    }

    /** Bytes reserved in the active segment but not yet written; a racy estimate for space accounting. */
    long unwrittenBytes() {
        Segment seg = active;
        if (seg == null) {
            return 0;
        }
        return Math.max(0, reservedEnd - (long) TAIL.getOpaque(this));
    }
}
