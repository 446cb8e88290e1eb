package io.seqs.internal.store;

import static io.seqs.internal.format.RecordDescriptor.HEADER_LENGTH;

import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.fs.DirectReads;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.fs.IoThreads;
import io.seqs.internal.log.Segment;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A scan thread's reads of the log past the page cache. A log larger than memory read through
 * its mappings makes the kernel fill and evict the page cache as fast as the scan reads, which
 * cost the scan most of its CPU (docs/design.md, "Whole-store scans"); here the shard's
 * segments are read ahead of the scan with {@code O_DIRECT}, in log order and on across segment
 * boundaries, {@link #CHUNK} bytes per read, by threads of the reader's own into buffers of its
 * own (half of them being read while the scan thread looks at records of the others), so that
 * the device always has reads to do. The scan tells the reader what to read ({@link #plan}) and
 * takes the chunks in order ({@link #at}, {@link #joined}).
 *
 * <p>What is read: only bytes known written when the read is asked for (a sealed segment up to
 * where its records end, the last segment up to the log's tail at that moment), and log bytes
 * below the tail never change, so a chunk holds exactly what the mapping holds. (The kernel
 * writes a range's dirty pages back before it reads the range directly.) A chunk whose pages
 * are mostly in memory already is not read: it is left to the mapping, with the kernel asked to
 * read its missing pages.
 *
 * <p>Confined to one scan thread, except for the reads themselves; {@link #leave()} waits for
 * a shard's reads and closes its files, {@link #close()} also ends the reading threads, so a
 * scan leaves no thread or descriptor behind.
 */
final class ScanReader implements AutoCloseable {
    /** Bytes per read: large enough for a few reads to keep a fast device's queue full. */
    static final long CHUNK = 8L << 20;
    /**
     * Chunks one scan (all its threads) may have asked for ahead, so at most
     * {@code CALL_CHUNKS * CHUNK} bytes (128 MiB) of memory, whatever the number of threads; a
     * thread has at least {@link #MIN_CHUNKS}.
     */
    static final int CALL_CHUNKS = 16;
    /** Chunks a scan thread may have asked for ahead, at least: two read while two are looked at. */
    static final int MIN_CHUNKS = 4;
    /**
     * Alignment of the buffers read into: a huge page, which the kernel is asked to back them
     * with, so that a read hands the device a few large physically contiguous pieces of memory
     * rather than one per 4 KiB page. Each request the device takes holds a bounded number of
     * such pieces, so buffers of scattered 4 KiB pages (such as memory the process used before)
     * split every read into requests of well under a megabyte, and the device then reads at half
     * its speed (docs/design.md).
     */
    static final long BUFFER_ALIGNMENT = 2L << 20;
    /** Bytes of a cache line: what {@link Chunk#warm} loads one byte of. */
    static final int CACHE_LINE = 64;
    /**
     * How far ahead of the record it is at the scan has a chunk's lines loaded
     * ({@link Chunk#warm}): a group of records ({@link ShardScan#GROUP}) of up to 4 KiB each,
     * well within a core's second-level cache.
     */
    static final long WARM_AHEAD = 64L << 10;
    /** Chunks per reading thread: each has one read outstanding at a time, so half the chunks are being read. */
    static final int CHUNKS_PER_READER = 2;
    /** A chunk with at least this fraction of its pages in memory is read through the mapping. */
    static final double RESIDENT_ENOUGH = 0.5;
    /** Bytes asked for per WILLNEED call for a chunk left to the mapping: see {@link ShardScan#PREFETCH_CHUNK}. */
    private static final long ADVICE_PIECE = ShardScan.PREFETCH_CHUNK;

    /**
     * System property choosing when scans read past the page cache: {@code auto} (the default)
     * when the log is larger than memory ({@link #worthIt}), then for chunks mostly not in memory;
     * {@code uncached} for chunks mostly not in memory whatever the log's size; {@code always} for
     * every chunk of every scan (for tests of this path); {@code never}. Read at the start of each
     * scan.
     */
    static final String PROPERTY = "seqs.scan.direct";

    /** For tests: every read fails, as on a device that returns errors, and the mappings serve every chunk. */
    static volatile boolean failReads;

    /** Bytes read past the page cache by scans in this process. */
    private static final LongAdder BYTES_READ = new LongAdder();
    /** Regions of read buffers mapped by scans in this process, and of those the ones advised for huge pages. */
    private static final LongAdder REGIONS = new LongAdder();

    private static final LongAdder REGIONS_ADVISED = new LongAdder();

    private static final java.util.concurrent.ThreadFactory THREADS = IoThreads.factory("seqs-scan-read");

    /** A part of a segment, either read into a buffer or left to the mapping. */
    static final class Chunk {
        /** The planned segment it is part of. */
        int index;
        /** Whether that segment was sealed (not the last planned) when the chunk was asked for. */
        boolean sealed;
        /** Offset in the segment of the first byte, a multiple of {@link DirectReads#ALIGNMENT}. */
        long start;
        /** Bytes from {@link #start} that hold log below the tail when the read was asked for. */
        long valid;
        /** The part of {@link #buffer} read into, or null for a chunk left to the mapping. */
        MemorySegment bytes;
        /** A whole buffer of {@link #CHUNK} bytes, or null. */
        MemorySegment buffer;
        /** Bytes the read returned, or -1 when it failed. */
        volatile long read;
        /** Released once the read is done (at once for a chunk left to the mapping). */
        final Semaphore done = new Semaphore(0);
        /** Whether the scan thread has waited for {@link #done} already. */
        private boolean awaited;
        /** Bytes from {@link #start} whose cache lines {@link #warm} has loaded; a multiple of {@link #CACHE_LINE}. */
        private long warmedTo;

        /** Waits until the read is done, once; on the scan thread. */
        void await() {
            if (!awaited) {
                done.acquireUninterruptibly();
                awaited = true;
            }
        }

        /**
         * Loads one byte of each cache line of the valid bytes from where the last call stopped
         * up to the segment offset {@code upTo}, in order, and returns them XORed (for the caller
         * to keep, so that the loads are made). The device writes a chunk into memory, not into
         * a cache, and the scan walks it header to header: each header's place is known only once
         * the one before is read, so each would wait for memory in turn, and the strides between
         * them (record lengths) are too irregular for the hardware to guess. Loads of consecutive
         * lines that depend on nothing overlap, and the hardware streams the lines after them,
         * so the records a scan looks at next are in the core's cache when it reaches them. For
         * a readable chunk, on the scan thread.
         */
        long warm(long upTo) {
            long to = Math.min(upTo - start, valid);
            long seen = 0;
            long in = warmedTo;
            for (; in < to; in += CACHE_LINE) {
                seen ^= bytes.get(ValueLayout.JAVA_BYTE, in);
            }
            warmedTo = Math.max(warmedTo, in);
            return seen;
        }

        /** Whether the scan takes records from {@link #bytes} (false: from the mapping). */
        boolean readable() {
            return bytes != null && read >= valid;
        }

        /** Whether the record {@code [off, off + length)} of the segment lies within this chunk's valid bytes. */
        boolean holds(long off, long length) {
            return off >= start && off + length <= start + valid;
        }

        /**
         * Whether the segment's records end at {@code off}, as this chunk shows: the header
         * there is all zero, within the valid bytes, or, in a segment sealed when the chunk was
         * asked for, in the bytes read past the valid ones (past where a sealed segment's records
         * end nothing is ever written).
         */
        boolean endsSegmentAt(long off) {
            long in = off - start;
            if (in < 0 || !readable()) {
                return false;
            }
            long known = sealed ? Math.min(read, bytes.byteSize()) : valid;
            return in + HEADER_LENGTH <= known && RecordDescriptor.isEnd(bytes, in);
        }
    }

    private final boolean always;
    /** Chunks this scan thread may have asked for ahead. */
    private final int chunks;

    private final Arena arena = Arena.ofShared();
    private final ThreadPoolExecutor readers;
    /** Buffers not in use, carved from {@link #region} on first need. */
    private final ArrayDeque<MemorySegment> buffers = new ArrayDeque<>();
    /**
     * Room for {@link #chunks} buffers: fresh anonymous memory mapped at the first read, whose
     * pages the kernel supplies (as huge pages where it can) only as reads first fill them, and
     * which is unmapped when the reader closes.
     */
    private MemorySegment region;

    private int allocated;
    /** Chunks asked for, in log order; the first is the one the scan is in or has yet to reach. */
    private final ArrayDeque<Chunk> ahead = new ArrayDeque<>();
    /** Where {@link #joined} puts a record together; grows to the longest. */
    private MemorySegment join = MemorySegment.ofArray(new byte[4096]);
    /** mincore's answer for one chunk: a byte per page. */
    private final MemorySegment residency;

    // ---- the plan: the shard's segments in log order, and how much of each is known written ----
    private final ArrayList<Segment> planned = new ArrayList<>();
    /** Bytes of each planned segment known written. */
    private long[] written = new long[16];
    /** Descriptor of each planned segment's file opened for direct reads; -1 not (yet) opened, -2 not readable so. */
    private int[] files = new int[16];
    /** The planned segment chunks are asked for in, and the offset in it up to which they were. */
    private int requestIndex;

    private long next;
    /** Planned segments before this one have been left by the scan: their files are closed. */
    private int firstOpen;

    private ScanReader(boolean always, int chunks) {
        this.always = always;
        this.chunks = chunks;
        this.residency = arena.allocate(CHUNK / DirectReads.ALIGNMENT);
        int threads = chunks / CHUNKS_PER_READER;
        this.readers =
                new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), THREADS);
    }

    /**
     * Whether a scan of {@code logBytes} of log should read past the page cache: where it can,
     * and the log is larger than the memory the page cache could have
     * ({@link DirectReads#availableMemory}). A log that fits is read through the mappings, as
     * fast or faster (the kernel's readahead, no reclaim to pay: see docs/design.md) and left in
     * memory for the reads after it; one that does not would only evict the rest of the page
     * cache on its way through. {@link #PROPERTY} overrides this.
     */
    static boolean worthIt(long logBytes) {
        if (!DirectReads.available()) {
            return false;
        }
        return switch (System.getProperty(PROPERTY, "auto")) {
            case "always", "uncached" -> true;
            case "never" -> false;
            default -> {
                long memory = DirectReads.availableMemory();
                yield memory >= 0 && logBytes > memory;
            }
        };
    }

    /**
     * A reader for one of {@code scanThreads} threads of a scan that {@link #worthIt} reads past
     * the page cache. Its buffers and reading threads come when first needed.
     */
    static ScanReader create(int scanThreads) {
        return new ScanReader(
                System.getProperty(PROPERTY, "auto").equals("always"), Math.max(MIN_CHUNKS, CALL_CHUNKS / scanThreads));
    }

    /** Bytes read past the page cache by scans in this process since it started. */
    static long bytesRead() {
        return BYTES_READ.sum();
    }

    /** Buffer regions mapped by scans in this process since it started, and how many were advised for huge pages. */
    static long[] regions() {
        return new long[] {REGIONS.sum(), REGIONS_ADVISED.sum()};
    }

    /**
     * Tells the reader that the shard's segment at {@code index} (in log order, counted from
     * the first at the scan's start) is {@code seg} and holds at least {@code bytesWritten}
     * bytes of log: at the scan's start for every segment, then whenever the scan learns more.
     */
    void plan(int index, Segment seg, long bytesWritten) {
        if (index == planned.size()) {
            planned.add(seg);
            if (index == written.length) {
                written = Arrays.copyOf(written, index * 2);
                files = Arrays.copyOf(files, index * 2);
            }
            written[index] = bytesWritten;
            files[index] = -1;
        } else {
            assert index < planned.size() && planned.get(index) == seg : index + ": " + seg;
            written[index] = Math.max(written[index], bytesWritten);
        }
    }

    /** Segments planned. */
    int planned() {
        return planned.size();
    }

    /** Whether the planned segment {@code index} is read past the page cache (so the mapping needs no readahead). */
    boolean reads(int index) {
        return index < planned.size() && files[index] >= 0;
    }

    /** Whether {@link #request} would ask for anything. */
    boolean wantsMore() {
        return ahead.size() < chunks
                && requestIndex < planned.size()
                && (next < written[requestIndex] || requestIndex + 1 < planned.size());
    }

    /**
     * Asks for chunks of the planned segments, in order from where the last request stopped, up
     * to what is known written of each, until as many as this reader may have are outstanding.
     * Reads the mappings' page state, so the caller holds the read gate and has checked that
     * the shard is not released.
     */
    void request() {
        while (ahead.size() < chunks && requestIndex < planned.size()) {
            if (next >= written[requestIndex]) {
                if (requestIndex + 1 == planned.size()) {
                    return; // all known written is asked for; the scan will tell of more
                }
                requestIndex++;
                next = 0;
                continue;
            }
            Segment seg = planned.get(requestIndex);
            Chunk chunk = new Chunk();
            chunk.index = requestIndex;
            chunk.sealed = requestIndex + 1 < planned.size();
            // a chunk after one that ended at an unaligned tail starts at the page holding that
            // tail again: the record there was cut off in the chunk before
            chunk.start = next & -DirectReads.ALIGNMENT;
            long end = Math.min(chunk.start + CHUNK, written[requestIndex]);
            chunk.valid = end - chunk.start;
            next = end;
            long length = (chunk.valid + DirectReads.ALIGNMENT - 1) & -DirectReads.ALIGNMENT;
            MemorySegment range = seg.map.asSlice(chunk.start, length);
            int fd = file(requestIndex);
            if (fd < 0) {
                chunk.done.release(); // a file not readable so: the scan's own readahead serves the mapping
            } else if (!always && DirectReads.residentFraction(range, residency) >= RESIDENT_ENOUGH) {
                for (long at = 0; at < length; at += ADVICE_PIECE) {
                    FileUtil.adviseWillNeed(range.asSlice(at, Math.min(ADVICE_PIECE, length - at)));
                }
                chunk.done.release(); // left to the mapping, whose missing pages the kernel now reads
            } else {
                chunk.buffer = buffer();
                chunk.bytes = chunk.buffer.asSlice(0, length);
                readers.execute(() -> read(chunk, fd));
            }
            ahead.addLast(chunk);
        }
    }

    /** The descriptor of planned segment {@code index}'s file opened for direct reads, or a negative value. */
    private int file(int index) {
        if (files[index] == -1) {
            int fd = DirectReads.open(planned.get(index).path);
            files[index] = fd >= 0 ? fd : -2;
        }
        return files[index];
    }

    /** On a reading thread. */
    private static void read(Chunk chunk, int fd) {
        long n = -1;
        try {
            n = failReads ? -1 : DirectReads.pread(fd, chunk.bytes, chunk.start);
            if (n > 0) {
                BYTES_READ.add(n);
            }
        } catch (RuntimeException | Error e) {
            n = -1; // the mapping reads this chunk instead, and meets any I/O error itself
        } finally {
            chunk.read = n;
            chunk.done.release();
        }
    }

    /**
     * The chunk holding the start of the record at {@code off} of planned segment {@code index},
     * read, or null when the mapping is to serve it: not asked for (beyond what was known
     * written, or a file that cannot be read directly), left to the mapping, or a failed read.
     * Chunks the scan has passed are dropped, and the files of segments it has left closed.
     * Waits for the read, so never call it holding a lock or the gate.
     */
    Chunk at(int index, long off) {
        for (Chunk head;
                (head = ahead.peekFirst()) != null
                        && (head.index < index || (head.index == index && head.start + head.valid <= off)); ) {
            drop(ahead.pollFirst());
        }
        for (; firstOpen < Math.min(index, planned.size()); firstOpen++) {
            closeFile(firstOpen); // every chunk of it is dropped: chunks are in log order
        }
        if (index >= planned.size()) {
            return null;
        }
        if (requestIndex < index || (requestIndex == index && next < off)) {
            requestIndex = index; // the scan went past what was asked for (through the mapping): ask from here
            next = off;
        }
        Chunk head = ahead.peekFirst();
        if (head == null || head.index != index || head.start > off) {
            return null;
        }
        head.await();
        return head.readable() ? head : null;
    }

    private void closeFile(int index) {
        if (files[index] >= 0) {
            DirectReads.close(files[index]);
        }
        files[index] = -2;
    }

    /**
     * The record at {@code off}, cut off at the end of {@code chunk} (the first chunk asked
     * for), put together with the rest of it from the next chunk in memory of the reader's own,
     * or null when the next chunk does not hold the rest (not of this segment, not read, or the
     * record is longer). Valid until the next call. Waits for the next chunk's read.
     */
    MemorySegment joined(Chunk chunk, long off) {
        assert ahead.peekFirst() == chunk && chunk.holds(off, 1) : off;
        Iterator<Chunk> it = ahead.iterator();
        it.next();
        Chunk next = it.hasNext() ? it.next() : null;
        if (next == null || next.index != chunk.index || next.start > chunk.start + chunk.valid) {
            return null;
        }
        next.await();
        long end = next.start + next.valid;
        if (!next.readable() || off + HEADER_LENGTH > end) {
            return null;
        }
        copyJoined(chunk, next, off, HEADER_LENGTH);
        long length = RecordDescriptor.recordLength(
                RecordDescriptor.keyLength(join, 0), RecordDescriptor.storedLength(join, 0));
        if (off + length > end) {
            return null;
        }
        copyJoined(chunk, next, off, length);
        return join.asSlice(0, length);
    }

    /** Copies {@code length} bytes of the segment from {@code off} on out of two chunks into {@link #join}. */
    private void copyJoined(Chunk chunk, Chunk next, long off, long length) {
        if (join.byteSize() < length) {
            join = MemorySegment.ofArray(new byte[Math.toIntExact(Math.max(length, join.byteSize() * 2))]);
        }
        long first = Math.min(length, chunk.start + chunk.valid - off);
        MemorySegment.copy(chunk.bytes, off - chunk.start, join, 0, first);
        if (first < length) {
            MemorySegment.copy(next.bytes, off + first - next.start, join, first, length - first);
        }
    }

    private void drop(Chunk chunk) {
        chunk.await();
        if (chunk.buffer != null) {
            buffers.addLast(chunk.buffer);
            chunk.buffer = null;
            chunk.bytes = null;
        }
    }

    private MemorySegment buffer() {
        MemorySegment b = buffers.pollFirst();
        if (b == null) {
            assert allocated < chunks : allocated;
            if (region == null) {
                region = mapRegion(chunks * CHUNK);
            }
            b = region.asSlice(allocated * CHUNK, CHUNK);
            allocated++;
        }
        assert b.address() % BUFFER_ALIGNMENT == 0 && b.byteSize() == CHUNK : b;
        return b;
    }

    /** {@code bytes} of new memory aligned to {@link #BUFFER_ALIGNMENT}, advised for huge pages; the arena frees it. */
    private MemorySegment mapRegion(long bytes) {
        MemorySegment mapped = FileUtil.allocateZeroed(arena, bytes + BUFFER_ALIGNMENT, null);
        long skip = (BUFFER_ALIGNMENT - mapped.address() % BUFFER_ALIGNMENT) % BUFFER_ALIGNMENT;
        MemorySegment aligned = mapped.asSlice(skip, bytes);
        REGIONS.increment();
        if (FileUtil.adviseHugePages(aligned)) { // advice only: without huge pages the reads still work
            REGIONS_ADVISED.increment();
        }
        return aligned;
    }

    /** Waits for every read asked for and closes every file: the scan of a shard is over, and the plan with it. */
    void leave() {
        while (!ahead.isEmpty()) {
            drop(ahead.pollFirst());
        }
        for (int i = firstOpen; i < planned.size(); i++) {
            closeFile(i);
        }
        planned.clear();
        requestIndex = 0;
        next = 0;
        firstOpen = 0;
    }

    @Override
    public void close() {
        try {
            leave();
        } finally {
            readers.shutdown();
            boolean interrupted = false;
            for (; ; ) {
                try {
                    if (readers.awaitTermination(1, TimeUnit.MINUTES)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt(); // a thread of seqs' own: kept as it was
            }
            arena.close();
        }
    }
}
