package io.seqs.internal.store;

import io.seqs.internal.fs.IoThreads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole-store scan ({@code forEach}) with the shards read in parallel: scan threads of seqs'
 * own each take shards in turn and run {@link Shard#forEachLive} over them, copying live records
 * into batches under each shard's lock (as a put copies its record) and handing full batches to
 * the caller's thread, which runs the caller's action on every record without any lock of the
 * store. Reading, checking the index, decompressing and copying thus run on up to
 * {@link #MAX_THREADS} cores at once while the action runs on the caller's thread; each shard's
 * records still arrive in log order, interleaved with other shards' records. When the log is
 * larger than memory, each scan thread reads it past the page cache through a
 * {@link ScanReader} of its own, closed (its reading threads ended) before the thread ends.
 *
 * <p>Memory is bounded: each scan thread owns {@link #BATCHES_PER_THREAD} off-heap batches of
 * {@link #BATCH_BYTES}, refilled only after the caller's thread has handed one back; a record
 * too large for the room left in its batch gets an array of its own. A scan thread never waits
 * while it holds a shard's lock, and the caller's thread waits only for batches, so an action
 * may call the store (put, delete, get, reset) while the scan runs. An action that throws, a
 * failing scan thread, a reset or a close ends the scan: the caller's thread stops delivering,
 * waits until every scan thread has let go of its shard, and then returns or throws.
 */
public final class ParallelScan {
    /** Most scan threads of one call: each keeps one disk stream and one core busy. */
    static final int MAX_THREADS = 8;
    /** Bytes of one batch; a scan thread hands a batch over once less than {@link #INLINE_MAX} is left. */
    static final long BATCH_BYTES = 1L << 20;
    /** Largest record (key + value) copied into a batch's buffer; larger ones get an array each. */
    static final long INLINE_MAX = 64L << 10;
    /** Records in one batch at most (small records would otherwise make batches of tens of thousands). */
    static final int BATCH_RECORDS = 2048;
    /** Batches per scan thread: one being filled while the caller's thread delivers the other. */
    static final int BATCHES_PER_THREAD = 2;

    private static final ThreadFactory THREADS = IoThreads.factory("seqs-scan");

    /** Receives one record on the caller's thread, without any lock of the store. */
    @FunctionalInterface
    public interface RecordSink {
        /**
         * @param source holds the key at {@code keyOffset} and the (uncompressed) value right after it
         */
        void accept(MemorySegment source, long keyOffset, int keyLength, int valueLength);
    }

    /** Threads inside a call of this store: an action that calls forEach again would wait for itself. */
    private final Set<Thread> callers = ConcurrentHashMap.newKeySet();

    /**
     * Scans {@code shards} and hands every live record to {@code sink}: see the class comment.
     *
     * @param shards the shards of the live epoch
     * @param sink receives each record on the calling thread
     * @throws IllegalStateException when called from inside a scan of the same store
     */
    public void run(Shard[] shards, RecordSink sink) {
        Thread caller = Thread.currentThread();
        if (!callers.add(caller)) {
            throw new IllegalStateException("forEach cannot be called from inside forEach of the same store");
        }
        try (Arena arena = Arena.ofShared()) {
            new Call(shards, arena).run(sink);
        } finally {
            callers.remove(caller);
        }
    }

    /** One call's threads, batches and outcome. */
    private static final class Call {
        private final Shard[] shards;
        private final AtomicInteger nextShard = new AtomicInteger();
        private final BlockingQueue<Batch> full;
        private final Worker[] workers;
        /** Set by the caller's thread: scan threads stop at their next record. */
        private volatile boolean cancelled;
        /** Whether the scan threads read the log past the page cache (see {@link ScanReader#worthIt}). */
        private final boolean pastTheCache;

        Call(Shard[] shards, Arena arena) {
            this.shards = shards;
            long logBytes = 0;
            for (Shard shard : shards) {
                logBytes += shard.logBytes();
            }
            this.pastTheCache = ScanReader.worthIt(logBytes);
            int threads =
                    Math.clamp(Runtime.getRuntime().availableProcessors(), 1, Math.min(MAX_THREADS, shards.length));
            // room for every batch in circulation and each thread's end: a scan thread never waits to hand over
            this.full = new ArrayBlockingQueue<>(threads * (BATCHES_PER_THREAD + 1));
            this.workers = new Worker[threads];
            for (int i = 0; i < threads; i++) {
                workers[i] = new Worker(arena);
            }
        }

        void run(RecordSink sink) {
            Thread[] threads = new Thread[workers.length];
            for (int i = 0; i < workers.length; i++) {
                threads[i] = THREADS.newThread(workers[i]);
                threads[i].start();
            }
            Throwable failure = null;
            boolean interrupted = false;
            int ended = 0;
            while (ended < workers.length) {
                Batch batch;
                try {
                    batch = full.take();
                } catch (InterruptedException e) {
                    interrupted = true; // the caller's to keep; the scan threads still have to be waited for
                    continue;
                }
                if (batch.end) {
                    ended++;
                    if (batch.failure != null && failure == null) {
                        failure = batch.failure;
                    }
                    if (!batch.whole || batch.failure != null) {
                        cancelled = true; // a reset, a close or a failure: no key of the scan is live any longer
                    }
                    continue;
                }
                if (!cancelled) {
                    try {
                        batch.deliver(sink);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    if (failure != null || batch.shard.scanEnds()) {
                        cancelled = true;
                    }
                }
                batch.clear();
                batch.owner.free.add(batch);
            }
            interrupted |= joinAll(threads); // a call leaves no thread of its own behind
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            assert failure == null : "a scan can only fail with an unchecked throwable: " + failure;
        }

        /** Waits for every thread to end; returns whether the caller's thread was interrupted meanwhile. */
        private static boolean joinAll(Thread[] threads) {
            boolean interrupted = false;
            for (Thread thread : threads) {
                for (; ; ) {
                    try {
                        thread.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            return interrupted;
        }

        /** A scan thread: takes shards in turn until none is left, the scan is cancelled or a shard was released. */
        private final class Worker implements Runnable {
            final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES_PER_THREAD);
            private Batch batch;

            Worker(Arena arena) {
                for (int i = 0; i < BATCHES_PER_THREAD; i++) {
                    free.add(new Batch(this, arena.allocate(BATCH_BYTES, Long.BYTES)));
                }
            }

            @Override
            public void run() {
                Batch end = new Batch(this, null);
                end.end = true;
                end.whole = true;
                try (ScanReader reader = pastTheCache ? ScanReader.create(workers.length) : null) {
                    batch = take();
                    for (int i; (i = nextShard.getAndIncrement()) < shards.length && !cancelled; ) {
                        batch.shard = shards[i];
                        boolean whole = shards[i].forEachLive(this::copy, this::handOverWhenFull, reader);
                        if (batch.count > 0) {
                            handOver();
                        }
                        if (!whole) {
                            end.whole = false;
                            break;
                        }
                    }
                } catch (Cancelled c) {
                    // the caller's thread stopped the scan
                } catch (Throwable t) {
                    end.failure = t;
                } finally {
                    full.add(end);
                }
            }

            /** Copies one live record into the batch; it may be under the shard's lock, so it only copies. */
            private void copy(
                    MemorySegment keys,
                    long keyOffset,
                    int keyLength,
                    MemorySegment values,
                    long valueOffset,
                    int length) {
                batch.add(keys, keyOffset, keyLength, values, valueOffset, length);
            }

            /** After each record, outside the lock: hands the batch over once it is full. */
            private void handOverWhenFull() {
                if (cancelled) {
                    throw new Cancelled();
                }
                if (batch.isFull()) {
                    Shard shard = batch.shard;
                    handOver();
                    batch.shard = shard;
                }
            }

            private void handOver() {
                full.add(batch); // never waits: the queue has room for every batch in circulation
                batch = take();
            }

            /** A batch the caller's thread has delivered; a thread of seqs' own, so no interrupt is the caller's. */
            private Batch take() {
                for (; ; ) {
                    try {
                        return free.take();
                    } catch (InterruptedException e) {
                        // nothing interrupts scan threads; wait on
                    }
                }
            }
        }
    }

    /** Live records copied out of one shard's log, delivered together on the caller's thread. */
    private static final class Batch {
        final Call.Worker owner;
        private final MemorySegment buffer;
        private final MemorySegment[] sources = new MemorySegment[BATCH_RECORDS];
        private final long[] keyOffsets = new long[BATCH_RECORDS];
        private final int[] keyLengths = new int[BATCH_RECORDS];
        private final int[] valueLengths = new int[BATCH_RECORDS];
        private long used;
        int count;
        Shard shard;
        /** Set on the last batch of a scan thread, which carries no records but how the thread ended. */
        boolean end;

        boolean whole;
        Throwable failure;

        Batch(Call.Worker owner, MemorySegment buffer) {
            this.owner = owner;
            this.buffer = buffer;
        }

        void add(
                MemorySegment keys, long keyOffset, int keyLength, MemorySegment values, long valueOffset, int length) {
            long size = (long) keyLength + length;
            MemorySegment target;
            long at;
            if (size <= INLINE_MAX && used + size <= buffer.byteSize()) {
                target = buffer;
                at = used;
                used += size;
            } else {
                target = MemorySegment.ofArray(new byte[Math.toIntExact(size)]);
                at = 0;
            }
            if (keys == values && valueOffset == keyOffset + keyLength) {
                MemorySegment.copy(keys, keyOffset, target, at, size); // side by side, as in a record: one copy
            } else {
                MemorySegment.copy(keys, keyOffset, target, at, keyLength);
                MemorySegment.copy(values, valueOffset, target, at + keyLength, length);
            }
            sources[count] = target;
            keyOffsets[count] = at;
            keyLengths[count] = keyLength;
            valueLengths[count] = length;
            count++;
        }

        boolean isFull() {
            return count == BATCH_RECORDS || buffer.byteSize() - used < INLINE_MAX;
        }

        /** Runs {@code sink} on each record, stopping when the shard is released meanwhile (a reset or a close). */
        void deliver(RecordSink sink) {
            for (int i = 0; i < count && !shard.scanEnds(); i++) {
                sink.accept(sources[i], keyOffsets[i], keyLengths[i], valueLengths[i]);
            }
        }

        void clear() {
            Arrays.fill(sources, 0, count, null);
            count = 0;
            used = 0;
            shard = null;
        }
    }

    /** Unwinds a scan thread out of its shard's scan when the caller's thread has stopped the scan. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super(null, null, false, false);
        }
    }
}
