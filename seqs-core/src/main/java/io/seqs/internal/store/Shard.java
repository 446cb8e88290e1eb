package io.seqs.internal.store;

import static io.seqs.internal.format.RecordDescriptor.HEADER_LENGTH;

import io.seqs.CapacityExceededException;
import io.seqs.CorruptionException;
import io.seqs.SeqsException;
import io.seqs.internal.format.Checksums;
import io.seqs.internal.format.Keys;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.fs.Failpoints;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.index.CheckpointFile;
import io.seqs.internal.index.HashIndex;
import io.seqs.internal.index.Zeros;
import io.seqs.internal.log.PositionList;
import io.seqs.internal.log.Segment;
import io.seqs.internal.log.SegmentSpace;
import io.seqs.internal.log.SegmentTable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * One shard of one epoch: an append-only log of mapped segment files and the hash index that
 * points at the latest record of every live key.
 *
 * <p>Writers serialize on {@link #lock}: they append a record past the tail, then publish it
 * with one release store into the index. Readers take no lock: they acquire an index slot, read
 * the record it points to (records below the tail never change) and verify key and checksum.
 * Readers announce themselves in the store's {@link ReadGate}; memory they may be reading (an
 * index table replaced by a rebuild, the mappings of a shard released at a reset or close) is
 * freed only after every such reader has left it.
 */
public final class Shard implements HashIndex.RecordKeys {
    private static final System.Logger LOG = System.getLogger("io.seqs");
    private static final long PAGE = 4096;

    /** Thrown to a caller whose shard was retired (reset or close) while it waited or read. */
    public static final class Retired extends RuntimeException {
        static final Retired INSTANCE = new Retired();

        private Retired() {
            super("shard retired", null, false, false);
        }
    }

    public final int index;
    final long epoch;
    final int shardCount;
    final long windowSize;
    final int generation;
    final Path dir;
    final Path checkpointDir;
    private final Config config;
    private final SpaceLedger ledger;

    private final Arena arena = Arena.ofShared();
    /** Shared by every shard of the store: memory a reader may be in is released only after it left. */
    private final ReadGate gate;

    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock syncLock = new ReentrantLock();
    /** One checkpoint of a shard at a time (the maintenance thread and callers may race). */
    private final ReentrantLock checkpointLock = new ReentrantLock();

    private volatile HashIndex table;
    private volatile boolean retired;
    /** Set once the mappings are released; nothing may touch them after. */
    private volatile boolean released;
    /** Log position up to which every record has been forced to stable storage. */
    private volatile long durable;

    // ---- writer state, guarded by lock ----
    /** The log's segments and the window table readers find them by. */
    private final SegmentTable segments;
    /** Written under the lock; read without it only by {@link #unwrittenBytes()}. */
    private volatile Segment active;

    private ByteBuffer activeBuffer;
    private long tail;
    /**
     * Log position up to which the active segment's file-system space is reserved; records are
     * written only below it. Read without the lock by {@link #unwrittenBytes()}.
     */
    private volatile long reservedEnd;

    private final SegmentSpace space = new SegmentSpace();
    private boolean directoryDirty;
    /** Whether the shard's log directory exists; it is created by the first roll. Under the lock. */
    private boolean logDirectoryExists;
    /**
     * Set when the log directory was created and its entry in the epoch directory is not yet forced. Under the lock.
     */
    private boolean epochDirectoryDirty;

    private final byte[] header = new byte[HEADER_LENGTH];
    private final CRC32C writeCrc = new CRC32C();
    private long lastCheckpointPosition = -1;

    /** Running totals; lock-guarded fields under {@link #lock}. */
    private final ShardCounters counters;

    private ShardRecovery.Report recovery;

    // ---- a whole-shard scan in progress (forEachLive), guarded by lock ----
    /** One scan of a shard at a time; held by the scanning thread for the whole scan. */
    private final ReentrantLock scanLock = new ReentrantLock();

    private boolean scanning;
    /** Log position up to which the scan has looked at every record. */
    private long scanCursor;
    /** Records appended during the scan for keys it had already visited: it skips them. */
    private final PositionList scanSkip = new PositionList();
    /** Keys the scan visited and writers then deleted: written again, they are not visited twice. */
    private final java.util.Set<ByteBuffer> scanDeletedKeys = new java.util.HashSet<>();

