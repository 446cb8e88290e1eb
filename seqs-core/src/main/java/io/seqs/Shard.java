package io.seqs;

import static io.seqs.RecordDescriptor.HEADER_LENGTH;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * One shard of one epoch: an append-only log of mapped segment files and the hash index that
 * points at the latest record of every live key.
 *
 * <p>Writers serialize on {@link #lock}: they append a record past the tail, then publish it
 * with one release store into the index. Readers take no lock: they acquire an index slot, read
 * the record it points to (records below the tail never change) and verify key and checksum.
 * A reader that races with the release of memory (a rebuilt index table, or the whole shard at
 * a reset or close) gets an {@link IllegalStateException} from the FFM runtime and retries.
 */
final class Shard {
    private static final System.Logger LOG = System.getLogger("io.seqs");
    private static final long PAGE = 4096;
    /** How far past the last record recovery looks for the remains of a torn write. */
    static final long TAIL_LOOKAHEAD = 1 << 20;

    /** Thrown to a caller whose shard was retired (reset or close) while it waited or read. */
    static final class Retired extends RuntimeException {
        static final Retired INSTANCE = new Retired();

        private Retired() {
            super("shard retired", null, false, false);
        }
    }

    /** What recovery found and did, for stats and logs. */
    record Recovery(
            boolean fromCheckpoint,
            long checkpointPosition,
            long segments,
            long replayedRecords,
            long replayedBytes,
            long droppedRecords,
            long droppedBytes,
            long droppedSegments,
            long nanos,
            String problem) {}

    final int index;
    final long epoch;
    final int shardCount;
    final long windowSize;
    final int generation;
    final Path dir;
    final Path checkpointDir;
    private final Config config;
    private final SpaceLedger ledger;

    private final Arena arena = Arena.ofShared();
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock syncLock = new ReentrantLock();
    /** One checkpoint of a shard at a time (the maintenance thread and callers may race). */
    private final ReentrantLock checkpointLock = new ReentrantLock();

    private volatile HashIndex table;
    /** Window number to segment; a segment spanning several windows fills each of them. */
    private volatile Segment[] windows = new Segment[0];
    private volatile boolean retired;
    /** Set once the mappings are released; nothing may touch them after. */
    private volatile boolean released;
    /** Log position up to which every record has been forced to stable storage. */
    private volatile long durable;

    // ---- writer state, guarded by lock ----
    private final List<Segment> segments = new ArrayList<>();
    /** Written under the lock; read without it only by {@link #unwrittenBytes()}. */
    private volatile Segment active;
    private ByteBuffer activeBuffer;
    private long tail;
    private long[] liveBytes = new long[8];
    private long[] deadBytes = new long[8];
    private boolean directoryDirty;
    private final byte[] header = new byte[HEADER_LENGTH];
    private final CRC32C writeCrc = new CRC32C();
    private long lastCheckpointPosition = -1;

    /** Running totals; lock-guarded fields under {@link #lock}. */
    private final ShardCounters counters;

    private Recovery recovery;

    private Shard(Config config, Path epochDir, Path epochCheckpointDir, long epoch, int index, int shardCount, long windowSize,
                  int generation, SpaceLedger ledger, ShardCounters counters) {
        this.config = config;
        this.counters = counters;
        this.ledger = ledger;
        this.index = index;
        this.epoch = epoch;
        this.shardCount = shardCount;
        this.windowSize = windowSize;
        this.generation = generation;
        this.dir = epochDir.resolve(dirName(index));
        this.checkpointDir = epochCheckpointDir.resolve(dirName(index));
    }

    static String dirName(int shard) {
        return String.format("shard-%04d", shard);
    }

    /** Opens a shard's log, loading its newest usable checkpoint and replaying the tail after it. */
    static Shard open(Config config, Path epochDir, Path epochCheckpointDir, long epoch, int index, int shardCount, long windowSize,
                      int generation, SpaceLedger ledger, ShardCounters counters) {
        Shard shard = new Shard(config, epochDir, epochCheckpointDir, epoch, index, shardCount, windowSize, generation, ledger, counters);
        try {
            Files.createDirectories(shard.dir);
            Files.createDirectories(shard.checkpointDir);
            shard.recover();
        } catch (IOException e) {
            shard.arena.close();
            throw new UncheckedIOException("cannot open shard " + shard.dir, e);
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
    long put(long hash, MemorySegment key, MemorySegment value) {
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
    long delete(long hash, MemorySegment key) {
        int keyLength = (int) key.byteSize();
        long length = RecordDescriptor.recordLength(keyLength, 0);
        lockForWrite();
        try {
            HashIndex idx = table;
            long slotIndex = findSlot(idx, hash, key);
            if (slotIndex < 0) {
                return -1;
            }
            long position = reserve(length);
            writeRecord(position, RecordDescriptor.TYPE_DELETE, key, MemorySegment.NULL, keyLength, 0);
            long old = idx.getPlain(slotIndex);
            idx.setRelease(slotIndex, HashIndex.TOMBSTONE);
            idx.size--;
            idx.tombstones++;
            accountDeleted(old, position, length);
            counters.deletes++;
            counters.logicalBytes += keyLength;
            counters.physicalBytes += length;
            tail = position + length;
            return tail;
        } finally {
            lock.unlock();
        }
    }

    /** Returns the log position for a record of {@code length} bytes, rolling to a new segment if needed. */
    private long reserve(long length) {
        if (active == null || tail + length > active.limit()) {
            roll(length);
        }
        assert tail + length <= active.limit() : tail + " + " + length + " > " + active.limit();
        return tail;
    }

    private void writeRecord(long position, byte type, MemorySegment key, MemorySegment value, int keyLength, int valueLength) {
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
    }

    /** Points the key at the record at {@code position} and accounts live and dead bytes. */
    private void applyPut(long hash, MemorySegment key, long position, long length) {
        HashIndex idx = table;
        if (idx.needsRebuild()) {
            idx = rebuild(idx);
        }
        long fresh = HashIndex.slot(hash, position);
        long i = idx.bucket(hash);
        long firstTombstone = -1;
        for (long probes = 0; probes < idx.capacity; probes++) {
            long s = idx.getPlain(i);
            if (s == HashIndex.EMPTY) {
                break;
            }
            if (s == HashIndex.TOMBSTONE) {
                if (firstTombstone < 0) {
                    firstTombstone = i;
                }
            } else if (HashIndex.hashMatches(s, hash) && keyEquals(windows, HashIndex.position(s), key)) {
                idx.setRelease(i, fresh);
                long oldPosition = HashIndex.position(s);
                long oldLength = recordLengthAt(oldPosition);
                moveLiveToDead(oldPosition, oldLength);
                addLive(position, length);
                return;
            }
            i = idx.next(i);
        }
        assert idx.getPlain(i) == HashIndex.EMPTY || firstTombstone >= 0 : "probe ended on a full table";
        if (firstTombstone >= 0) {
            i = firstTombstone;
            idx.tombstones--;
        }
        idx.setRelease(i, fresh);
        idx.size++;
        addLive(position, length);
    }

    private void accountDeleted(long oldSlot, long tombstonePosition, long tombstoneLength) {
        long oldPosition = HashIndex.position(oldSlot);
        moveLiveToDead(oldPosition, recordLengthAt(oldPosition));
        addDead(tombstonePosition, tombstoneLength);
    }

    /** Writer's probe: the slot index holding the key, or -1. */
    private long findSlot(HashIndex idx, long hash, MemorySegment key) {
        long i = idx.bucket(hash);
        for (long probes = 0; probes < idx.capacity; probes++) {
            long s = idx.getPlain(i);
            if (s == HashIndex.EMPTY) {
                return -1;
            }
            if (s != HashIndex.TOMBSTONE && HashIndex.hashMatches(s, hash) && keyEquals(windows, HashIndex.position(s), key)) {
                return i;
            }
            i = idx.next(i);
        }
        return -1;
    }

    private HashIndex rebuild(HashIndex idx) {
        long start = System.nanoTime();
        HashIndex next = idx.rebuilt();
        table = next;
        // Readers still probing the old table fail on its closed arena and retry on the new one.
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
            throw new IllegalStateException("shard " + dir + " has filled its log address space of "
                    + HashIndex.MAX_POSITION + " bytes in this epoch; reset the epoch or use more shards");
        }
        Path file = dir.resolve(SegmentDescriptor.fileName(id));
        // Space the other shards have mapped but not yet written is promised too (their files
        // are sparse unless blocks were allocated natively): keep it free as well.
        long promised = FileUtil.canAllocate() ? 0 : ledger.unwrittenBytesExcept(this);
        FileUtil.createReserved(file, length, config.freeSpaceMarginBytes() + promised);
        MemorySegment map;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            map = ch.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot map segment " + file, e);
        }
        FileUtil.adviseRandomAccess(map);
        SegmentDescriptor.write(map, new SegmentDescriptor.Header(index, epoch, shardCount, windowCount, id, windowSize, tail, length));
        Failpoints.hit("segment.after-create");
        Segment seg = new Segment(file, map, id, windowCount, base);
        install(seg);
        active = seg;
        activeBuffer = map.asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tail = base + SegmentDescriptor.HEADER_LENGTH;
        directoryDirty = true;
        counters.physicalBytes += SegmentDescriptor.HEADER_LENGTH;
    }

    /** Makes a segment reachable by readers. */
    private void install(Segment seg) {
        segments.add(seg);
        long lastWindow = seg.id + seg.windowCount;
        Segment[] current = windows;
        Segment[] next = current;
        if (lastWindow > current.length) {
            next = Arrays.copyOf(current, (int) Math.max(lastWindow, current.length * 2L));
        } else {
            next = current.clone();
        }
        for (long w = seg.id; w < lastWindow; w++) {
            next[(int) w] = seg;
        }
        if (lastWindow > liveBytes.length) {
            int n = (int) Math.max(lastWindow, liveBytes.length * 2L);
            liveBytes = Arrays.copyOf(liveBytes, n);
            deadBytes = Arrays.copyOf(deadBytes, n);
        }
        windows = next;
    }

    private void addLive(long position, long length) {
        liveBytes[(int) (position / windowSize)] += length;
    }

    private void addDead(long position, long length) {
        deadBytes[(int) (position / windowSize)] += length;
    }

    private void moveLiveToDead(long position, long length) {
        int w = (int) (segmentAt(windows, position).id);
        liveBytes[w] -= length;
        deadBytes[w] += length;
    }

    private long recordLengthAt(long position) {
        Segment seg = segmentAt(windows, position);
        long off = position - seg.base;
        return RecordDescriptor.recordLength(RecordDescriptor.keyLength(seg.map, off), RecordDescriptor.storedLength(seg.map, off));
    }

    /** Bytes of the active segment not yet written; a racy estimate for space accounting. */
    long unwrittenBytes() {
        Segment seg = active;
        if (seg == null || released) {
            return 0;
        }
        return Math.max(0, seg.limit() - (long) TAIL.getOpaque(this));
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
    byte[] get(long hash, MemorySegment key) {
        counters.gets.increment();
        for (;;) {
            HashIndex idx = table;
            try {
                long position = locate(idx, hash, key);
                if (position < 0) {
                    return null;
                }
                Segment seg = segmentAt(windows, position);
                long off = position - seg.base;
                int keyLength = RecordDescriptor.keyLength(seg.map, off);
                int stored = RecordDescriptor.storedLength(seg.map, off);
                verify(seg, off, keyLength, stored);
                byte[] out = new byte[stored];
                MemorySegment.copy(seg.map, ValueLayout.JAVA_BYTE, RecordDescriptor.valueOffset(off, keyLength), out, 0, stored);
                counters.getHits.increment();
                return out;
            } catch (IllegalStateException e) {
                retryOrThrow(idx, e);
            }
        }
    }

    /**
     * Copies the latest value into {@code dst} when it fits.
     *
     * @return the value's length (copied only when {@code <= dst.byteSize()}), or -1 when absent
     */
    long get(long hash, MemorySegment key, MemorySegment dst) {
        counters.gets.increment();
        for (;;) {
            HashIndex idx = table;
            try {
                long position = locate(idx, hash, key);
                if (position < 0) {
                    return -1;
                }
                Segment seg = segmentAt(windows, position);
                long off = position - seg.base;
                int keyLength = RecordDescriptor.keyLength(seg.map, off);
                int stored = RecordDescriptor.storedLength(seg.map, off);
                verify(seg, off, keyLength, stored);
                if (stored <= dst.byteSize()) {
                    MemorySegment.copy(seg.map, RecordDescriptor.valueOffset(off, keyLength), dst, 0, stored);
                }
                counters.getHits.increment();
                return stored;
            } catch (IllegalStateException e) {
                retryOrThrow(idx, e);
            }
        }
    }

    private void retryOrThrow(HashIndex used, IllegalStateException e) {
        if (retired) {
            throw Retired.INSTANCE;
        }
        if (used == table) {
            throw e; // not a table swap: a real failure
        }
        // the table was rebuilt and its memory released while we probed: probe the new one
    }

    /**
     * Checks the record a slot points at before anything is allocated or copied by its lengths:
     * the header must be plausible and the record inside its file, and with
     * {@code verifyChecksums} its CRC must match.
     */
    private void verify(Segment seg, long off, int keyLength, int stored) {
        if (RecordDescriptor.plausibleLength(seg.map, off, seg.length) < 0) {
            throw new CorruptionException(seg.path, off, "record header (key length " + keyLength + ", stored length "
                    + Integer.toUnsignedString(stored) + ") is damaged (the file changed on disk after it was written)");
        }
        if (!config.verifyChecksums()) {
            return;
        }
        int expected = RecordDescriptor.crc(seg.map, off);
        int actual = Checksums.crc(seg.map, off + RecordDescriptor.KEY_LENGTH_OFFSET,
                RecordDescriptor.CHECKED_HEADER_LENGTH + (long) keyLength + stored);
        if (expected != actual) {
            throw new CorruptionException(seg.path, off, "record CRC32C 0x" + Integer.toHexString(expected)
                    + ", computed 0x" + Integer.toHexString(actual) + " (the file changed on disk after it was written)");
        }
    }

    /**
     * Reader's probe: the log position of the key's latest record, or -1. A record whose hash
     * bits match but whose key does not is normally another key; if it also fails its checksum
     * it may be this key's record with a damaged key, so "absent" becomes a
     * {@link CorruptionException} rather than a silent loss.
     */
    private long locate(HashIndex idx, long hash, MemorySegment key) {
        long i = idx.bucket(hash);
        long damaged = -1;
        for (long probes = 0; probes < idx.capacity; probes++) {
            long s = idx.getAcquire(i);
            if (s == HashIndex.EMPTY) {
                break;
            }
            if (s != HashIndex.TOMBSTONE && HashIndex.hashMatches(s, hash)) {
                long position = HashIndex.position(s);
                if (keyEquals(windows, position, key)) {
                    return position;
                }
                if (damaged < 0 && config.verifyChecksums() && !sound(position)) {
                    damaged = position;
                }
            }
            i = idx.next(i);
        }
        if (damaged >= 0) {
            Segment seg = segmentAt(windows, damaged);
            throw new CorruptionException(seg.path, damaged - seg.base, "the record this key's hash leads to is damaged"
                    + " and no intact record of the key was found (the file changed on disk after it was written)");
        }
        return -1;
    }

    /** Whether the record at a log position passes its header checks and CRC. */
    private boolean sound(long position) {
        Segment seg = segmentAt(windows, position);
        long off = position - seg.base;
        if (RecordDescriptor.plausibleLength(seg.map, off, seg.length) < 0) {
            return false;
        }
        int keyLength = RecordDescriptor.keyLength(seg.map, off);
        int stored = RecordDescriptor.storedLength(seg.map, off);
        return RecordDescriptor.crc(seg.map, off) == Checksums.crc(seg.map, off + RecordDescriptor.KEY_LENGTH_OFFSET,
                RecordDescriptor.CHECKED_HEADER_LENGTH + (long) keyLength + stored);
    }

    private boolean keyEquals(Segment[] win, long position, MemorySegment key) {
        Segment seg = segmentAt(win, position);
        long off = position - seg.base;
        long keyLength = RecordDescriptor.keyLength(seg.map, off);
        if (keyLength != key.byteSize()) {
            return false;
        }
        long keyOffset = RecordDescriptor.keyOffset(off);
        if (keyOffset + keyLength > seg.length) {
            throw new CorruptionException(seg.path, off, "record key of " + keyLength + " bytes runs past the end of the file");
        }
        return MemorySegment.mismatch(seg.map, keyOffset, keyOffset + keyLength, key, 0, keyLength) == -1;
    }

    private Segment segmentAt(Segment[] win, long position) {
        long w = position / windowSize;
        Segment seg = w < win.length ? win[(int) w] : null;
        if (seg == null || position < seg.base + SegmentDescriptor.HEADER_LENGTH || position + HEADER_LENGTH > seg.limit()) {
            throw new IllegalStateException("index of shard " + dir + " points at log position " + position
                    + " outside every segment (" + win.length + " windows of " + windowSize + " bytes)");
        }
        return seg;
    }

    // ================================================================== durability

    /** Forces every record below {@code target} to stable storage; concurrent callers share one force. */
    void syncTo(long target) {
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
    void flush() {
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
        Segment[] win;
        lock.lock();
        try {
            if (released) {
                return;
            }
            upTo = tail;
            syncDirectory = directoryDirty;
            directoryDirty = false;
            win = windows;
        } finally {
            lock.unlock();
        }
        if (upTo <= from && !syncDirectory) {
            return;
        }
        try {
            forceRange(win, from, upTo);
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
    long checkpoint() throws IOException {
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
        try (Arena scratch = Arena.ofConfined()) {
            lock.lock();
            long locked = System.nanoTime();
            try {
                if (released || tail == lastCheckpointPosition || active == null) {
                    return 0;
                }
                HashIndex idx = table;
                MemorySegment table = scratch.allocate(idx.byteSize(), 64);
                MemorySegment.copy(idx.slots, 0, table, 0, idx.byteSize());
                int n = (int) (active.nextId());
                snapshot = new CheckpointFile.Snapshot(epoch, index, shardCount, tail, generation, idx.capacity, idx.size,
                        idx.tombstones, Arrays.copyOf(liveBytes, n), Arrays.copyOf(deadBytes, n), table);
                long held = System.nanoTime() - locked;
                counters.checkpointLockNanos += held;
                counters.checkpointLockNanosMax = Math.max(counters.checkpointLockNanosMax, held);
            } finally {
                lock.unlock();
            }
            syncTo(snapshot.coveredPosition());
            Failpoints.hit("checkpoint.after-log-sync");
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
        long start = System.nanoTime();
        List<Path> files = listSegmentFiles();
        long droppedRecords = 0;
        long droppedBytes = 0;
        long droppedSegments = 0;
        String problem = null;

        // 1. Map the chain of segment files: ids must follow each other and headers must be sound.
        int chainEnd = 0;
        long expectedId = 0;
        for (; chainEnd < files.size(); chainEnd++) {
            Path file = files.get(chainEnd);
            long id = SegmentDescriptor.parseFileName(file.getFileName().toString());
            if (id != expectedId) {
                problem = "segment " + file + " does not follow segment id " + expectedId;
                break;
            }
            Segment seg;
            try {
                seg = map(file, id);
            } catch (CorruptionException e) {
                if (!neverWritten(file)) {
                    problem = e.getMessage();
                }
                break;
            }
            install(seg);
            expectedId = seg.nextId();
        }

        if (recoveryCutNote != null) {
            problem = recoveryCutNote;
            droppedBytes += recoveryCutBytes;
        }

        // 2. The newest checkpoint that is sound and covers a prefix of this chain.
        CheckpointFile.Loaded checkpoint = null;
        for (Path candidate : CheckpointFile.list(checkpointDir)) {
            try {
                CheckpointFile.Loaded loaded = CheckpointFile.load(candidate, epoch, index, shardCount);
                if (coversChainPrefix(loaded.coveredPosition(), loaded.maxPosition()) && loaded.coveredPosition() <= recoveryCutPosition
                        && slotsInsideSegments(loaded.index())) {
                    checkpoint = loaded;
                    break;
                }
                loaded.index().close();
                LOG.log(System.Logger.Level.WARNING, "checkpoint {0} covers log position {1}, beyond the log of {2}; trying an older one",
                        candidate, loaded.coveredPosition(), dir);
            } catch (CorruptionException | IOException e) {
                LOG.log(System.Logger.Level.WARNING, "checkpoint {0} is unusable ({1}); trying an older one", candidate, e.getMessage());
            }
        }

        long scanFrom;
        int minGeneration;
        if (checkpoint != null) {
            table = checkpoint.index();
            scanFrom = checkpoint.coveredPosition();
            minGeneration = checkpoint.generation();
            for (int w = 0; w < checkpoint.liveBytes().length && w < liveBytes.length; w++) {
                liveBytes[w] = checkpoint.liveBytes()[w];
                deadBytes[w] = checkpoint.deadBytes()[w];
            }
        } else {
            table = HashIndex.forKeys(config.expectedKeys() / shardCount);
            scanFrom = segments.isEmpty() ? 0 : segments.get(0).base + SegmentDescriptor.HEADER_LENGTH;
            minGeneration = 0;
        }

        // 3. Replay the records after the checkpoint, stopping at the first unsound byte.
        long replayedRecords = 0;
        long replayedBytes = 0;
        int firstSegment = 0;
        while (firstSegment < segments.size() && segments.get(firstSegment).limit() < scanFrom) {
            firstSegment++;
        }
        long position = scanFrom;
        int kept = segments.size();
        for (int s = firstSegment; s < segments.size(); s++) {
            Segment seg = segments.get(s);
            if (s > firstSegment) {
                long previousEnd = SegmentDescriptor.read(seg.map, seg.path, seg.length).previousEnd();
                if (previousEnd != position) {
                    problem = "segment " + seg.path + " continues from log position " + previousEnd
                            + " but the records of the segment before it end at " + position;
                    kept = s;
                    break;
                }
                position = seg.base + SegmentDescriptor.HEADER_LENGTH;
            }
            long off = position - seg.base;
            ByteBuffer view = seg.map.asByteBuffer(); // this thread's own, for CRCs read in place
            while (off + HEADER_LENGTH <= seg.length && !RecordDescriptor.isEnd(seg.map, off)) {
                String bad = RecordDescriptor.check(seg.map, view, off, seg.length, minGeneration, generation - 1);
                if (bad != null) {
                    problem = seg.path + " at offset " + off + ": " + bad;
                    long[] dropped = scrub(seg, off);
                    droppedRecords += dropped[0];
                    droppedBytes += dropped[1];
                    kept = s + 1;
                    break;
                }
                minGeneration = RecordDescriptor.generation(seg.map, off);
                long length = replay(seg, off);
                replayedRecords++;
                replayedBytes += length;
                off += length;
            }
            position = seg.base + off;
            if (kept != segments.size()) {
                break;
            }
            if (s == segments.size() - 1) {
                // A clean end in the last segment may still hide a torn write whose first page
                // never reached the disk while later ones did: look past it.
                long[] dropped = scrub(seg, off);
                if (dropped[1] > 0) {
                    problem = seg.path + " at offset " + off + ": torn tail, " + dropped[1] + " bytes past the last record";
                    droppedRecords += dropped[0];
                    droppedBytes += dropped[1];
                }
            }
        }

        // 4. Drop what follows the point where the log stops being sound.
        List<Path> toDelete = new ArrayList<>();
        for (Path orphan : files.subList(chainEnd, files.size())) {
            if (neverWritten(orphan)) {
                // created by a roll that did not get to write its header: it held nothing
                LOG.log(System.Logger.Level.DEBUG, "removing empty segment file {0}", orphan);
            } else {
                droppedBytes += Files.size(orphan);
                droppedSegments++;
            }
            toDelete.add(orphan);
        }
        for (int s = segments.size() - 1; s >= kept; s--) {
            Segment seg = segments.remove(s);
            long[] counted = countRecords(seg);
            droppedRecords += counted[0];
            droppedBytes += counted[1];
            droppedSegments++;
            toDelete.add(seg.path);
        }
        for (Path file : toDelete) {
            Files.deleteIfExists(file);
        }
        if (!toDelete.isEmpty()) {
            FileUtil.fsyncDirectory(dir);
        }
        rebuildWindows();
        // Recovery read the log in order, with the kernel's readahead; from now on it is read at random.
        for (Segment seg : segments) {
            FileUtil.adviseRandomAccess(seg.map);
        }
        if (!segments.isEmpty()) {
            // The files may have been created by a session that was killed before it forced
            // their directory: the first flush forces it, whatever this session creates.
            directoryDirty = true;
            active = segments.get(segments.size() - 1);
            activeBuffer = active.map.asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            tail = position;
        }
        durable = checkpoint != null ? checkpoint.coveredPosition() : 0;
        lastCheckpointPosition = checkpoint != null && replayedRecords == 0 ? checkpoint.coveredPosition() : -1;
        CheckpointFile.deleteNewerThan(checkpointDir, tail);
        if (problem != null) {
            LOG.log(System.Logger.Level.WARNING, "shard {0}: recovery stopped at log position {1}: {2}; dropped {3} records, {4} bytes, {5} segment files",
                    dir, tail, problem, droppedRecords, droppedBytes, droppedSegments);
        }
        recovery = new Recovery(checkpoint != null, scanFrom, segments.size(), replayedRecords, replayedBytes,
                droppedRecords, droppedBytes, droppedSegments, System.nanoTime() - start, problem);
    }

    /** True when every entry of a loaded table points at a record-sized place inside a mapped segment. */
    private boolean slotsInsideSegments(HashIndex idx) {
        Segment[] win = windows;
        long[] chunk = new long[HashIndex.SCAN_CHUNK];
        for (long base = 0; base < idx.capacity; base += HashIndex.SCAN_CHUNK) {
            int count = (int) Math.min(HashIndex.SCAN_CHUNK, idx.capacity - base);
            idx.copySlots(base, chunk, count);
            for (int j = 0; j < count; j++) {
                long slot = chunk[j];
                if (!HashIndex.isEntry(slot)) {
                    continue;
                }
                long position = HashIndex.position(slot);
                long w = position / windowSize;
                Segment seg = w < win.length ? win[(int) w] : null;
                if (seg == null || position < seg.base + SegmentDescriptor.HEADER_LENGTH || position + HEADER_LENGTH > seg.limit()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** True when a file's header bytes are all zero: a segment created but never written. */
    private static boolean neverWritten(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(SegmentDescriptor.HEADER_LENGTH);
            while (head.hasRemaining() && ch.read(head) >= 0) {
                // fill, or stop at the end of a short file
            }
            for (int i = 0; i < head.position(); i++) {
                if (head.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private boolean coversChainPrefix(long coveredPosition, long maxPosition) {
        if (segments.isEmpty()) {
            return false;
        }
        Segment[] win = windows;
        long w = coveredPosition / windowSize;
        Segment seg = w < win.length ? win[(int) w] : null;
        if (seg == null || coveredPosition < seg.base + SegmentDescriptor.HEADER_LENGTH || coveredPosition > seg.limit()) {
            return false;
        }
        return maxPosition < coveredPosition;
    }

    /** Applies the sound record at {@code off} to the index; returns its length. */
    private long replay(Segment seg, long off) {
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
            long slotIndex = findSlot(idx, hash, key);
            if (slotIndex >= 0) {
                long old = idx.getPlain(slotIndex);
                idx.setRelease(slotIndex, HashIndex.TOMBSTONE);
                idx.size--;
                idx.tombstones++;
                accountDeleted(old, position, length);
            } else {
                addDead(position, length);
            }
        }
        return length;
    }

    /**
     * Cuts the log at {@code off}: counts the record headers found in the bytes after it (up
     * to {@link #TAIL_LOOKAHEAD} past the last non-zero word seen), zeroes those bytes so that a
     * later recovery sees a clean end, and forces them.
     *
     * @return {records dropped, bytes dropped}
     */
    private long[] scrub(Segment seg, long off) {
        long records = 0;
        long lastNonZero = -1;
        long q = off;
        long limit = Math.min(seg.length, off + TAIL_LOOKAHEAD);
        while (q + RecordDescriptor.ALIGNMENT <= limit) {
            if (seg.map.get(RecordDescriptor.LONG, q) == 0) {
                // skip the zeros in bulk (vectorized), to the 8-byte word holding the next non-zero byte
                long nonZero = firstNonZero(seg.map, q, limit);
                q = nonZero < 0 ? limit : nonZero & -RecordDescriptor.ALIGNMENT;
                continue;
            }
            long next = q + RecordDescriptor.ALIGNMENT;
            long length = RecordDescriptor.plausibleLength(seg.map, q, seg.length);
            if (length > 0) {
                // a record header, sound or not: count it as a dropped record
                records++;
                next = q + length;
            }
            lastNonZero = next;
            limit = Math.min(seg.length, Math.max(limit, next + TAIL_LOOKAHEAD));
            q = next;
        }
        if (lastNonZero < 0) {
            return new long[] {0, 0};
        }
        seg.map.asSlice(off, lastNonZero - off).fill((byte) 0);
        seg.map.asSlice(off, lastNonZero - off).force();
        return new long[] {records, lastNonZero - off};
    }

    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[64 << 10]);

    /** Offset of the first non-zero byte in {@code [from, to)}, or -1. */
    private static long firstNonZero(MemorySegment map, long from, long to) {
        for (long at = from; at < to; ) {
            long n = Math.min(ZEROS.byteSize(), to - at);
            long m = MemorySegment.mismatch(map, at, at + n, ZEROS, 0, n);
            if (m >= 0) {
                return at + m;
            }
            at += n;
        }
        return -1;
    }

    /** Counts the records of a segment that is being dropped, for the report. */
    private static long[] countRecords(Segment seg) {
        long records = 0;
        long off = SegmentDescriptor.HEADER_LENGTH;
        while (off + HEADER_LENGTH <= seg.length && !RecordDescriptor.isEnd(seg.map, off)) {
            if (RecordDescriptor.check(seg.map, off, seg.length, 0, -1) != null) {
                break;
            }
            records++;
            off += RecordDescriptor.recordLength(RecordDescriptor.keyLength(seg.map, off), RecordDescriptor.storedLength(seg.map, off));
        }
        return new long[] {records, off - SegmentDescriptor.HEADER_LENGTH};
    }

    private void rebuildWindows() {
        Segment[] next = new Segment[windows.length];
        for (Segment seg : segments) {
            for (long w = seg.id; w < seg.id + seg.windowCount; w++) {
                next[(int) w] = seg;
            }
        }
        windows = next;
    }

    private Segment map(Path file, long id) throws IOException {
        long length = Files.size(file);
        if (length < SegmentDescriptor.HEADER_LENGTH) {
            throw new CorruptionException(file, 0, "segment file of " + length + " bytes is shorter than its header");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(SegmentDescriptor.HEADER_LENGTH);
            while (head.hasRemaining() && ch.read(head, head.position()) >= 0) {
                // fill
            }
            SegmentDescriptor.Header h = SegmentDescriptor.read(MemorySegment.ofArray(head.array()), file, length);
            if (h.epoch() != epoch || h.shard() != index || h.shardCount() != shardCount || h.segmentId() != id || h.windowSize() != windowSize) {
                throw new CorruptionException(file, 0, "segment header " + h + " does not belong to epoch " + epoch + ", shard "
                        + index + " of " + shardCount + ", segment " + id + ", window size " + windowSize);
            }
            if (id * windowSize + h.length() > HashIndex.MAX_POSITION) {
                throw new CorruptionException(file, 0, "segment " + id + " lies beyond the log address space");
            }
            if (length < h.length()) {
                // Cut short on disk: what was cut is gone, what is left is kept. Give the file back
                // its length (zeros) so the log can go on, and report the loss.
                recoveryCutBytes += h.length() - length;
                recoveryCutPosition = Math.min(recoveryCutPosition, id * windowSize + length);
                recoveryCutNote = "segment " + file + " was cut to " + length + " of its " + h.length() + " bytes";
                ch.write(ByteBuffer.allocate(1), h.length() - 1);
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_WRITE, 0, h.length(), arena);
            return new Segment(file, map, id, h.windowCount(), id * windowSize);
        }
    }

    /** Bytes found cut off the end of segment files during recovery, and what was found. */
    private long recoveryCutBytes;
    private String recoveryCutNote;
    /** Lowest log position where a cut segment lost its bytes: no checkpoint beyond it is usable. */
    private long recoveryCutPosition = Long.MAX_VALUE;

    private List<Path> listSegmentFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + SegmentDescriptor.FILE_SUFFIX)) {
            for (Path p : entries) {
                if (SegmentDescriptor.parseFileName(p.getFileName().toString()) >= 0) {
                    files.add(p);
                }
            }
        }
        files.sort((a, b) -> Long.compareUnsigned(
                SegmentDescriptor.parseFileName(a.getFileName().toString()),
                SegmentDescriptor.parseFileName(b.getFileName().toString())));
        return files;
    }

    // ================================================================== lifecycle and stats

    /**
     * Stops the shard: no write gets in after this returns, and readers fail over. With
     * {@code persist}, the log is forced and a checkpoint written first.
     */
    void retire(boolean persist) {
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
                throw new UncheckedIOException("checkpoint of shard " + dir + " failed", e);
            }
        }
    }

    /** Undoes {@link #retire(boolean)} when a reset could not commit. */
    void unretire() {
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
    void release() {
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
                for (int attempt = 0; ; attempt++) {
                    try {
                        arena.close();
                        break;
                    } catch (IllegalStateException e) {
                        if (!arena.scope().isAlive()) {
                            break;
                        }
                        if (attempt >= 100) {
                            throw e;
                        }
                        Thread.onSpinWait();
                    }
                }
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

    ShardStats stats() {
        lock.lock();
        try {
            HashIndex idx = table;
            long live = 0;
            long dead = 0;
            int n = active == null ? 0 : (int) active.nextId();
            for (int w = 0; w < n; w++) {
                live += liveBytes[w];
                dead += deadBytes[w];
            }
            Recovery r = recovery;
            ShardCounters c = counters;
            return new ShardStats(index, idx.size, idx.capacity, idx.byteSize(), idx.tombstones, segments.size(),
                    c.puts, c.deletes, c.gets.sum(), c.getHits.sum(), c.logicalBytes, c.physicalBytes, live, dead,
                    tail, durable, c.lockWaits, c.lockWaitNanos, c.writeNanosEstimate(), c.rebuilds, c.rebuildNanos,
                    c.flushes.sum(), c.flushNanos.sum(), c.checkpoints, c.checkpointNanos, c.checkpointBytes, c.checkpointLockNanosMax, r.fromCheckpoint(), r.replayedRecords(),
                    r.droppedRecords(), r.droppedBytes(), r.droppedSegments(), r.nanos());
        } finally {
            lock.unlock();
        }
    }

    /** Live and dead bytes per segment id, for space accounting. */
    long[][] segmentSpace() {
        lock.lock();
        try {
            long[][] out = new long[segments.size()][];
            for (int i = 0; i < segments.size(); i++) {
                Segment seg = segments.get(i);
                out[i] = new long[] {seg.id, liveBytes[(int) seg.id], deadBytes[(int) seg.id]};
            }
            return out;
        } finally {
            lock.unlock();
        }
    }
}
