package io.seqs.internal.store;

import static io.seqs.internal.format.RecordDescriptor.HEADER_LENGTH;

import io.seqs.Compression;
import io.seqs.CorruptionException;
import io.seqs.SeqsException;
import io.seqs.internal.format.Checksums;
import io.seqs.internal.format.Keys;
import io.seqs.internal.format.Lz4Values;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.index.CheckpointFile;
import io.seqs.internal.index.HashIndex;
import io.seqs.internal.index.Zeros;
import io.seqs.internal.log.Segment;
import io.seqs.internal.log.SegmentSpace;
import io.seqs.internal.log.SegmentTable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

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

    /** Shared by every shard of the store: memory a reader may be in is released only after it left. */
    private final ReadGate gate;

    private final ReentrantLock lock = new ReentrantLock();

    private volatile HashIndex table;
    private volatile boolean retired;
    /** Set once the mappings are released; nothing may touch them after. */
    private volatile boolean released;
    /** Set once a reset that retired this shard has committed: none of its keys is live any longer. */
    private volatile boolean replaced;

    // ---- writer state, guarded by lock ----
    /** The log's segments and the window table readers find them by. */
    private final SegmentTable segments;
    /** The append end of the log: the active segment, the tail, reservations, rolls. */
    private final LogWriter log;

    private final GroupCommit groupCommit;
    private final Checkpointer checkpointer;
    /** A whole-shard scan ({@link #forEachLive}), told by writers what they change behind it. */
    private final ShardScan scan;
    /** Rewrites the live records of mostly dead segments to the tail and deletes the segments. */
    private final Reclaimer reclaimer;

    private final SegmentSpace space = new SegmentSpace();
    private long lastCheckpointPosition = -1;

    /** Running totals; lock-guarded fields under {@link #lock}. */
    private final ShardCounters counters;

    private ShardRecovery.Report recovery;

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
        this.log = new LogWriter(this, segments, space, ledger, config, counters);
        this.groupCommit = new GroupCommit(this, lock, log, counters);
        this.checkpointer = new Checkpointer(this, groupCommit);
        this.scan = new ShardScan(this, lock, segments, log, gate);
        this.reclaimer = new Reclaimer(this, lock);
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
            shard.unmapAll();
            throw new SeqsException("cannot open shard " + shard.dir, e);
        } catch (RuntimeException | Error e) {
            shard.unmapAll();
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
        MemorySegment stored = value;
        byte flags = 0;
        long compressNanos = -1;
        if (config.compression() == Compression.LZ4 && valueLength >= Lz4Values.MIN_COMPRESSIBLE) {
            // compressed before the lock is taken: writers of the shard never wait for it
            Lz4Values.Scratch scratch = Lz4Values.scratch();
            long start = scratch.sampleTiming() ? System.nanoTime() : 0;
            Lz4Values.Stored compressed = Lz4Values.compress(value, keyLength, scratch);
            compressNanos = start != 0 ? System.nanoTime() - start : 0;
            if (compressed != null) {
                stored = MemorySegment.ofArray(compressed.bytes()).asSlice(0, compressed.length());
                flags = RecordDescriptor.FLAG_LZ4;
            }
        }
        int storedLength = (int) stored.byteSize();
        long length = RecordDescriptor.recordLength(keyLength, storedLength);
        lockForWrite();
        long sampleStart = (counters.puts & ShardCounters.WRITE_SAMPLE_MASK) == 0 ? System.nanoTime() : 0;
        try {
            long position = log.reserve(length);
            log.write(position, RecordDescriptor.TYPE_PUT, flags, key, stored, keyLength, storedLength);
            applyPut(hash, key, position, length);
            if (sampleStart != 0) {
                counters.writeSamples++;
                counters.writeSampleNanos += System.nanoTime() - sampleStart;
            }
            if (compressNanos >= 0) {
                counters.compression(valueLength, storedLength, flags != 0, compressNanos);
            }
            counters.puts++;
            counters.logicalBytes += keyLength + (long) valueLength;
            counters.physicalBytes += length;
            log.advance(position + length);
            return position + length;
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
            long position = log.reserve(length);
            log.write(position, RecordDescriptor.TYPE_DELETE, (byte) 0, key, MemorySegment.NULL, keyLength, 0);
            long removed = idx.remove(slotIndex);
            scan.deleted(HashIndex.position(removed), key);
            accountDeleted(removed, position, length);
            counters.deletes++;
            counters.logicalBytes += keyLength;
            counters.physicalBytes += length;
            log.advance(position + length);
            return position + length;
        } finally {
            lock.unlock();
        }
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
            scan.inserted(position, key);
            addLive(position, length);
            return;
        }
        long oldPosition = HashIndex.position(idx.replace(slotIndex, fresh));
        scan.replaced(oldPosition, position);
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
        return replaceIndex(idx, idx.rebuilt(), start);
    }

    /** Publishes a rebuilt table, frees the old one once no reader is in it, counts the rebuild from {@code start}. */
    private HashIndex replaceIndex(HashIndex idx, HashIndex next, long start) {
        table = next;
        // Readers that may still be probing the old table leave it before its memory goes.
        gate.awaitReaders();
        idx.close();
        counters.rebuilds++;
        counters.rebuildNanos += System.nanoTime() - start;
        return next;
    }

    /** Makes a segment reachable by readers, with room for its space figures. */
    void install(Segment seg) {
        log.install(seg);
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
        return released ? 0 : log.unwrittenBytes();
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
            long valueOffset = RecordDescriptor.valueOffset(off, keyLength);
            byte[] out;
            if (RecordDescriptor.compressed(seg.map, off)) {
                int raw = Lz4Values.rawLength(seg.map, valueOffset, stored, seg.path, off);
                out = new byte[raw];
                Lz4Values.Scratch scratch = Lz4Values.scratch();
                long start = scratch.sampleTiming() ? System.nanoTime() : 0;
                Lz4Values.decompress(seg.map, valueOffset, stored, raw, out, 0, scratch, seg.path, off);
                counters.decompressed(start);
            } else {
                out = new byte[stored];
                MemorySegment.copy(seg.map, ValueLayout.JAVA_BYTE, valueOffset, out, 0, stored);
            }
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
            long valueOffset = RecordDescriptor.valueOffset(off, keyLength);
            int length = stored;
            if (RecordDescriptor.compressed(seg.map, off)) {
                length = Lz4Values.rawLength(seg.map, valueOffset, stored, seg.path, off);
                if (length <= dst.byteSize()) {
                    Lz4Values.Scratch scratch = Lz4Values.scratch();
                    long start = scratch.sampleTiming() ? System.nanoTime() : 0;
                    Lz4Values.decompress(seg.map, valueOffset, stored, length, dst, scratch, seg.path, off);
                    counters.decompressed(start);
                }
            } else if (stored <= dst.byteSize()) {
                MemorySegment.copy(seg.map, valueOffset, dst, 0, stored);
            }
            counters.getHits.increment();
            return length;
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

    /**
     * Copies a live record's key and (uncompressed) value out of the log; runs under the shard
     * lock and must only copy. The key is read from the log's mapping, the value from the mapping
     * or, for a compressed record, from the scan's buffer.
     */
    @FunctionalInterface
    public interface RecordCopier {
        void copy(
                MemorySegment keySource,
                long keyOffset,
                int keyLength,
                MemorySegment valueSource,
                long valueOffset,
                int valueLength);
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
     * @param reader reads the log past the page cache for the scan, or null to read it through the mappings
     * @return false when the shard was released (reset or close) before the scan ended
     * @throws IllegalStateException when called from inside a scan of the same shard
     */
    boolean forEachLive(RecordCopier copy, Runnable deliver, ScanReader reader) {
        return scan.run(copy, deliver, reader);
    }

    /** Bytes of the shard's segment files: the most a whole scan reads. */
    long logBytes() {
        lock.lock();
        try {
            long bytes = 0;
            for (int i = 0; i < segments.size(); i++) {
                bytes += segments.get(i).length;
            }
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the index points at the record at {@code off} in {@code seg}: its key's latest (under the lock). */
    boolean isLatest(Segment seg, long off, int keyLength) {
        return isLatest(Keys.hash(seg.map, RecordDescriptor.keyOffset(off), keyLength), seg.base + off);
    }

    /** Whether the index points at the record at log {@code position}, whose key hashes to {@code hash}. Locked. */
    boolean isLatest(long hash, long position) {
        return table.pointsAt(hash, position);
    }

    /**
     * Reads the home slots of {@code count} hashes without the lock, so that the probes made for
     * them next, under the lock, find their slots in the cache: a table larger than the cache
     * misses on nearly every probe, and misses issued together are waited for together. Inside
     * the read gate, as a get.
     *
     * @return a value made of the slots read, for the caller to keep so that the reads are made
     *     (none when the shard was released)
     */
    long touchIndex(long[] hashes, int count) {
        int ticket = gate.enter();
        try {
            if (scanEnds()) {
                return 0;
            }
            HashIndex t = table;
            long seen = 0;
            for (int i = 0; i < count; i++) {
                seen ^= t.homeSlot(hashes[i]);
            }
            return seen;
        } finally {
            gate.exit(ticket);
        }
    }

    // ================================================================== reclamation

    /**
     * Reclaims a batch of sealed segments whose dead fraction is at or above {@code threshold},
     * the most dead first: see {@link Reclaimer}.
     *
     * @return true when segments were reclaimed
     * @throws IOException when the checkpoint or the marker cannot be written
     */
    public boolean reclaim(double threshold, Reclaimer.Pacer pacer) throws IOException {
        return reclaimer.reclaimOne(threshold, pacer);
    }

    /**
     * Appends a copy of the live put record at {@code off} of {@code seg} and points the index at
     * it. Under the lock; the caller checked the index points at the record.
     *
     * @return bytes appended
     */
    long moveRecord(Segment seg, long off, int keyLength, int stored, long length) {
        assert lock.isHeldByCurrentThread();
        MemorySegment key = seg.map.asSlice(RecordDescriptor.keyOffset(off), keyLength);
        MemorySegment value = seg.map.asSlice(RecordDescriptor.valueOffset(off, keyLength), stored);
        byte flags = RecordDescriptor.flags(seg.map, off);
        long position = log.reserve(length);
        log.write(position, RecordDescriptor.TYPE_PUT, flags, key, value, keyLength, stored);
        long hash = Keys.hash(key, 0, keyLength);
        HashIndex idx = table;
        long slotIndex = idx.findForPut(hash, key, this);
        assert slotIndex >= 0 : "the key of live record " + (seg.base + off) + " is not in the index";
        long old = HashIndex.position(idx.replace(slotIndex, HashIndex.slot(hash, position)));
        assert old == seg.base + off : old + " vs " + (seg.base + off);
        scan.replaced(old, position);
        space.moveLiveToDead(seg.id, length);
        addLive(position, length);
        return copied(position, length);
    }

    /**
     * Appends a copy of the delete record at {@code off} of {@code seg} when its key is still
     * absent, so that a put of the key in an older segment stays hidden once {@code seg} is gone.
     * Under the lock.
     *
     * @return bytes appended, 0 when the key is live again (a later put hides the older ones)
     */
    long carryTombstone(Segment seg, long off, int keyLength, long length) {
        assert lock.isHeldByCurrentThread();
        MemorySegment key = seg.map.asSlice(RecordDescriptor.keyOffset(off), keyLength);
        long hash = Keys.hash(key, 0, keyLength);
        if (table.findForDelete(hash, key, this) >= 0) {
            return 0;
        }
        long position = log.reserve(length);
        log.write(position, RecordDescriptor.TYPE_DELETE, (byte) 0, key, MemorySegment.NULL, keyLength, 0);
        addDead(position, length);
        return copied(position, length);
    }

    /** Counts a record reclamation copied to {@code position} and moves the tail past it. */
    private long copied(long position, long length) {
        counters.reclaimCopiedRecords++;
        counters.reclaimCopiedBytes += length;
        counters.physicalBytes += length;
        log.advance(position + length);
        return length;
    }

    /**
     * Takes a reclaimed segment out of the log: out of the window table, then, once no reader can
     * be in it and no force runs over it, unmapped.
     *
     * @return false when the shard was released meanwhile
     */
    boolean unlink(Segment seg) {
        ReentrantLock syncLock = groupCommit.syncLock();
        syncLock.lock();
        try {
            lock.lock();
            try {
                if (released) {
                    return false;
                }
                segments.remove(seg);
                seg.unlink();
                space.clear(seg.id);
            } finally {
                lock.unlock();
            }
            gate.awaitReaders();
            seg.unmap();
            return true;
        } finally {
            syncLock.unlock();
        }
    }

    /** Counts the time of a checkpoint that committed a reclamation. */
    void reclaimCommitted(long nanos) {
        lock.lock();
        try {
            counters.reclaimCommitNanos += nanos;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Faults a range of a segment in writable, inside the read gate so that the mapping is not
     * released meanwhile; false when the shard or the segment is gone.
     */
    boolean populate(Segment seg, long offset, long length) {
        int ticket = gate.enter();
        try {
            if (released || seg.isUnlinked()) {
                return false;
            }
            return FileUtil.populateWrite(seg.map.asSlice(offset, length));
        } finally {
            gate.exit(ticket);
        }
    }

    /** Counts a segment reclaimed. */
    void reclaimed(Segment seg, long nanos) {
        lock.lock();
        try {
            counters.reclaimedSegments++;
            counters.reclaimedBytes += seg.length;
            counters.reclaimNanos += nanos;
        } finally {
            lock.unlock();
        }
    }

    ReentrantLock checkpointLock() {
        return checkpointer.checkpointLock();
    }

    ReentrantLock scanLock() {
        return scan.scanLock();
    }

    LogWriter log() {
        return log;
    }

    // ================================================================== durability

    /** Forces every record below {@code target} to stable storage; concurrent callers share one force. */
    public void syncTo(long target) {
        groupCommit.syncTo(target);
    }

    /** Forces everything written so far. */
    public void flush() {
        groupCommit.flush();
    }

    // ================================================================== checkpoints

    /**
     * Writes a checkpoint of this shard's index covering the log up to the current tail. The
     * index is copied under the lock (a memory copy); the log is forced and the file written
     * without it. Does nothing when nothing was written since the last checkpoint.
     *
     * @return bytes written, 0 when skipped
     * @throws IOException when the file cannot be written
     */
    public long checkpoint() throws IOException {
        return checkpointer.checkpoint();
    }

    /**
     * A copy of the index, in {@code scratch}, and what a checkpoint records with it; null when
     * the shard is released or nothing was written since the last checkpoint.
     */
    CheckpointFile.Snapshot snapshotForCheckpoint(Arena scratch) {
        lock.lock();
        long locked = System.nanoTime();
        try {
            Segment active = log.active();
            long tail = log.tail();
            if (released || tail == lastCheckpointPosition || active == null) {
                return null;
            }
            HashIndex idx = table;
            MemorySegment copy = FileUtil.allocateZeroed(scratch, idx.byteSize(), config.directory());
            Zeros.copyNonZero(idx.slots, copy);
            int n = (int) active.nextId();
            CheckpointFile.Snapshot snapshot = new CheckpointFile.Snapshot(
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
                    copy);
            long held = System.nanoTime() - locked;
            counters.checkpointLockNanos += held;
            counters.checkpointLockNanosMax = Math.max(counters.checkpointLockNanosMax, held);
            return snapshot;
        } finally {
            lock.unlock();
        }
    }

    /** Counts a checkpoint written, covering the log up to {@code coveredPosition}. */
    void checkpointWritten(long coveredPosition, long bytes, long nanos) {
        lock.lock();
        try {
            lastCheckpointPosition = coveredPosition;
            counters.checkpoints++;
            counters.checkpointBytes += bytes;
            counters.physicalBytes += bytes;
            counters.checkpointNanos += nanos;
        } finally {
            lock.unlock();
        }
    }

    // ================================================================== recovery

    private void recover() throws IOException {
        boolean logDirectoryExists = Files.isDirectory(dir);
        ShardRecovery.Result result = new ShardRecovery(this).run();
        log.resume(logDirectoryExists, result.end());
        assert log.tail() == result.end() : log.tail() + " vs " + result.end();
        long checkpointed = result.report().fromCheckpoint() ? result.report().checkpointPosition() : -1;
        groupCommit.startAt(Math.max(0, checkpointed));
        lastCheckpointPosition = result.report().replayedRecords() == 0 ? checkpointed : -1;
        recovery = result.report();
    }

    /** Makes an index loaded or created by recovery the shard's. */
    void useIndex(HashIndex idx) {
        table = idx;
    }

    /** The index recovery fills. */
    HashIndex index() {
        return table;
    }

    /** Recovery: rebuilds the index to hold {@code keys} keys (grown ahead of a replay, or cut down after it). */
    void resizeIndex(long keys) {
        long start = System.nanoTime();
        HashIndex idx = table;
        replaceIndex(idx, idx.rebuiltFor(keys), start);
    }

    /** The shard's segment table, which recovery fills. */
    SegmentTable segmentTable() {
        return segments;
    }

    /** The shard's live and dead bytes per segment, which recovery loads or rebuilds. */
    SegmentSpace space() {
        return space;
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

    private void unmapAll() {
        for (Segment seg : segments.list()) {
            seg.unmap();
        }
    }

    ShardCounters counters() {
        return counters;
    }

    /** Whether the mappings are released; nothing may touch them after. */
    boolean isReleased() {
        return released;
    }

    boolean isRetired() {
        return retired;
    }

    /** Called once a reset that retired this shard has committed; the shard is released later, in the background. */
    public void replaced() {
        assert retired;
        replaced = true;
    }

    /** Whether a scan of this shard ends here: its mappings are released, or a committed reset replaced it. */
    boolean scanEnds() {
        return released || replaced;
    }

    /** Releases the mappings and the index memory. Call after {@link #retire}. */
    public void release() {
        assert retired;
        // A checkpoint in progress finishes first: it must not force a closed mapping or write a
        // file into a directory that is about to be deleted.
        ReentrantLock checkpointLock = checkpointer.checkpointLock();
        checkpointLock.lock();
        try {
            releaseLocked();
        } finally {
            checkpointLock.unlock();
        }
    }

    private void releaseLocked() {
        ReentrantLock syncLock = groupCommit.syncLock();
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
                unmapAll();
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
            Segment active = log.active();
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
                    log.tail(),
                    groupCommit.durable(),
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
                    r.nanos(),
                    c.compressionInputs,
                    c.compressionInputBytes,
                    c.compressionOutputBytes,
                    c.compressedRecords,
                    c.compressionNanosEstimate(),
                    c.decompressions.sum(),
                    c.decompressionNanosEstimate(),
                    c.reclaimedSegments,
                    c.reclaimedBytes,
                    c.reclaimCopiedRecords,
                    c.reclaimCopiedBytes,
                    c.reclaimNanos,
                    c.reclaimCommitNanos);
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
                long end = seg == log.active() ? log.tail() - seg.base : seg.length;
                long off = SegmentDescriptor.HEADER_LENGTH;
                while (off + HEADER_LENGTH <= end && !RecordDescriptor.isEnd(seg.map, off)) {
                    int keyLength = RecordDescriptor.keyLength(seg.map, off);
                    long length = RecordDescriptor.recordLength(keyLength, RecordDescriptor.storedLength(seg.map, off));
                    if (isLatest(seg, off, keyLength)) {
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
