package io.seqs.internal.store;

import static io.seqs.internal.format.RecordDescriptor.HEADER_LENGTH;

import io.seqs.internal.format.Keys;
import io.seqs.internal.format.Lz4Values;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.log.PositionList;
import io.seqs.internal.log.Segment;
import io.seqs.internal.log.SegmentTable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A whole-shard scan ({@code forEach}): reads the log in order and hands over every record the
 * index points at, one record per turn of the shard's lock, so a scan never holds writers up for
 * longer than a put does. Writers that change a key behind the scan tell it (under the lock) what
 * to skip, which is what makes "every key live for the whole scan exactly once" hold while keys
 * are rewritten and deleted.
 */
final class ShardScan {
    private final Shard shard;
    private final ReentrantLock shardLock;
    private final SegmentTable segments;
    private final LogWriter log;
    /** Readahead runs outside the shard's lock, as a reader the release of the mappings waits for. */
    private final ReadGate gate;

    private final Path dir;
    /** One scan of a shard at a time; held by the scanning thread for the whole scan. */
    private final ReentrantLock scanLock = new ReentrantLock();

    // ---- the scan in progress, guarded by the shard's lock ----
    private boolean scanning;
    /** Log position up to which the scan has looked at every record. */
    private long cursor;
    /** Records appended during the scan for keys it had already visited: it skips them. */
    private final PositionList skip = new PositionList();
    /** Keys the scan visited and writers then deleted: written again, they are not visited twice. */
    private final Set<ByteBuffer> deletedKeys = new HashSet<>();

    // ---- readahead, for mappings advised for random access; the scanning thread's own ----
    /** How far ahead of the scan the kernel is asked to read: enough requests to keep a fast disk busy. */
    static final long PREFETCH_BYTES = 16L << 20;
    /**
     * Bytes asked for per madvise call. The kernel reads at most its readahead size for one
     * WILLNEED ({@code read_ahead_kb}: 128 KiB by default on Linux), ignoring the rest, so a
     * window is asked for in pieces no larger than the smallest usual readahead.
     */
    static final long PREFETCH_CHUNK = 128 << 10;

    private static final long PAGE = 4096;

    /** Records whose index slots are read ahead together, when records come from a {@link ScanReader}'s chunk. */
    static final int GROUP = 16;
    /** What {@link #fromChunk} returns when the shard was released meanwhile. */
    private static final long RELEASED = -1;

    private final long[] groupOffsets = new long[GROUP];
    private final long[] groupLengths = new long[GROUP];
    private final long[] groupHashes = new long[GROUP];
    private final boolean[] groupPuts = new boolean[GROUP];
    /** Made of the index slots read ahead, so that those reads are not optimized away. */
    private long touched;

    private Segment prefetchSegment;
    /** Offset in {@link #prefetchSegment} up to which reading ahead has been asked for. */
    private long prefetchedTo;
    /** Where compressed values are decompressed for the scan's copier; grows to the largest value. */
    private byte[] valueBuffer = new byte[0];

    ShardScan(Shard shard, ReentrantLock shardLock, SegmentTable segments, LogWriter log, ReadGate gate) {
        this.shard = shard;
        this.gate = gate;
        this.shardLock = shardLock;
        this.segments = segments;
        this.log = log;
        this.dir = shard.dir;
    }

    /**
     * Runs a scan: see {@link Shard#forEachLive}.
     *
     * @return false when the shard was released (reset or close) before the scan ended
     */
    boolean run(Shard.RecordCopier copy, Runnable deliver, ScanReader reader) {
        if (scanLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("forEach cannot be called from inside forEach of the same store");
        }
        scanLock.lock();
        try {
            return scanLocked(copy, deliver, reader);
        } finally {
            if (reader != null) {
                reader.leave(); // its reads of this shard's files are over before the shard can be released
            }
            shardLock.lock();
            try {
                scanning = false;
                skip.clear();
                deletedKeys.clear();
            } finally {
                shardLock.unlock();
            }
            scanLock.unlock();
        }
    }