    private Shard(
            Config config,
            Path epochDir,
            Path epochCheckpointDir,
            long epoch,
            int index,
            int shardCount,
            long windowSize,
            int generation,
            SpaceLedger ledger,
            ShardCounters counters,
            ReadGate gate) {
        this.config = config;
        this.gate = gate;
        this.counters = counters;
        this.ledger = ledger;
        this.index = index;
        this.epoch = epoch;
        this.shardCount = shardCount;
        this.windowSize = windowSize;
        this.generation = generation;
        this.dir = epochDir.resolve(dirName(index));
        this.checkpointDir = epochCheckpointDir.resolve(dirName(index));
        this.segments = new SegmentTable(dir, windowSize);
    }

    static String dirName(int shard) {
        return String.format("shard-%04d", shard);
    }

    /** Opens a shard's log, loading its newest usable checkpoint and replaying the tail after it. */
    static Shard open(
            Config config,
            Path epochDir,
            Path epochCheckpointDir,
            long epoch,
            int index,
            int shardCount,
            long windowSize,
            int generation,
            SpaceLedger ledger,
            ShardCounters counters,
            ReadGate gate) {
        Shard shard = new Shard(
                config,
                epochDir,
                epochCheckpointDir,
                epoch,
                index,
                shardCount,
                windowSize,
                generation,
                ledger,
                counters,
                gate);
        try {
            shard.recover();
        } catch (IOException e) {
            shard.arena.close();
            throw new SeqsException("cannot open shard " + shard.dir, e);
        } catch (RuntimeException | Error e) {
            shard.arena.close();
            throw e;
        }
        return shard;
    }

    // ================================================================== writes

    private void lockForWrite() {
        if (!lock.tryLock()) {
            long start = System.nanoTime();
            lock.lock();
            counters.lockWaitNanos += System.nanoTime() - start;
            counters.lockWaits++;
        }
        if (retired) {
            lock.unlock();
            throw Retired.INSTANCE;
        }
    }

