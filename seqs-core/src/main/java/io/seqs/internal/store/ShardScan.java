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
import java.util.Arrays;
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

    private final MemorySegment[] groupSources = new MemorySegment[GROUP];
    /** Where each record of the group starts in its source. */
    private final long[] groupStarts = new long[GROUP];

    private final long[] groupOffsets = new long[GROUP];
    private final long[] groupLengths = new long[GROUP];
    /** Each record's key length, stored value length and LZ4 flag, read from its header once. */
    private final int[] groupKeyLengths = new int[GROUP];

    private final int[] groupStored = new int[GROUP];
    private final boolean[] groupCompressed = new boolean[GROUP];
    private final long[] groupHashes = new long[GROUP];
    private final boolean[] groupPuts = new boolean[GROUP];
    /** Made of the index slots and chunk lines read ahead, so that those reads are not optimized away. */
    private long touched;
    /** Log position where a chunk showed the segment the scan is in to end, or -1. */
    private long segmentEnd = -1;

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
        Segment seg; // the segment the scan is in
        Segment[] chain = null; // for the reader's plan: the segments at the start, and the tail
        long tail = 0;
        shardLock.lock();
        try {
            if (shard.scanEnds()) {
                return false;
            }
            if (segments.isEmpty()) {
                return true;
            }
            scanning = true;
            segmentEnd = -1;
            skip.clear();
            deletedKeys.clear();
            prefetchSegment = null;
            seg = segments.get(0);
            position = seg.base + SegmentDescriptor.HEADER_LENGTH;
            cursor = position;
            if (reader != null) {
                chain = segments.list().toArray(Segment[]::new);
                tail = log.tail();
            }
        } finally {
            shardLock.unlock();
        }
        if (reader != null && !plan(reader, chain, tail)) {
            return false;
        }
        for (; ; ) {
            if (reader != null) {
                long next = fromChunk(reader, segmentIndex, seg, position, copy, deliver);
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
                    planMore(reader, segmentIndex, seg);
                }
                long off = position - seg.base;
                if (position >= log.tail()) {
                    return true;
                }
                if (recordsEndAt(seg, off)) {
                    // the rest of this segment was never written: the next one starts the log again
                    segmentIndex++;
                    segmentEnd = -1;
                    assert segmentIndex < segments.size()
                            : "scan of " + dir + " ran past the last segment below the tail";
                    seg = segments.get(segmentIndex);
                    if (reader != null) {
                        planMore(reader, segmentIndex, seg);
                    }
                    position = seg.base + SegmentDescriptor.HEADER_LENGTH;
                    cursor = position;
                    continue;
                }
                if ((reader == null || !reader.reads(segmentIndex)) && needsPrefetch(seg, off)) {
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
                    copyOut(seg.map, off, seg, off, keyLength, stored, RecordDescriptor.compressed(seg.map, off), copy);
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
     * Whether the records of {@code seg} end at {@code off}: a chunk showed it, there is no room
     * for a header, or the header there is all zero (the rest of the segment was never written).
     */
    private boolean recordsEndAt(Segment seg, long off) {
        return seg.base + off == segmentEnd || off + HEADER_LENGTH > seg.length || RecordDescriptor.isEnd(seg.map, off);
    }

    /**
     * Plans the reader's reads of the segments {@code chain} the shard had at the scan's start:
     * each sealed one up to where its records end, the last up to {@code tail}. Outside the
     * shard's lock (the headers read may not be in memory) and inside the read gate.
     *
     * @return false when the shard was released
     */
    private boolean plan(ScanReader reader, Segment[] chain, long tail) {
        int ticket = gate.enter();
        try {
            if (shard.scanEnds()) {
                return false;
            }
            for (int i = 0; i < chain.length; i++) {
                Segment seg = chain[i];
                long written = i + 1 < chain.length
                        ? recordsEnd(seg, chain[i + 1])
                        : Math.clamp(tail - seg.base, 0, seg.length);
                reader.plan(i, seg, written);
            }
            return true;
        } finally {
            gate.exit(ticket);
        }
    }

    /**
     * Tells the reader what more is known written in the segment the scan is in: the last
     * segment grows up to the tail, and segments added since the scan's start are planned as the
     * scan reaches them. Under the lock.
     */
    private void planMore(ScanReader reader, int index, Segment seg) {
        boolean last = index == segments.size() - 1;
        if (last) {
            reader.plan(index, seg, Math.clamp(log.tail() - seg.base, 0, seg.length));
        } else if (index >= reader.planned()) {
            reader.plan(index, seg, recordsEnd(seg, segments.get(index + 1)));
        }
    }

    /**
     * Where the records of the sealed segment {@code seg} end, as an offset in it: the next
     * segment's header records it (unless a segment between them was reclaimed: then the whole file).
     */
    private static long recordsEnd(Segment seg, Segment next) {
        long end = SegmentDescriptor.previousEnd(next.map) - seg.base;
        return end > SegmentDescriptor.HEADER_LENGTH && end <= seg.length ? end : seg.length;
    }

    /**
     * Takes the records from {@code position} on that {@code reader} has read past the page
     * cache, as far as its chunk holding {@code position} goes, first asking it to read ahead.
     *
     * @return the position after the records taken ({@code position} when the mapping is to
     *     serve the record there), or {@link #RELEASED}
     */
    private long fromChunk(
            ScanReader reader,
            int segmentIndex,
            Segment seg,
            long position,
            Shard.RecordCopier copy,
            Runnable deliver) {
        if (reader.wantsMore()) {
            int ticket = gate.enter();
            try {
                if (shard.scanEnds()) {
                    return RELEASED;
                }
                reader.request();
            } finally {
                gate.exit(ticket);
            }
        }
        ScanReader.Chunk chunk = reader.at(segmentIndex, position - seg.base);
        return chunk == null ? position : fromChunk(reader, chunk, seg, position, copy, deliver);
    }

    /**
     * Takes the records of {@code chunk} from {@code position} on, {@link #GROUP} at a time:
     * the chunk's lines are loaded into the cache ahead of them ({@link ScanReader.Chunk#warm}),
     * their headers are read and their keys hashed without the lock (the chunk is the scan's
     * own copy of log bytes that never change), their index slots are read ahead together, and
     * each is then looked at under the lock as the mapping's records are, and copied after it.
     * A record cut off at the chunk's end is put together from this chunk and the next, and the
     * segment's end is seen in the chunk, so that the scan does not fault pages of the mapping
     * in one at a time while the reads past the page cache keep the device busy.
     */
    private long fromChunk(
            ScanReader reader,
            ScanReader.Chunk chunk,
            Segment seg,
            long position,
            Shard.RecordCopier copy,
            Runnable deliver) {
        long off = position - seg.base;
        for (; ; ) {
            int count = 0;
            long at = off;
            touched ^= chunk.warm(at + ScanReader.WARM_AHEAD);
            while (count < GROUP) {
                MemorySegment source = chunk.bytes;
                long in = at - chunk.start;
                if (chunk.endsSegmentAt(at)) {
                    segmentEnd = seg.base + at; // the mapping's step moves to the next segment
                    break;
                }
                if (!chunk.holds(at, 1)) {
                    break;
                }
                long word = 0; // the header's first 8 bytes, read once: key length, type and flags
                int stored = 0;
                boolean joined = !chunk.holds(at, HEADER_LENGTH);
                if (!joined) {
                    word = RecordDescriptor.firstWord(source, in);
                    stored = RecordDescriptor.storedLength(source, in);
                    joined =
                            !chunk.holds(at, RecordDescriptor.recordLength(RecordDescriptor.keyLengthOf(word), stored));
                }
                if (joined) {
                    source = reader.joined(chunk, at); // cut off at the chunk's end
                    in = 0;
                    if (source == null) {
                        break; // longer than the next chunk, or that one is not read: the mapping serves it
                    }
                    word = RecordDescriptor.firstWord(source, in);
                    stored = RecordDescriptor.storedLength(source, in);
                }
                int keyLength = RecordDescriptor.keyLengthOf(word);
                assert keyLength > 0 && stored >= 0
                        : seg.path + " at " + at + ": key " + keyLength + ", value " + stored;
                groupSources[count] = source;
                groupStarts[count] = in;
                groupOffsets[count] = at;
                groupKeyLengths[count] = keyLength;
                groupStored[count] = stored;
                groupLengths[count] = RecordDescriptor.recordLength(keyLength, stored);
                groupPuts[count] = RecordDescriptor.typeOf(word) == RecordDescriptor.TYPE_PUT;
                groupCompressed[count] = RecordDescriptor.compressedOf(word);
                groupHashes[count] = Keys.hash(source, RecordDescriptor.keyOffset(in), keyLength);
                at += groupLengths[count];
                count++;
                if (joined) {
                    break; // the rest is in the next chunk
                }
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
                    copyOut(
                            groupSources[i],
                            groupStarts[i],
                            seg,
                            groupOffsets[i],
                            groupKeyLengths[i],
                            groupStored[i],
                            groupCompressed[i],
                            copy);
                    deliver.run();
                }
            }
            Arrays.fill(groupSources, 0, count, null);
            off = at;
            if (!chunk.holds(off, 1)) {
                return seg.base + off; // the next chunk, or the mapping, takes it from here
            }
        }
    }

    /**
     * Hands the record at {@code inBytes} of {@code bytes} (at {@code off} of {@code seg}), whose
     * header holds {@code keyLength}, {@code stored} and {@code compressed}, to {@code copy}, its
     * value decompressed.
     */
    private void copyOut(
            MemorySegment bytes,
            long inBytes,
            Segment seg,
            long off,
            int keyLength,
            int stored,
            boolean compressed,
            Shard.RecordCopier copy) {
        assert keyLength == RecordDescriptor.keyLength(bytes, inBytes)
                        && stored == RecordDescriptor.storedLength(bytes, inBytes)
                        && compressed == RecordDescriptor.compressed(bytes, inBytes)
                : seg.path + " at " + off;
        long valueOffset = RecordDescriptor.valueOffset(inBytes, keyLength);
        long keyOffset = RecordDescriptor.keyOffset(inBytes);
        if (compressed) {
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