    private boolean scanLocked(Shard.RecordCopier copy, Runnable deliver, ScanReader reader) {
        int segmentIndex = 0;
        long position = -1;
        /* The segment the scan is in, and how many of its bytes are known written. */
        Segment seg;
        long written;
        shardLock.lock();
        try {
            if (shard.scanEnds()) {
                return false;
            }
            if (segments.isEmpty()) {
                return true;
            }
            scanning = true;
            skip.clear();
            deletedKeys.clear();
            prefetchSegment = null;
            seg = segments.get(0);
            written = written(seg, 0);
            position = seg.base + SegmentDescriptor.HEADER_LENGTH;
            cursor = position;
        } finally {
            shardLock.unlock();
        }
        for (; ; ) {
            if (reader != null) {
                long next = fromChunk(reader, seg, written, position, copy, deliver);
                if (next == RELEASED) {
                    return false;
                }
                if (next != position) {
                    position = next;
                    continue;
                }
            }
            boolean live;
            Segment readAhead = null;
            long readAheadFrom = 0;
            shardLock.lock();
            try {
                if (shard.scanEnds()) {
                    return false;
                }
                seg = segments.get(segmentIndex);
                if (reader != null) {
                    written = written(seg, segmentIndex);
                }
                long off = position - seg.base;
                if (position >= log.tail()) {
                    return true;
                }
                if (off + HEADER_LENGTH > seg.length || RecordDescriptor.isEnd(seg.map, off)) {
                    // the rest of this segment was never written: the next one starts the log again
                    segmentIndex++;
                    assert segmentIndex < segments.size()
                            : "scan of " + dir + " ran past the last segment below the tail";
                    seg = segments.get(segmentIndex);
                    if (reader != null) {
                        written = written(seg, segmentIndex);
                    }
                    position = seg.base + SegmentDescriptor.HEADER_LENGTH;
                    cursor = position;
                    continue;
                }
                if ((reader == null || !reader.reads(seg)) && needsPrefetch(seg, off)) {
                    readAhead = seg;
                    readAheadFrom = off;
                }
                int keyLength = RecordDescriptor.keyLength(seg.map, off);
                int stored = RecordDescriptor.storedLength(seg.map, off);
                long length = RecordDescriptor.recordLength(keyLength, stored);
                live = RecordDescriptor.type(seg.map, off) == RecordDescriptor.TYPE_PUT
                        && !skip.contains(position)
                        && shard.isLatest(seg, off, keyLength);
                if (live) {
                    copyOut(seg.map, off, seg, off, keyLength, stored, copy);
                }
                position += length;
                cursor = position;
            } finally {
                shardLock.unlock();
            }
            if (readAhead != null) {
                prefetch(readAhead, readAheadFrom);
            }
            if (live) {
                deliver.run();
            }
        }
    }

    /**
     * Bytes of the segment at {@code index} known written (under the lock): up to the tail in
     * the last segment; in a sealed one, up to where its records end, which the next segment's
     * header records (unless a segment between them was reclaimed: then the whole file).
     */
    private long written(Segment seg, int index) {
        if (index == segments.size() - 1) {
            return Math.clamp(log.tail() - seg.base, 0, seg.length);
        }
        long end = SegmentDescriptor.previousEnd(segments.get(index + 1).map) - seg.base;
        return end > SegmentDescriptor.HEADER_LENGTH && end <= seg.length ? end : seg.length;
    }

    /**
     * Takes the records from {@code position} on that {@code reader} has read past the page
     * cache, as far as its chunk holding {@code position} goes, first asking it to read ahead.
     *
     * @param written bytes of {@code seg} known written, as seen under the lock last
     * @return the position after the records taken ({@code position} when the mapping is to
     *     serve the record there), or {@link #RELEASED}
     */
    private long fromChunk(
            ScanReader reader, Segment seg, long written, long position, Shard.RecordCopier copy, Runnable deliver) {
        long off = position - seg.base;
        reader.enter(seg, off);
        if (reader.wantsMore(written)) {
            int ticket = gate.enter();
            try {
                if (shard.scanEnds()) {
                    return RELEASED;
                }
                reader.request(written);
            } finally {
                gate.exit(ticket);
            }
        }
        ScanReader.Chunk chunk = reader.at(off);
        return chunk == null ? position : fromChunk(chunk, seg, position, copy, deliver);
    }