    /** Appends a put and publishes it; returns the log position just past the record. */
    public long put(long hash, MemorySegment key, MemorySegment value) {
        int keyLength = (int) key.byteSize();
        int valueLength = (int) value.byteSize();
        long length = RecordDescriptor.recordLength(keyLength, valueLength);
        lockForWrite();
        long sampleStart = (counters.puts & ShardCounters.WRITE_SAMPLE_MASK) == 0 ? System.nanoTime() : 0;
        try {
            long position = reserve(length);
            writeRecord(position, RecordDescriptor.TYPE_PUT, key, value, keyLength, valueLength);
            applyPut(hash, key, position, length);
            if (sampleStart != 0) {
                counters.writeSamples++;
                counters.writeSampleNanos += System.nanoTime() - sampleStart;
            }
            counters.puts++;
            counters.logicalBytes += keyLength + (long) valueLength;
            counters.physicalBytes += length;
            tail = position + length;
            return tail;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends a delete record when the key is live and removes it from the index.
     *
     * @return the log position just past the delete record, or -1 when the key was absent
     */
    public long delete(long hash, MemorySegment key) {
        int keyLength = (int) key.byteSize();
        long length = RecordDescriptor.recordLength(keyLength, 0);
        lockForWrite();
        try {
            HashIndex idx = table;
            long slotIndex = idx.findForDelete(hash, key, this);
            if (slotIndex < 0) {
                return -1;
            }
            long position = reserve(length);
            writeRecord(position, RecordDescriptor.TYPE_DELETE, key, MemorySegment.NULL, keyLength, 0);
            long removed = idx.remove(slotIndex);
            if (scanning && passedByScan(HashIndex.position(removed))) {
                scanDeletedKeys.add(
                        ByteBuffer.wrap(key.toArray(ValueLayout.JAVA_BYTE))); // visited in this life already
            }
            accountDeleted(removed, position, length);
            counters.deletes++;
            counters.logicalBytes += keyLength;
            counters.physicalBytes += length;
            tail = position + length;
            return tail;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the log position for a record of {@code length} bytes, rolling to a new segment if
     * needed and reserving file-system space for it first.
     */
    private long reserve(long length) {
        if (active == null || tail + length > active.limit()) {
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
        // Space other shards were promised but have not written yet is spoken for as well (their
        // files are sparse unless blocks were allocated natively).
        long promised = FileUtil.canAllocate() ? 0 : ledger.unwrittenBytesExcept(this);
        FileUtil.reserve(seg.path, from - seg.base, to - seg.base, config.freeSpaceMarginBytes() + promised);
        Failpoints.hit("segment.after-reserve");
        reservedEnd = to;
    }

    /** Largest step by which a segment's reserved space grows. */
    public static final long RESERVE_MAX_BYTES = 64L << 20;
    /** Smallest step for large segments; smaller segments grow by an eighth of themselves. */
    static final long RESERVE_MIN_BYTES = 1L << 20;

    /** The smallest reservation step in a segment of {@code length} bytes: 1 MiB, or an eighth of a smaller segment. */
    static long reserveStep(long length) {
        return Math.max(PAGE, Math.min(RESERVE_MIN_BYTES, length / 8 / PAGE * PAGE));
    }

    private void writeRecord(
            long position, byte type, MemorySegment key, MemorySegment value, int keyLength, int valueLength) {
        Segment seg = active;
        MemorySegment map = seg.map;
        long offset = position - seg.base;
        RecordDescriptor.encodeHeader(header, keyLength, type, valueLength, generation);
        MemorySegment.copy(header, 0, map, ValueLayout.JAVA_BYTE, offset, HEADER_LENGTH);
        MemorySegment.copy(key, 0, map, offset + HEADER_LENGTH, keyLength);
        if (valueLength > 0) {
            MemorySegment.copy(value, 0, map, offset + HEADER_LENGTH + keyLength, valueLength);
        }
        ByteBuffer view = activeBuffer;
        view.limit((int) (offset + HEADER_LENGTH + keyLength + valueLength));
        view.position((int) (offset + RecordDescriptor.KEY_LENGTH_OFFSET));
        writeCrc.reset();
        writeCrc.update(view);
        map.set(RecordDescriptor.INT, offset + RecordDescriptor.CRC_OFFSET, (int) writeCrc.getValue());
        assert readsBack(seg, offset, type, key, keyLength, valueLength)
                : "record at " + offset + " of " + seg.path + " does not read back";
    }

    /** Whether the record just written passes the checks recovery makes and holds what was written; for assertions. */
    private boolean readsBack(Segment seg, long offset, byte type, MemorySegment key, int keyLength, int valueLength) {
        String bad = RecordDescriptor.check(seg.map, offset, seg.length, generation, generation);
        assert bad == null : bad;
        return RecordDescriptor.type(seg.map, offset) == type
                && RecordDescriptor.keyLength(seg.map, offset) == keyLength
                && RecordDescriptor.storedLength(seg.map, offset) == valueLength
                && MemorySegment.mismatch(
                                seg.map,
                                RecordDescriptor.keyOffset(offset),
                                RecordDescriptor.keyOffset(offset) + keyLength,
                                key,
                                0,
                                keyLength)
                        < 0;
    }

    /** Points the key at the record at {@code position} and accounts live and dead bytes. */
    private void applyPut(long hash, MemorySegment key, long position, long length) {
        HashIndex idx = table;
        if (idx.needsRebuild()) {
            idx = rebuild(idx);
        }
        long fresh = HashIndex.slot(hash, position);
        long slotIndex = idx.findForPut(hash, key, this);
        if (slotIndex < 0) {
            idx.insert(slotIndex, fresh);
            if (scanning
                    && !scanDeletedKeys.isEmpty()
                    && scanDeletedKeys.contains(ByteBuffer.wrap(key.toArray(ValueLayout.JAVA_BYTE)))) {
                scanSkip.add(position); // deleted and written again: the scan visited it in an earlier life
            }
            addLive(position, length);
            return;
        }
        long oldPosition = HashIndex.position(idx.replace(slotIndex, fresh));
        if (scanning && passedByScan(oldPosition)) {
            scanSkip.add(position); // the scan visited this key at an older record already
        }
        retireRecord(oldPosition);
        addLive(position, length);
    }

    private void accountDeleted(long oldSlot, long tombstonePosition, long tombstoneLength) {
        long oldPosition = HashIndex.position(oldSlot);
        retireRecord(oldPosition);
        addDead(tombstonePosition, tombstoneLength);
    }

    private HashIndex rebuild(HashIndex idx) {
        long start = System.nanoTime();
        HashIndex next = idx.rebuilt();
        table = next;
        // Readers that may still be probing the old table leave it before its memory goes.
        gate.awaitReaders();
        idx.close();
        counters.rebuilds++;
        counters.rebuildNanos += System.nanoTime() - start;
        return next;
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
        long promised = FileUtil.canAllocate() ? 0 : ledger.unwrittenBytesExcept(this);
        long firstReservation = Math.min(length, (needed + reserveStep(length) + PAGE - 1) / PAGE * PAGE);
        try {
            FileUtil.reserve(file, 0, firstReservation, config.freeSpaceMarginBytes() + promised);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        MemorySegment map;
        try {
            map = FileUtil.uninterruptibly(() -> {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    return ch.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
                }
            });
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new SeqsException("cannot map segment " + file, e);
        }
        FileUtil.adviseRandomAccess(map);
        SegmentDescriptor.write(
                map, new SegmentDescriptor.Header(index, epoch, shardCount, windowCount, id, windowSize, tail, length));
        Failpoints.hit("segment.after-create");
        Segment seg = new Segment(file, map, id, windowCount, base);
        install(seg);
        active = seg;
        activeBuffer = map.asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tail = base + SegmentDescriptor.HEADER_LENGTH;
        reservedEnd = base + firstReservation;
        directoryDirty = true;
        counters.physicalBytes += SegmentDescriptor.HEADER_LENGTH;
    }

    /** Makes a segment reachable by readers, with room for its space figures. */
    void install(Segment seg) {
        space.ensureWindows(seg.nextId());
        segments.install(seg);
    }

    // Live and dead bytes are kept per segment, at the index of the segment's id (its first
    // window): a segment spanning several windows has one figure, whatever window a record is in.

    private void addLive(long position, long length) {
        space.addLive(segments.at(position).id, length);
    }

    private void addDead(long position, long length) {
        space.addDead(segments.at(position).id, length);
    }

    /**
     * Moves the bytes of a record that is no longer the latest from live to dead. A record whose
     * header was damaged on disk after it was indexed cannot tell its length: when the header is
     * implausible, or claims more bytes than its segment has live, its bytes stay counted as live
     * (an overstatement of one record) rather than driving the figures below zero.
     */
    private void retireRecord(long position) {
        Segment seg = segments.at(position);
        long length = RecordDescriptor.plausibleLength(seg.map, position - seg.base, seg.length);
        if (length > 0 && length <= space.live(seg.id)) {
            space.moveLiveToDead(seg.id, length);
        }
    }

    /** Bytes reserved in the active segment but not yet written; a racy estimate for space accounting. */
    long unwrittenBytes() {
        Segment seg = active;
        if (seg == null || released) {
            return 0;
        }
        return Math.max(0, reservedEnd - (long) TAIL.getOpaque(this));
    }

    private static final java.lang.invoke.VarHandle TAIL;

    static {
        try {
            TAIL = java.lang.invoke.MethodHandles.lookup().findVarHandle(Shard.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // ================================================================== reads

    /** The latest value of the key, or null. */
    public byte[] get(long hash, MemorySegment key) {
        counters.gets.increment();
        int ticket = gate.enter();
        try {
            long position = locate(hash, key);
            if (position < 0) {
                return null;
            }
            Segment seg = segments.at(position);
            long off = position - seg.base;
            int keyLength = RecordDescriptor.keyLength(seg.map, off);
            int stored = RecordDescriptor.storedLength(seg.map, off);
            verify(seg, off, keyLength, stored);
            byte[] out = new byte[stored];
            MemorySegment.copy(
                    seg.map, ValueLayout.JAVA_BYTE, RecordDescriptor.valueOffset(off, keyLength), out, 0, stored);
            counters.getHits.increment();
            return out;
        } finally {
            gate.exit(ticket);
        }
    }

    /**
     * Copies the latest value into {@code dst} when it fits.
     *
     * @return the value's length (copied only when {@code <= dst.byteSize()}), or -1 when absent
     */
    public long get(long hash, MemorySegment key, MemorySegment dst) {
        counters.gets.increment();
        int ticket = gate.enter();
        try {
            long position = locate(hash, key);
            if (position < 0) {
                return -1;
            }
            Segment seg = segments.at(position);
            long off = position - seg.base;
            int keyLength = RecordDescriptor.keyLength(seg.map, off);
            int stored = RecordDescriptor.storedLength(seg.map, off);
            verify(seg, off, keyLength, stored);
            if (stored <= dst.byteSize()) {
                MemorySegment.copy(seg.map, RecordDescriptor.valueOffset(off, keyLength), dst, 0, stored);
            }
            counters.getHits.increment();
            return stored;
        } finally {
            gate.exit(ticket);
        }
    }

    /**
     * Checks the record a slot points at before anything is allocated or copied by its lengths:
     * the header must be plausible and the record inside its file, and with
     * {@code verifyChecksums} its CRC must match.
     */
    private void verify(Segment seg, long off, int keyLength, int stored) {
        if (RecordDescriptor.plausibleLength(seg.map, off, seg.length) < 0) {
            throw new CorruptionException(
                    seg.path,
                    off,
                    "record header (key length " + keyLength + ", stored length " + Integer.toUnsignedString(stored)
                            + ") is damaged (the file changed on disk after it was written)");
        }
        if (!config.verifyChecksums()) {
            return;
        }
        int expected = RecordDescriptor.crc(seg.map, off);
        int actual = Checksums.crc(
                seg.map,
                off + RecordDescriptor.KEY_LENGTH_OFFSET,
                RecordDescriptor.CHECKED_HEADER_LENGTH + (long) keyLength + stored);
        if (expected != actual) {
            throw new CorruptionException(
                    seg.path,
                    off,
                    "record CRC32C 0x" + Integer.toHexString(expected) + ", computed 0x" + Integer.toHexString(actual)
                            + " (the file changed on disk after it was written)");
        }
    }

    /**
     * Reader's probe, inside the read gate: the log position of the key's latest record, or -1.
     * A shard released before the reader entered the gate is not read at all. A record whose hash
     * bits match but whose key does not is normally another key; if it also fails its checksum
     * it may be this key's record with a damaged key, so "absent" becomes a
     * {@link CorruptionException} rather than a silent loss.
     */
    private long locate(long hash, MemorySegment key) {
        if (released) {
            throw Retired.INSTANCE; // its memory may be gone: the caller retries in the current epoch
        }
        long position = table.locate(hash, key, this, config.verifyChecksums());
        if (position < -1) {
            long damaged = -position - 2;
            Segment seg = segments.at(damaged);
            throw new CorruptionException(
                    seg.path,
                    damaged - seg.base,
                    "the record this key's hash leads to is damaged"
                            + " and no intact record of the key was found (the file changed on disk after it "
                            + "was written)");
        }
        return position;
    }

    /** Whether the record at a log position passes its header checks and CRC. */
    @Override
    public boolean sound(long position) {
        Segment seg = segments.at(position);
        long off = position - seg.base;
        if (RecordDescriptor.plausibleLength(seg.map, off, seg.length) < 0) {
            return false;
        }
        int keyLength = RecordDescriptor.keyLength(seg.map, off);
        int stored = RecordDescriptor.storedLength(seg.map, off);
        return RecordDescriptor.crc(seg.map, off)
                == Checksums.crc(
                        seg.map,
                        off + RecordDescriptor.KEY_LENGTH_OFFSET,
                        RecordDescriptor.CHECKED_HEADER_LENGTH + (long) keyLength + stored);
    }

    /** Whether the record at a log position holds {@code key}. */
    @Override
    public boolean keyEquals(long position, MemorySegment key) {
        Segment seg = segments.at(position);
        long off = position - seg.base;
        long keyLength = RecordDescriptor.keyLength(seg.map, off);
        if (keyLength != key.byteSize()) {
            return false;
        }
        long keyOffset = RecordDescriptor.keyOffset(off);
        if (keyOffset + keyLength > seg.length) {
            throw new CorruptionException(
                    seg.path, off, "record key of " + keyLength + " bytes runs past the end of the file");
        }
        return MemorySegment.mismatch(seg.map, keyOffset, keyOffset + keyLength, key, 0, keyLength) == -1;
    }

    // ================================================================== scans

    /** Copies a live record's key and value out of the log; runs under the shard lock and must only copy. */
    @FunctionalInterface
    public interface RecordCopier {
        void copy(MemorySegment map, long keyOffset, int keyLength, long valueOffset, int valueLength);
    }

    /**
     * Reads the shard's log in order and hands every live record to {@code copy}, then runs
     * {@code deliver} (without any lock) before going on. Every key live for the whole scan is
     * delivered exactly once, with a value it held during the scan; keys written or deleted
     * meanwhile may or may not be. Each record is looked at under the shard lock (as long as a
     * put holds it); a writer that replaces a record the scan has passed tells the scan to skip
     * the new one, which is what makes "exactly once" hold while keys are rewritten, and the scan
     * ends when it reaches the tail.
     *
     * @return false when the shard was released (reset or close) before the scan ended
     * @throws IllegalStateException when called from inside a scan of the same shard
     */
    public boolean forEachLive(RecordCopier copy, Runnable deliver) {
        if (scanLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("forEach cannot be called from inside forEach of the same store");
        }
        scanLock.lock();
        try {
            return scanLocked(copy, deliver);
        } finally {
            lock.lock();
            try {
                scanning = false;
                scanSkip.clear();
                scanDeletedKeys.clear();
            } finally {
                lock.unlock();
            }
            scanLock.unlock();
        }
    }

    private boolean scanLocked(RecordCopier copy, Runnable deliver) {
        int segmentIndex = 0;
        long position = -1;
        lock.lock();
        try {
            if (released) {
                return false;
            }
            if (segments.isEmpty()) {
                return true;
            }
            scanning = true;
            scanSkip.clear();
            scanDeletedKeys.clear();
            position = segments.get(0).base + SegmentDescriptor.HEADER_LENGTH;
            scanCursor = position;
        } finally {
            lock.unlock();
        }
        for (; ; ) {
            boolean live;
            lock.lock();
            try {
                if (released) {
                    return false;
                }
                Segment seg = segments.get(segmentIndex);
                long off = position - seg.base;
                if (position >= tail) {
                    return true;
                }
                if (off + HEADER_LENGTH > seg.length || RecordDescriptor.isEnd(seg.map, off)) {
                    // the rest of this segment was never written: the next one starts the log again
                    segmentIndex++;
                    assert segmentIndex < segments.size()
                            : "scan of " + dir + " ran past the last segment below the tail";
                    position = segments.get(segmentIndex).base + SegmentDescriptor.HEADER_LENGTH;
                    scanCursor = position;
                    continue;
                }
                int keyLength = RecordDescriptor.keyLength(seg.map, off);
                int stored = RecordDescriptor.storedLength(seg.map, off);
                long length = RecordDescriptor.recordLength(keyLength, stored);
                live = RecordDescriptor.type(seg.map, off) == RecordDescriptor.TYPE_PUT
                        && !scanSkip.contains(position)
                        && isLatest(seg, off, position, keyLength);
                if (live) {
                    copy.copy(
                            seg.map,
                            RecordDescriptor.keyOffset(off),
                            keyLength,
                            RecordDescriptor.valueOffset(off, keyLength),
                            stored);
                }
                position += length;
                scanCursor = position;
            } finally {
                lock.unlock();
            }
            if (live) {
                deliver.run();
            }
        }
    }

    /**
     * Whether the scan in progress has visited the key whose latest record is at
     * {@code position}: the scan passed that record (it was the latest when looked at, since a
     * key's latest record only moves forward), or was told to skip it (visited at an older one).
     */
    private boolean passedByScan(long position) {
        return position < scanCursor || scanSkip.holds(position);
    }

    /** Whether the index points at the record at {@code position} (under the lock). */
    private boolean isLatest(Segment seg, long off, long position, int keyLength) {
        MemorySegment key = seg.map.asSlice(RecordDescriptor.keyOffset(off), keyLength);
        long slot = table.find(Keys.hash(key, 0, keyLength), key, this);
        return slot >= 0 && HashIndex.position(table.getPlain(slot)) == position;
    }

    // ================================================================== durability

    /** Forces every record below {@code target} to stable storage; concurrent callers share one force. */
    public void syncTo(long target) {
        if (durable >= target) {
            return;
        }
        syncLock.lock();
        try {
            if (durable >= target) {
                return;
            }
            forceAll();
        } finally {
            syncLock.unlock();
        }
    }

    /** Forces everything written so far. */
    public void flush() {
        syncLock.lock();
        try {
            forceAll();
        } finally {
            syncLock.unlock();
        }
    }

    private void forceAll() {
        assert syncLock.isHeldByCurrentThread();
        long start = System.nanoTime();
        long from = durable;
        long upTo;
        boolean syncDirectory;
        boolean syncEpochDirectory;
        Segment[] win;
        lock.lock();
        try {
            if (released) {
                return;
            }
            upTo = tail;
            syncDirectory = directoryDirty;
            syncEpochDirectory = epochDirectoryDirty;
            directoryDirty = false;
            epochDirectoryDirty = false;
            win = segments.windows();
        } finally {
            lock.unlock();
        }
        if (upTo <= from && !syncDirectory) {
            return;
        }
        try {
            forceRange(win, from, upTo);
            if (syncEpochDirectory) {
                FileUtil.fsyncDirectory(dir.getParent()); // the shard directory's own entry
            }
            if (syncDirectory) {
                FileUtil.fsyncDirectory(dir);
            }
        } catch (IllegalStateException e) {
            if (released) {
                return; // the epoch was dropped meanwhile; nothing of it needs to last
            }
            throw e;
        }
        durable = Math.max(durable, upTo);
        counters.flushes.increment();
        counters.flushNanos.add(System.nanoTime() - start);
    }

    private void forceRange(Segment[] win, long from, long to) {
        if (to <= from) {
            return;
        }
        long first = from / windowSize;
        long last = Math.min(win.length - 1, (to - 1) / windowSize);
        Segment previous = null;
        for (long w = first; w <= last; w++) {
            Segment seg = win[(int) w];
            if (seg == null || seg == previous) {
                continue;
            }
            previous = seg;
            long start = Math.max(from, seg.base) - seg.base;
            long end = Math.min(to, seg.limit()) - seg.base;
            if (end > start) {
                seg.map.asSlice(start, end - start).force();
            }
        }
    }

    // ================================================================== checkpoints

    /**
     * Writes a checkpoint of this shard's index covering the log up to the current tail. The
     * index is copied under the lock (a memory copy); the log is forced and the file written
     * without it. Does nothing when nothing was written since the last checkpoint.
     *
     * @return bytes written, 0 when skipped
     */
    public long checkpoint() throws IOException {
        checkpointLock.lock();
        try {
            return checkpointLocked();
        } finally {
            checkpointLock.unlock();
        }
    }

    private long checkpointLocked() throws IOException {
        long start = System.nanoTime();
        CheckpointFile.Snapshot snapshot;
        try (Arena scratch = Arena.ofShared()) { // the file is written on a thread of seqs' own
            lock.lock();
            long locked = System.nanoTime();
            try {
                if (released || tail == lastCheckpointPosition || active == null) {
                    return 0;
                }
                HashIndex idx = table;
                MemorySegment table = FileUtil.allocateZeroed(scratch, idx.byteSize(), config.directory());
                Zeros.copyNonZero(idx.slots, table);
                int n = (int) (active.nextId());
                snapshot = new CheckpointFile.Snapshot(
                        epoch,
                        index,
                        shardCount,
                        tail,
                        generation,
                        idx.capacity,
                        idx.size,
                        idx.tombstones,
                        space.liveCopy(n),
                        space.deadCopy(n),
                        table);
                long held = System.nanoTime() - locked;
                counters.checkpointLockNanos += held;
                counters.checkpointLockNanosMax = Math.max(counters.checkpointLockNanosMax, held);
            } finally {
                lock.unlock();
            }
            syncTo(snapshot.coveredPosition());
            Failpoints.hit("checkpoint.after-log-sync");
            if (!Files.isDirectory(checkpointDir)) {
                createDirectory(checkpointDir);
                FileUtil.fsyncDirectory(checkpointDir.getParent());
            }
            long bytes = CheckpointFile.write(checkpointDir, snapshot);
            Failpoints.hit("checkpoint.before-prune");
            CheckpointFile.deleteAllBut(checkpointDir, 2);
            lock.lock();
            try {
                lastCheckpointPosition = snapshot.coveredPosition();
                counters.checkpoints++;
                counters.checkpointBytes += bytes;
                counters.physicalBytes += bytes;
                counters.checkpointNanos += System.nanoTime() - start;
            } finally {
                lock.unlock();
            }
            return bytes;
        }
    }

    // ================================================================== recovery

    private void recover() throws IOException {
        logDirectoryExists = Files.isDirectory(dir);
        ShardRecovery.Result result = new ShardRecovery(this).run();
        if (!segments.isEmpty()) {
            // The files may have been created by a session that was killed before it forced
            // their directory: the first flush forces it, whatever this session creates.
            directoryDirty = true;
            epochDirectoryDirty = true;
            active = segments.last();
            activeBuffer = active.map.asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            tail = result.end();
            reservedEnd = result.end(); // what lies beyond may be a hole: reserve again before writing there
        }
        assert tail == result.end() : tail + " vs " + result.end();
        long checkpointed = result.report().fromCheckpoint() ? result.report().checkpointPosition() : -1;
        durable = Math.max(0, checkpointed);
        lastCheckpointPosition = result.report().replayedRecords() == 0 ? checkpointed : -1;
        recovery = result.report();
    }

    /** Makes an index loaded or created by recovery the shard's. */
    void useIndex(HashIndex idx) {
        table = idx;
    }

    /** The shard's segment table, which recovery fills. */
    SegmentTable segmentTable() {
        return segments;
    }

    /** The shard's live and dead bytes per segment, which recovery loads or rebuilds. */
    SegmentSpace space() {
        return space;
    }

    /** The memory scope recovery maps the shard's segment files in. */
    Arena arena() {
        return arena;
    }

    Config config() {
        return config;
    }

    /** Applies the sound record at {@code off} to the index; returns its length. */
    long replayRecord(Segment seg, long off) {
        int keyLength = RecordDescriptor.keyLength(seg.map, off);
        int stored = RecordDescriptor.storedLength(seg.map, off);
        long length = RecordDescriptor.recordLength(keyLength, stored);
        long position = seg.base + off;
        MemorySegment key = seg.map.asSlice(RecordDescriptor.keyOffset(off), keyLength);
        long hash = Keys.hash(key, 0, keyLength);
        if (RecordDescriptor.type(seg.map, off) == RecordDescriptor.TYPE_PUT) {
            applyPut(hash, key, position, length);
        } else {
            HashIndex idx = table;
            long slotIndex = idx.findForDelete(hash, key, this);
            if (slotIndex >= 0) {
                accountDeleted(idx.remove(slotIndex), position, length);
            } else {
                addDead(position, length);
            }
        }
        return length;
    }

    /** Creates a shard's directory (the epoch's directory exists). */
    private static void createDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new SeqsException("cannot create shard directory " + directory, e);
        }
    }

    // ================================================================== lifecycle and stats

    /**
     * Stops the shard: no write gets in after this returns, and readers fail over. With
     * {@code persist}, the log is forced and a checkpoint written first.
     */
    public void retire(boolean persist) {
        lock.lock();
        try {
            retired = true;
        } finally {
            lock.unlock();
        }
        if (persist) {
            flush();
            try {
                checkpoint();
            } catch (IOException e) {
                throw new SeqsException("checkpoint of shard " + dir + " failed", e);
            }
        }
    }

    /** Undoes {@link #retire(boolean)} when a reset could not commit. */
    public void unretire() {
        lock.lock();
        try {
            assert !released;
            retired = false;
        } finally {
            lock.unlock();
        }
    }

    ShardCounters counters() {
        return counters;
    }

    boolean isRetired() {
        return retired;
    }

    /** Releases the mappings and the index memory. Call after {@link #retire}. */
    public void release() {
        assert retired;
        // A checkpoint in progress finishes first: it must not force a closed mapping or write a
        // file into a directory that is about to be deleted.
        checkpointLock.lock();
        try {
            releaseLocked();
        } finally {
            checkpointLock.unlock();
        }
    }

    private void releaseLocked() {
        syncLock.lock();
        try {
            lock.lock();
            try {
                if (released) {
                    return;
                }
                released = true;
                // No reader enters the shard's memory after seeing it released; wait out those inside.
                gate.awaitReaders();
                arena.close();
                HashIndex idx = table;
                if (idx != null && idx.slots.scope().isAlive()) {
                    idx.close();
                }
            } finally {
                lock.unlock();
            }
        } finally {
            syncLock.unlock();
        }
    }

    public ShardFigures stats() {
        lock.lock();
        try {
            HashIndex idx = table;
            int n = active == null ? 0 : (int) active.nextId();
            long live = space.totalLive(n);
            long dead = space.totalDead(n);
            ShardRecovery.Report r = recovery;
            ShardCounters c = counters;
            return new ShardFigures(
                    index,
                    idx.size,
                    idx.capacity,
                    idx.byteSize(),
                    idx.tombstones,
                    segments.size(),
                    c.puts,
                    c.deletes,
                    c.gets.sum(),
                    c.getHits.sum(),
                    c.logicalBytes,
                    c.physicalBytes,
                    live,
                    dead,
                    tail,
                    durable,
                    c.lockWaits,
                    c.lockWaitNanos,
                    c.writeNanosEstimate(),
                    c.rebuilds,
                    c.rebuildNanos,
                    c.flushes.sum(),
                    c.flushNanos.sum(),
                    c.checkpoints,
                    c.checkpointNanos,
                    c.checkpointBytes,
                    c.checkpointLockNanosMax,
                    r.fromCheckpoint(),
                    r.replayedRecords(),
                    r.droppedRecords(),
                    r.droppedBytes(),
                    r.droppedSegments(),
                    r.nanos());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Live and dead bytes per segment recounted from the records themselves: a record is live
     * when the index points at it. {id, live, dead} per segment, as {@link #segmentSpace()}; for
     * checks of the running figures.
     */
    public long[][] recountSegmentSpace() {
        lock.lock();
        try {
            long[][] out = new long[segments.size()][];
            for (int i = 0; i < segments.size(); i++) {
                Segment seg = segments.get(i);
                long live = 0;
                long dead = 0;
                long end = seg == active ? tail - seg.base : seg.length;
                long off = SegmentDescriptor.HEADER_LENGTH;
                while (off + HEADER_LENGTH <= end && !RecordDescriptor.isEnd(seg.map, off)) {
                    int keyLength = RecordDescriptor.keyLength(seg.map, off);
                    long length = RecordDescriptor.recordLength(keyLength, RecordDescriptor.storedLength(seg.map, off));
                    MemorySegment key = seg.map.asSlice(RecordDescriptor.keyOffset(off), keyLength);
                    long slot = table.find(Keys.hash(key, 0, keyLength), key, this);
                    if (slot >= 0 && HashIndex.position(table.getPlain(slot)) == seg.base + off) {
                        live += length;
                    } else {
                        dead += length;
                    }
                    off += length;
                }
                out[i] = new long[] {seg.id, live, dead};
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Live and dead bytes per segment id, for space accounting. */
    public long[][] segmentSpace() {
        lock.lock();
        try {
            long[][] out = new long[segments.size()][];
            for (int i = 0; i < segments.size(); i++) {
                Segment seg = segments.get(i);
                out[i] = new long[] {seg.id, space.live(seg.id), space.dead(seg.id)};
            }
            return out;
        } finally {
            lock.unlock();
        }
    }
}
