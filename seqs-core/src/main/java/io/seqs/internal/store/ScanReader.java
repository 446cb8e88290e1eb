package io.seqs.internal.store;

import io.seqs.internal.fs.DirectReads;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.fs.IoThreads;
import io.seqs.internal.log.Segment;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A scan thread's reads of the log past the page cache. A log larger than memory read through
 * its mappings makes the kernel fill and evict the page cache as fast as the scan reads, which
 * cost the scan most of its CPU (docs/design.md, "Whole-store scans"); here the segment the scan
 * is in is read ahead of it with {@code O_DIRECT}, {@link #CHUNK} bytes per read, by threads
 * of the reader's own into buffers of its own (half of them being read while the scan thread
 * looks at records of the others), so that the disk always has reads to do.
 *
 * <p>What is read: only bytes known written when the read is asked for (a sealed segment
 * whole, the segment being written up to the log's tail at that moment), and log bytes below
 * the tail never change, so a chunk holds exactly what the mapping holds. (The kernel writes a
 * range's dirty pages back before it reads the range directly.) A chunk whose pages are mostly
 * in memory already is not read: it is left to the mapping, with the kernel asked to read its
 * missing pages, so a store that fits in memory is exported from memory.
 *
 * <p>Confined to one scan thread, except for the reads themselves; {@link #close()} waits for
 * every read and ends the reading threads, so a scan leaves no thread behind.
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
    /** Chunks per reading thread: each thread has one read outstanding at a time, so half the chunks are being read. */
    static final int CHUNKS_PER_READER = 2;
    /** A chunk with at least this fraction of its pages in memory is read through the mapping. */
    static final double RESIDENT_ENOUGH = 0.5;
    /** Bytes asked for per WILLNEED call for a chunk left to the mapping: see {@link ShardScan#PREFETCH_CHUNK}. */
    private static final long ADVICE_PIECE = ShardScan.PREFETCH_CHUNK;

    /**
     * System property choosing when scans read past the page cache: {@code auto} (the default)
     * for chunks mostly not in memory, {@code always} for every chunk (for tests of this path),
     * {@code never}. Read at the start of each scan.
     */
    static final String PROPERTY = "seqs.scan.direct";

    /** For tests: every read fails, as on a device that returns errors, and the mappings serve every chunk. */
    static volatile boolean failReads;

    /** Bytes read past the page cache by scans in this process. */
    private static final LongAdder BYTES_READ = new LongAdder();

    private static final java.util.concurrent.ThreadFactory THREADS = IoThreads.factory("seqs-scan-read");

    /** A part of a segment, either read into a buffer or left to the mapping. */
    static final class Chunk {
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

        /** Waits until the read is done, once; on the scan thread. */
        void await() {
            if (!awaited) {
                done.acquireUninterruptibly();
                awaited = true;
            }
        }

        /** Whether the scan takes records from {@link #bytes} (false: from the mapping). */
        boolean readable() {
            return bytes != null && read >= valid;
        }

        /** Whether the record {@code [off, off + length)} of the segment lies within this chunk's valid bytes. */
        boolean holds(long off, long length) {
            return off >= start && off + length <= start + valid;
        }
    }

    private final boolean always;
    /** Chunks this scan thread may have asked for ahead. */
    private final int chunks;

    private final Arena arena = Arena.ofShared();
    private final ThreadPoolExecutor readers;
    /** Buffers not in use, allocated on first need. */
    private final ArrayDeque<MemorySegment> buffers = new ArrayDeque<>();

    private int allocated;
    /** Chunks asked for in the current segment, in offset order; the first is the one the scan is in. */
    private final ArrayDeque<Chunk> ahead = new ArrayDeque<>();
    /** mincore's answer for one chunk: a byte per page. */
    private final MemorySegment residency;

    private Segment segment;
    /** Descriptor of {@link #segment}'s file opened for direct reads, or -1 when it cannot be read that way. */
    private int fd = -1;
    /** Offset in {@link #segment} up to which chunks were asked for. */
    private long next;

    private ScanReader(boolean always, int chunks) {
        this.always = always;
        this.chunks = chunks;
        this.residency = arena.allocate(CHUNK / DirectReads.ALIGNMENT);
        int threads = chunks / CHUNKS_PER_READER;
        this.readers =
                new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), THREADS);
    }

    /**
     * A reader for one of {@code scanThreads} threads of a scan, or null where scans read
     * through their mappings only. Its buffers and reading threads come when first needed.
     */
    static ScanReader create(int scanThreads) {
        String mode = System.getProperty(PROPERTY, "auto");
        if (!DirectReads.available() || mode.equals("never")) {
            return null;
        }
        return new ScanReader(mode.equals("always"), Math.max(MIN_CHUNKS, CALL_CHUNKS / scanThreads));
    }

    /** Bytes read past the page cache by scans in this process since it started. */
    static long bytesRead() {
        return BYTES_READ.sum();
    }

    /**
     * Moves the reader to {@code seg}, the scan being at {@code off} in it: reads asked for in
     * another segment are waited for and dropped, and the file is opened for direct reads.
     */
    void enter(Segment seg, long off) {
        if (seg == segment) {
            return;
        }
        leave();
        segment = seg;
        next = off;
        fd = DirectReads.open(seg.path);
    }

    /** Whether the segment the reader is in is read past the page cache (so the mapping needs no readahead). */
    boolean reads(Segment seg) {
        return seg == segment && fd >= 0;
    }

    /** Whether {@link #request} would ask for anything with {@code limit}. */
    boolean wantsMore(long limit) {
        return fd >= 0 && ahead.size() < chunks && next < limit;
    }

    /**
     * Asks for chunks of the current segment up to {@code limit} (bytes of it known written)
     * until as many as this reader may have are outstanding. Reads the mapping's page state, so the caller holds
     * the read gate and has checked that the shard is not released.
     */
    void request(long limit) {
        while (wantsMore(limit)) {
            Chunk chunk = new Chunk();
            // a chunk after one that ended at an unaligned tail starts at the page holding that
            // tail again: the record there was cut off in the chunk before
            chunk.start = next & -DirectReads.ALIGNMENT;
            long end = Math.min(chunk.start + CHUNK, limit);
            chunk.valid = end - chunk.start;
            next = end;
            long length = (chunk.valid + DirectReads.ALIGNMENT - 1) & -DirectReads.ALIGNMENT;
            MemorySegment range = segment.map.asSlice(chunk.start, length);
            if (!always && DirectReads.residentFraction(range, residency) >= RESIDENT_ENOUGH) {
                for (long at = 0; at < length; at += ADVICE_PIECE) {
                    FileUtil.adviseWillNeed(range.asSlice(at, Math.min(ADVICE_PIECE, length - at)));
                }
                chunk.done.release(); // left to the mapping, whose missing pages the kernel now reads
            } else {
                chunk.buffer = buffer();
                chunk.bytes = chunk.buffer.asSlice(0, length);
                int file = fd;
                readers.execute(() -> read(chunk, file));
            }
            ahead.addLast(chunk);
        }
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
     * The chunk holding the start of the record at {@code off} of the current segment, read, or
     * null when the mapping is to serve it: not asked for (beyond what was known written, or a
     * file that cannot be read directly), left to the mapping, or a failed read. Chunks the scan
     * has passed are dropped. Waits for the read, so never call it holding a lock or the gate.
     */
    Chunk at(long off) {
        for (Chunk head; (head = ahead.peekFirst()) != null && head.start + head.valid <= off; ) {
            drop(ahead.pollFirst());
        }
        Chunk head = ahead.peekFirst();
        if (head == null || head.start > off) {
            return null;
        }
        head.await();
        return head.readable() ? head : null;
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
            allocated++;
            b = arena.allocate(CHUNK, DirectReads.ALIGNMENT);
        }
        return b;
    }

    /** Waits for the reads of the current segment and closes its file; the reader is then in no segment. */
    void leave() {
        while (!ahead.isEmpty()) {
            drop(ahead.pollFirst());
        }
        if (fd >= 0) {
            DirectReads.close(fd);
            fd = -1;
        }
        segment = null;
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