    /**
     * Takes the records of {@code chunk} from {@code position} on, {@link #GROUP} at a time:
     * their headers are read and their keys hashed without the lock (the chunk is the scan's
     * own copy of log bytes that never change), their index slots are read ahead together, and
     * each is then looked at under the lock as the mapping's records are, and copied after it.
     */
    private long fromChunk(
            ScanReader.Chunk chunk, Segment seg, long position, Shard.RecordCopier copy, Runnable deliver) {
        MemorySegment bytes = chunk.bytes;
        long off = position - seg.base;
        for (; ; ) {
            int count = 0;
            long at = off;
            while (count < GROUP && chunk.holds(at, HEADER_LENGTH)) {
                long inChunk = at - chunk.start;
                if (RecordDescriptor.isEnd(bytes, inChunk)) {
                    break; // the segment's end: the mapping's step moves to the next segment
                }
                int keyLength = RecordDescriptor.keyLength(bytes, inChunk);
                int stored = RecordDescriptor.storedLength(bytes, inChunk);
                long length = RecordDescriptor.recordLength(keyLength, stored);
                if (!chunk.holds(at, length)) {
                    break; // cut off at the chunk's end: the mapping serves it
                }
                assert keyLength > 0 && stored >= 0
                        : seg.path + " at " + at + ": key " + keyLength + ", value " + stored;
                groupOffsets[count] = at;
                groupLengths[count] = length;
                groupPuts[count] = RecordDescriptor.type(bytes, inChunk) == RecordDescriptor.TYPE_PUT;
                groupHashes[count] = Keys.hash(bytes, RecordDescriptor.keyOffset(inChunk), keyLength);
                at += length;
                count++;
            }
            if (count == 0) {
                return seg.base + off;
            }
            touched ^= shard.touchIndex(groupHashes, count);
            for (int i = 0; i < count; i++) {
                long recordPosition = seg.base + groupOffsets[i];
                boolean live;
                shardLock.lock();
                try {
                    if (shard.scanEnds()) {
                        return RELEASED;
                    }
                    live = groupPuts[i]
                            && !skip.contains(recordPosition)
                            && shard.isLatest(groupHashes[i], recordPosition);
                    cursor = recordPosition + groupLengths[i];
                } finally {
                    shardLock.unlock();
                }
                if (live) {
                    long inChunk = groupOffsets[i] - chunk.start;
                    int keyLength = RecordDescriptor.keyLength(bytes, inChunk);
                    copyOut(
                            bytes,
                            inChunk,
                            seg,
                            groupOffsets[i],
                            keyLength,
                            RecordDescriptor.storedLength(bytes, inChunk),
                            copy);
                    deliver.run();
                }
            }
            off = at;
        }
    }

    /**
     * Hands the record at {@code inBytes} of {@code bytes} (at {@code off} of {@code seg}) to
     * {@code copy}, its value decompressed.
     */
    private void copyOut(
            MemorySegment bytes,
            long inBytes,
            Segment seg,
            long off,
            int keyLength,
            int stored,
            Shard.RecordCopier copy) {
        long valueOffset = RecordDescriptor.valueOffset(inBytes, keyLength);
        long keyOffset = RecordDescriptor.keyOffset(inBytes);
        if (RecordDescriptor.compressed(bytes, inBytes)) {
            MemorySegment value = decompress(bytes, valueOffset, stored, seg, off);
            copy.copy(bytes, keyOffset, keyLength, value, 0, (int) value.byteSize());
        } else {
            copy.copy(bytes, keyOffset, keyLength, bytes, valueOffset, stored);
        }
    }

    /** The value of a compressed record (at {@code off} of {@code seg}), decompressed into the scan's buffer. */
    private MemorySegment decompress(MemorySegment bytes, long valueOffset, int stored, Segment seg, long off) {
        int raw = Lz4Values.rawLength(bytes, valueOffset, stored, seg.path, off);
        if (valueBuffer.length < raw) {
            valueBuffer = new byte[Math.max(raw, valueBuffer.length * 2)];
        }
        Lz4Values.Scratch scratch = Lz4Values.scratch();
        long start = scratch.sampleTiming() ? System.nanoTime() : 0;
        Lz4Values.decompress(bytes, valueOffset, stored, raw, valueBuffer, 0, scratch, seg.path, off);
        shard.counters().decompressed(start);
        return MemorySegment.ofArray(valueBuffer).asSlice(0, raw);
    }

    /** Whether less than half of {@link #PREFETCH_BYTES} is asked for ahead of {@code off} in {@code seg}. */
    private boolean needsPrefetch(Segment seg, long off) {
        if (!FileUtil.canAdvise()) {
            return false; // no native access: the mapping keeps the kernel's own readahead
        }
        if (seg != prefetchSegment) {
            prefetchSegment = seg;
            prefetchedTo = off & -PAGE;
        }
        return prefetchedTo - off < PREFETCH_BYTES / 2 && prefetchedTo < seg.length;
    }

    /**
     * Keeps the kernel reading {@link #PREFETCH_BYTES} ahead of the scan. The mappings are
     * advised for random access (gets touch one record each), under which a page fault reads one
     * page: without this, a scan of a log that is not in memory would wait for every page in
     * turn. The requests (a hundred system calls for a full window) are made outside the shard's
     * lock, so writers never wait for them, inside the read gate, so that the mapping is not
     * released meanwhile; a shard released already is left alone.
     */
    private void prefetch(Segment seg, long off) {
        long from = Math.max(prefetchedTo, off & -PAGE);
        long to = Math.min(seg.length, (off & -PAGE) + PREFETCH_BYTES);
        prefetchedTo = to;
        int ticket = gate.enter();
        try {
            if (shard.scanEnds()) {
                return;
            }
            for (long at = from; at < to; at += PREFETCH_CHUNK) {
                FileUtil.adviseWillNeed(seg.map.asSlice(at, Math.min(PREFETCH_CHUNK, to - at)));
            }
        } finally {
            gate.exit(ticket);
        }
    }

    /** Held for the whole of a scan; reclamation takes it to delete a segment while no scan walks the log. */
    ReentrantLock scanLock() {
        return scanLock;
    }

    /** A writer removed the key whose latest record was at {@code removedPosition}. Under the lock. */
    void deleted(long removedPosition, MemorySegment key) {
        if (scanning && passed(removedPosition)) {
            deletedKeys.add(ByteBuffer.wrap(key.toArray(ValueLayout.JAVA_BYTE))); // visited in this life already
        }
    }

    /** A writer put a key that was absent, at {@code position}. Under the shard's lock. */
    void inserted(long position, MemorySegment key) {
        if (scanning
                && !deletedKeys.isEmpty()
                && deletedKeys.contains(ByteBuffer.wrap(key.toArray(ValueLayout.JAVA_BYTE)))) {
            skip.add(position); // deleted and written again: the scan visited it in an earlier life
        }
    }

    /** A writer replaced the key's record at {@code oldPosition} with one at {@code position}. Under the lock. */
    void replaced(long oldPosition, long position) {
        if (scanning && passed(oldPosition)) {
            skip.add(position); // the scan visited this key at an older record already
        }
    }

    /**
     * Whether the scan in progress has visited the key whose latest record is at
     * {@code position}: the scan passed that record (it was the latest when looked at, since a
     * key's latest record only moves forward), or was told to skip it (visited at an older one).
     */
    private boolean passed(long position) {
        return position < cursor || skip.holds(position);
    }
}
