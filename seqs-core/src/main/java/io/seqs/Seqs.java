package io.seqs;

import io.seqs.internal.format.Keys;
import io.seqs.internal.format.Manifest;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.fs.Failpoints;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.fs.StoreLock;
import io.seqs.internal.metrics.Instruments;
import io.seqs.internal.metrics.Latencies;
import io.seqs.internal.metrics.LatencySummary;
import io.seqs.internal.metrics.MeterBinding;
import io.seqs.internal.metrics.StatsCache;
import io.seqs.internal.store.Background;
import io.seqs.internal.store.Config;
import io.seqs.internal.store.Epoch;
import io.seqs.internal.store.ParallelScan;
import io.seqs.internal.store.ReadGate;
import io.seqs.internal.store.Reclaimer;
import io.seqs.internal.store.Shard;
import io.seqs.internal.store.StoreDirectory;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * An embedded store of the latest value per key: puts append to a per-shard log of mapped
 * segment files, an off-heap hash index points at each key's latest record, and
 * {@link #resetEpoch()} drops everything at once.
 *
 * {@snippet file="io/seqs/ApiExamplesTest.java" region="basics"}
 *
 * <p>Every method is safe to call from any number of threads. Per key, operations are
 * linearizable; gets take no lock; writers to different shards never contend. Calls on a closed
 * store throw {@link IllegalStateException}; bad arguments throw {@link IllegalArgumentException}
 * and write nothing.
 */
public final class Seqs implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.seqs");

    /** Longest key: 65,535 bytes. */
    public static final int MAX_KEY_LENGTH = RecordDescriptor.MAX_KEY_LENGTH;
    /** Longest value: 64 MiB. */
    public static final int MAX_VALUE_LENGTH = RecordDescriptor.MAX_VALUE_LENGTH;

    private final Config config;
    /** Held while the store is open: exclusive for a writer, shared for a read-only opener. */
    private final StoreLock lock;
    /** Reset and close take it exclusively; flush, checkpoint and batches share it. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

    private final AtomicBoolean closed = new AtomicBoolean();
    /** Lock-free readers of every shard announce themselves here; see {@link ReadGate}. */
    private final ReadGate gate = new ReadGate();
    /** Periodic flushes, checkpoints and meter updates, and deletions, on threads shared by every store. */
    private final Background background = new Background();
    /** Runs forEach: the shards read in parallel, the action on the calling thread. */
    private final ParallelScan scan = new ParallelScan();
    /** Keeps the store's reclamations, the background's and a caller's, to one rate. */
    private final Reclaimer.Pacer reclaimPacer;

    private final long openNanos;
    private final long openedAt = System.nanoTime();
    private final Latencies getLatency;
    private final Latencies putLatency;
    private final Instruments instruments;
    /** Where drained latency samples go besides the store's own figures: the meter registry's timers, or nowhere. */
    private final LongConsumer getSink;

    private final LongConsumer putSink;
    /** How often latency samples are handed to the meter registry, off the operations' threads. */
    private static final long METER_DRAIN_MILLIS = 1_000;

    private final StatsCache statsCache = new StatsCache(this::stats, this::isClosed);

    private volatile Epoch current;
    private Manifest manifest;
    private long resets;
    private long lastResetNanos;
    private long resetNanos;

    private Seqs(Config config, StoreLock lock) {
        this.config = config;
        this.reclaimPacer = new Reclaimer.Pacer(config.reclaimBytesPerSecond());
        this.lock = lock;
        this.getLatency = new Latencies(config.latencySampleEvery());
        this.putLatency = new Latencies(config.latencySampleEvery());
        long start = System.nanoTime();
        try {
            manifest = StoreDirectory.openManifest(config);
            if (!config.readOnly()) {
                deleteInBackground(StoreDirectory.otherEpochs(config.directory(), manifest.epoch()));
                deleteInBackground(StoreDirectory.otherEpochs(config.checkpointDirectory(), manifest.epoch()));
            }
            current = Epoch.open(config, manifest, null, true, gate);
        } catch (IOException e) {
            shutdownThreads();
            throw new SeqsException("cannot open store " + config.directory(), e);
        } catch (RuntimeException | Error e) {
            shutdownThreads();
            throw e;
        }
        openNanos = System.nanoTime() - start;
        instruments = config.meterRegistry() == null
                ? Instruments.NONE
                : MeterBinding.bind(config, statsCache, current.shards.length);
        getSink = instruments == Instruments.NONE ? null : instruments::get;
        putSink = instruments == Instruments.NONE ? null : instruments::put;
        instruments.recovery(openNanos);
        scheduleMaintenance();
    }

    /**
     * Opens the store in {@code dir} with default options, creating the directory if absent.
     *
     * @param dir an empty or absent directory, or a store's directory
     * @return the open store
     * @throws IllegalArgumentException when {@code dir} is null
     * @throws IllegalStateException when the store is open already, in this process or another
     * @throws SeqsException when {@code dir} is neither empty nor a store, or the store cannot be
     *     read or created (see the cause)
     */
    public static Seqs open(Path dir) {
        return builder(dir).open();
    }

    /**
     * A builder for a store in {@code dir}.
     *
     * @param dir an empty or absent directory, or a store's directory
     * @return a builder with default options
     * @throws IllegalArgumentException when {@code dir} is null
     */
    public static SeqsBuilder builder(Path dir) {
        return new SeqsBuilder(dir);
    }

    static Seqs open(Config config) {
        StoreDirectory.prepare(config);
        StoreLock lock = StoreLock.acquire(config.directory(), config.readOnly());
        try {
            return new Seqs(config, lock);
        } catch (RuntimeException | Error e) {
            try {
                lock.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    // ================================================================== the API

    /**
     * Stores {@code value} as the latest value of {@code key}.
     *
     * @param key 1..{@link #MAX_KEY_LENGTH} bytes
     * @param value 0..{@link #MAX_VALUE_LENGTH} bytes
     * @throws IllegalArgumentException when an argument is null, a key is empty or longer than
     *     {@link #MAX_KEY_LENGTH}, or a value is longer than {@link #MAX_VALUE_LENGTH}; nothing is written
     * @throws IllegalStateException when the store is closed
     * @throws DiskFullException when the file system has no room for the log to grow
     * @throws CapacityExceededException when the shard's index or log address space is full
     * @throws SeqsException when the log cannot be written (see the cause)
     */
    public void put(byte[] key, byte[] value) {
        MemorySegment k = Keys.key(key);
        MemorySegment v = Keys.value(value);
        put(Keys.hash(key), k, v);
    }

    /**
     * Stores {@code value} as the latest value of {@code key}, reading both straight from the
     * given memory (heap or off-heap) without allocating.
     *
     * @param key 1..{@link #MAX_KEY_LENGTH} bytes
     * @param value 0..{@link #MAX_VALUE_LENGTH} bytes
     * @throws IllegalArgumentException when an argument is null, a key is empty or longer than
     *     {@link #MAX_KEY_LENGTH}, or a value is longer than {@link #MAX_VALUE_LENGTH}; nothing is written
     * @throws IllegalStateException when the store is closed
     * @throws DiskFullException when the file system has no room for the log to grow
     * @throws CapacityExceededException when the shard's index or log address space is full
     * @throws SeqsException when the log cannot be written (see the cause)
     */
    public void put(MemorySegment key, MemorySegment value) {
        Keys.key(key);
        Keys.value(value);
        put(Keys.hash(key, 0, key.byteSize()), key, value);
    }

    /**
     * Stores the remaining bytes of {@code value} for the remaining bytes of {@code key};
     * positions are not changed.
     *
     * @param key 1..{@link #MAX_KEY_LENGTH} remaining bytes
     * @param value 0..{@link #MAX_VALUE_LENGTH} remaining bytes
     * @throws IllegalArgumentException when an argument is null, a key is empty or longer than
     *     {@link #MAX_KEY_LENGTH}, or a value is longer than {@link #MAX_VALUE_LENGTH}; nothing is written
     * @throws IllegalStateException when the store is closed
     * @throws DiskFullException when the file system has no room for the log to grow
     * @throws CapacityExceededException when the shard's index or log address space is full
     * @throws SeqsException when the log cannot be written (see the cause)
     */
    public void put(ByteBuffer key, ByteBuffer value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException(
                    key == null ? "key is null" : "value is null; use delete to remove a key");
        }
        put(MemorySegment.ofBuffer(key), MemorySegment.ofBuffer(value));
    }

    private void put(long hash, MemorySegment key, MemorySegment value) {
        if (!putLatency.sample()) {
            putUntimed(hash, key, value);
            return;
        }
        long start = System.nanoTime();
        putUntimed(hash, key, value);
        long took = System.nanoTime() - start;
        putLatency.record(took);
    }

    private void putUntimed(long hash, MemorySegment key, MemorySegment value) {
        requireWritable("put");
        long retrying = 0;
        for (; ; ) {
            Shard shard = liveEpoch().shard(hash);
            long end;
            try {
                end = shard.put(hash, key, value);
            } catch (Shard.Retired retired) {
                retrying = awaitReset(retrying, "put");
                continue;
            }
            if (config.durability() == Durability.SYNC) {
                shard.syncTo(end);
            }
            return;
        }
    }

    /**
     * The latest value of {@code key}. Takes no lock and never waits for writers.
     *
     * @param key 1..{@link #MAX_KEY_LENGTH} bytes
     * @return a copy of the value, or null when the key has none
     * @throws IllegalArgumentException when the key is null, empty or too long
     * @throws IllegalStateException when the store is closed
     * @throws CorruptionException when the key's record fails its checks (the file changed on disk)
     */
    public byte[] get(byte[] key) {
        MemorySegment k = Keys.key(key);
        long hash = Keys.hash(key);
        if (!getLatency.sample()) {
            return getUntimed(hash, k);
        }
        long start = System.nanoTime();
        byte[] value = getUntimed(hash, k);
        getLatency.record(System.nanoTime() - start);
        return value;
    }

    private byte[] getUntimed(long hash, MemorySegment k) {
        long retrying = 0;
        for (; ; ) {
            Shard shard = liveEpoch().shard(hash);
            try {
                return shard.get(hash, k);
            } catch (Shard.Retired retired) {
                retrying = awaitReset(retrying, "get");
            }
        }
    }

    /**
     * Copies the latest value of {@code key} into {@code dst} without allocating.
     *
     * {@snippet file="io/seqs/ApiExamplesTest.java" region="zero-copy"}
     *
     * @param key 1..{@link #MAX_KEY_LENGTH} bytes
     * @param dst where the value is copied, from its offset 0
     * @return the value's length, or -1 when the key has no value. When the length exceeds
     *     {@code dst.byteSize()} nothing is copied: call again with a larger segment.
     * @throws IllegalArgumentException when an argument is null, or the key is empty or too long
     * @throws IllegalStateException when the store is closed
     * @throws CorruptionException when the key's record fails its checks (the file changed on disk)
     */
    public long get(MemorySegment key, MemorySegment dst) {
        Keys.key(key);
        if (dst == null) {
            throw new IllegalArgumentException("destination is null");
        }
        long hash = Keys.hash(key, 0, key.byteSize());
        if (!getLatency.sample()) {
            return getUntimed(hash, key, dst);
        }
        long start = System.nanoTime();
        long length = getUntimed(hash, key, dst);
        getLatency.record(System.nanoTime() - start);
        return length;
    }

    private long getUntimed(long hash, MemorySegment key, MemorySegment dst) {
        long retrying = 0;
        for (; ; ) {
            Shard shard = liveEpoch().shard(hash);
            try {
                return shard.get(hash, key, dst);
            } catch (Shard.Retired retired) {
                retrying = awaitReset(retrying, "get");
            }
        }
    }

    /** Longest a call goes on finding its shard retired by a reset before it reports the store stuck. */
    private static final long RESET_WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /**
     * Called when a call found its shard retired: a reset is between retiring the old epoch's
     * shards and publishing the new epoch (or undoing itself), which takes as long as a manifest
     * replace. Yields, and returns the time of the first retry; a reset that has not finished a
     * minute later is a bug, reported rather than waited for forever.
     *
     * @throws SeqsException when the call has been retrying for longer than a minute
     */
    private static long awaitReset(long firstRetry, String call) {
        long now = System.nanoTime();
        if (firstRetry != 0 && now - firstRetry > RESET_WAIT_LIMIT_NANOS) {
            throw new SeqsException(call + " found its shard retired for more than a minute: a reset did not finish");
        }
        Thread.yield();
        return firstRetry == 0 ? now : firstRetry;
    }

    /**
     * Copies the latest value of the remaining bytes of {@code key} into {@code dst} from its
     * position; positions are not changed.
     *
     * @param key 1..{@link #MAX_KEY_LENGTH} remaining bytes
     * @param dst where the value is copied, from its position
     * @return as {@link #get(MemorySegment, MemorySegment)}
     * @throws IllegalArgumentException when an argument is null, or the key is empty or too long
     * @throws IllegalStateException when the store is closed
     * @throws CorruptionException when the key's record fails its checks (the file changed on disk)
     */
    public long get(ByteBuffer key, ByteBuffer dst) {
        if (key == null || dst == null) {
            throw new IllegalArgumentException(key == null ? "key is null" : "destination is null");
        }
        return get(MemorySegment.ofBuffer(key), MemorySegment.ofBuffer(dst));
    }

    /**
     * Removes {@code key}, appending a delete record when it had a value.
     *
     * @param key 1..{@link #MAX_KEY_LENGTH} bytes
     * @return true when the key had a value
     * @throws IllegalArgumentException when the key is null, empty or too long
     * @throws IllegalStateException when the store is closed
     * @throws DiskFullException when the file system has no room for the delete record
     * @throws SeqsException when the log cannot be written (see the cause)
     */
    public boolean delete(byte[] key) {
        MemorySegment k = Keys.key(key);
        return delete(Keys.hash(key), k);
    }

    /**
     * Removes {@code key}, read from the given memory without allocating.
     *
     * @param key 1..{@link #MAX_KEY_LENGTH} bytes
     * @return true when the key had a value
     * @throws IllegalArgumentException when the key is null, empty or too long
     * @throws IllegalStateException when the store is closed
     * @throws DiskFullException when the file system has no room for the delete record
     * @throws SeqsException when the log cannot be written (see the cause)
     */
    public boolean delete(MemorySegment key) {
        Keys.key(key);
        return delete(Keys.hash(key, 0, key.byteSize()), key);
    }

    private boolean delete(long hash, MemorySegment key) {
        requireWritable("delete");
        long retrying = 0;
        for (; ; ) {
            Shard shard = liveEpoch().shard(hash);
            long end;
            try {
                end = shard.delete(hash, key);
            } catch (Shard.Retired retired) {
                retrying = awaitReset(retrying, "delete");
                continue;
            }
            if (end >= 0 && config.durability() == Durability.SYNC) {
                shard.syncTo(end);
            }
            return end >= 0;
        }
    }

    /**
     * Applies the puts and deletes of a batch in order. The batch is checked whole before anything
     * is written; it is not atomic against a crash, but a {@link #resetEpoch()} never splits it, and
     * under {@link Durability#SYNC} it costs one force per shard touched.
     *
     * {@snippet file="io/seqs/ApiExamplesTest.java" region="batch"}
     *
     * @param batch the puts and deletes, applied in order
     * @throws IllegalArgumentException when {@code batch} is null
     * @throws IllegalStateException when the store is closed
     * @throws DiskFullException when the file system has no room for the log to grow; the
     *     operations before the failing one are applied
     * @throws CapacityExceededException when a shard's index or log address space is full
     * @throws SeqsException when the log cannot be written (see the cause)
     */
    public void write(WriteBatch batch) {
        if (batch == null) {
            throw new IllegalArgumentException("batch is null");
        }
        requireWritable("write");
        int n = batch.size();
        lifecycle.readLock().lock();
        try {
            Epoch epoch = liveEpoch();
            long[] ends = new long[epoch.shards.length];
            for (int i = 0; i < n; i++) {
                byte[] key = batch.key(i);
                byte[] value = batch.value(i);
                long hash = Keys.hash(key);
                Shard shard = epoch.shard(hash);
                long end = value == null
                        ? shard.delete(hash, MemorySegment.ofArray(key))
                        : shard.put(hash, MemorySegment.ofArray(key), MemorySegment.ofArray(value));
                ends[shard.index] = Math.max(ends[shard.index], end);
            }
            if (config.durability() == Durability.SYNC) {
                for (Shard shard : epoch.shards) {
                    if (ends[shard.index] > 0) {
                        shard.syncTo(ends[shard.index]);
                    }
                }
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Puts every entry of the map, as one {@link #write(WriteBatch)}.
     *
     * @param entries keys and values; a null value deletes the key
     * @throws IllegalArgumentException when {@code entries} or a key is null, or a key or value
     *     is out of bounds; nothing is written
     * @throws IllegalStateException when the store is closed
     * @throws SeqsException as {@link #write(WriteBatch)}
     */
    public void putAll(Map<byte[], byte[]> entries) {
        if (entries == null) {
            throw new IllegalArgumentException("entries is null");
        }
        WriteBatch batch = new WriteBatch();
        entries.forEach(batch::put);
        write(batch);
    }

    /**
     * Drops every key in constant time: a new, empty epoch becomes current in one atomic step;
     * the old epoch's files are unmapped and deleted in the background. Operations running
     * meanwhile complete in the old epoch or the new one. A crash at any point reopens as the
     * whole old epoch or the empty new one.
     *
     * @throws IllegalStateException when the store is closed
     * @throws SeqsException when the new epoch cannot be created or committed; the store then
     *     stays in the old epoch
     */
    public void resetEpoch() {
        requireWritable("resetEpoch");
        lifecycle.writeLock().lock();
        try {
            ensureOpen();
            long start = System.nanoTime();
            Epoch old = current;
            Manifest next = manifest.nextEpoch(config.segmentSize(), System.currentTimeMillis());
            Epoch fresh = Epoch.open(config, next, old, false, gate);
            Failpoints.hit("reset.after-new-epoch");
            for (Shard shard : old.shards) {
                shard.retire(false);
            }
            Failpoints.hit("reset.after-retire");
            try {
                next.write(config.directory()); // the commit point
            } catch (RuntimeException e) {
                for (Shard shard : old.shards) {
                    shard.unretire();
                }
                dropInBackground(fresh);
                throw e;
            }
            Failpoints.hit("reset.after-commit");
            manifest = next;
            current = fresh;
            for (Shard shard : old.shards) {
                shard.replaced(); // scans of the old epoch end now, not when the background releases it
            }
            dropInBackground(old);
            long took = System.nanoTime() - start;
            resets++;
            lastResetNanos = took;
            resetNanos += took;
            instruments.reset(took);
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "store {0}: epoch {1} replaced epoch {2} in {3} µs",
                    config.directory(),
                    next.epoch(),
                    old.number,
                    took / 1000);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /**
     * The current epoch: 1 on a new store, one more after each reset; survives reopening.
     *
     * @return the epoch number
     * @throws IllegalStateException when the store is closed
     */
    public long epoch() {
        return liveEpoch().number;
    }

    /**
     * On return, every write that completed before the call is on stable storage.
     *
     * @throws IllegalStateException when the store is closed
     * @throws SeqsException when the log cannot be forced (see the cause)
     */
    public void flush() {
        Epoch epoch = epochForMaintenance();
        if (config.readOnly()) {
            return; // it wrote nothing
        }
        long start = System.nanoTime();
        for (Shard shard : epoch.shards) {
            shard.flush();
        }
        instruments.flush(System.nanoTime() - start);
    }

    /**
     * Writes an index checkpoint of every shard now, so that recovery replays little log.
     *
     * @throws IllegalStateException when the store is closed
     * @throws SeqsException when a checkpoint cannot be written (see the cause)
     */
    public void checkpoint() {
        requireWritable("checkpoint");
        Epoch epoch = epochForMaintenance();
        long start = System.nanoTime();
        try {
            for (Shard shard : epoch.shards) {
                shard.checkpoint();
            }
        } catch (IOException e) {
            throw new SeqsException("checkpoint of " + config.directory() + " failed", e);
        }
        instruments.checkpoint(System.nanoTime() - start);
    }

    /**
     * The epoch a flush or checkpoint works on. The lifecycle lock is held only to read it, not
     * while forcing or writing: a reset (or close) must not wait for seconds of write-back. If the
     * epoch is replaced meanwhile, its shards' own locks order the work against their release: a
     * released shard forces and checkpoints nothing, and its files are deleted only after any
     * checkpoint in progress has finished. Writes that completed before the call were all made
     * in this epoch, so forcing it is what flush promises even when a reset intervenes.
     */
    private Epoch epochForMaintenance() {
        lifecycle.readLock().lock();
        try {
            return liveEpoch();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Visits every live key once, reading each shard's log in order (at sequential-read speed),
     * the shards in parallel on threads of the store's own: not a range scan, and in no key
     * order. Every key live for the whole call is visited exactly once, with a value it held
     * during the call; keys written or deleted meanwhile may or may not be, and no key is visited
     * twice. Writers are never held up longer than a put holds them. The action runs on the
     * calling thread, one record at a time, without any lock of the store, and may call the store
     * (but not {@code forEach}). A reset during the call ends it early: no key of the old epoch
     * was live for the whole call. An exception the action throws ends the call and is rethrown.
     *
     * {@snippet file="io/seqs/ApiExamplesTest.java" region="for-each"}
     *
     * @param action receives copies of each key and value
     * @throws IllegalArgumentException when {@code action} is null
     * @throws IllegalStateException when the store is closed, or when called from inside
     *     {@code forEach} of the same store
     */
    public void forEach(BiConsumer<byte[], byte[]> action) {
        if (action == null) {
            throw new IllegalArgumentException("action is null");
        }
        scan.run(
                liveEpoch().shards,
                (source, keyOffset, keyLength, valueLength) -> action.accept(
                        source.asSlice(keyOffset, keyLength).toArray(ValueLayout.JAVA_BYTE),
                        source.asSlice(keyOffset + keyLength, valueLength).toArray(ValueLayout.JAVA_BYTE)));
    }

    /**
     * {@link #forEach(BiConsumer)} without an array per record: {@code action} receives the key
     * and value as read-only views of buffers the call reuses, valid only until {@code action}
     * returns (copy what you keep).
     *
     * @param action receives each key and value, read-only and valid only during the call
     * @throws IllegalArgumentException when {@code action} is null
     * @throws IllegalStateException when the store is closed, or when called from inside
     *     {@code forEach} of the same store
     */
    public void forEachSegment(BiConsumer<MemorySegment, MemorySegment> action) {
        if (action == null) {
            throw new IllegalArgumentException("action is null");
        }
        scan.run(
                liveEpoch().shards,
                (source, keyOffset, keyLength, valueLength) -> action.accept(
                        source.asSlice(keyOffset, keyLength).asReadOnly(),
                        source.asSlice(keyOffset + keyLength, valueLength).asReadOnly()));
    }

    /**
     * A consistent snapshot of the store's figures.
     *
     * {@snippet file="io/seqs/ApiExamplesTest.java" region="stats"}
     *
     * @return the figures, shard by shard, each taken under its shard's lock
     * @throws IllegalStateException when the store is closed
     */
    public SeqsStats stats() {
        lifecycle.readLock().lock();
        try {
            Epoch epoch = liveEpoch();
            List<ShardStats> shards = new ArrayList<>(epoch.shards.length);
            for (Shard shard : epoch.shards) {
                shards.add(ShardStats.of(shard.stats()));
            }
            LatencySummary[] gets = getLatency.snapshot(getSink);
            LatencySummary[] puts = putLatency.snapshot(putSink);
            SeqsStats stats = SeqsStats.of(
                    epoch.number,
                    config.durability(),
                    shards,
                    resets,
                    lastResetNanos,
                    resetNanos,
                    openNanos,
                    System.nanoTime() - openedAt,
                    LatencyStats.of(gets[0]),
                    LatencyStats.of(puts[0]),
                    LatencyStats.of(gets[1]),
                    LatencyStats.of(puts[1]));
            statsCache.remember(stats);
            return stats;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private boolean isClosed() {
        return closed.get();
    }

    /** Hands the latency samples taken since the last drain to the meter registry. */
    private void drainLatencies() {
        getLatency.drain(getSink);
        putLatency.drain(putSink);
    }

    /** The current epoch, for tests that look inside a shard. */
    Epoch currentEpochForTests() {
        return liveEpoch();
    }

    /**
     * The store directory.
     *
     * @return the directory the store was opened in, as given
     */
    public Path directory() {
        return config.directory();
    }

    /**
     * Forces, checkpoints and releases everything; idempotent. Waits up to a minute for the
     * deletion of old epochs in progress.
     *
     * @throws SeqsException when forcing, checkpointing or releasing failed; everything is
     *     released all the same
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        background.stopPeriodic();
        lifecycle.writeLock().lock();
        RuntimeException failure = null;
        try {
            drainLatencies();
            instruments.close();
            Epoch epoch = current;
            for (Shard shard : epoch.shards) {
                try {
                    shard.retire(!config.readOnly());
                } catch (RuntimeException e) {
                    failure = addFailure(failure, e);
                }
            }
            for (Shard shard : epoch.shards) {
                shard.release();
            }
        } finally {
            lifecycle.writeLock().unlock();
            shutdownThreads();
            try {
                lock.close();
            } catch (SeqsException e) {
                failure = addFailure(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    // ================================================================== internals

    private Epoch liveEpoch() {
        Epoch epoch = current;
        if (closed.get()) {
            throw new IllegalStateException("store " + config.directory() + " is closed");
        }
        return epoch;
    }

    /** Refuses a change to a read-only store. */
    private void requireWritable(String what) {
        if (config.readOnly()) {
            throw new IllegalStateException(
                    "store " + config.directory() + " was opened read-only; " + what + " is refused");
        }
    }

    private void ensureOpen() {
        liveEpoch();
    }

    private void deleteInBackground(List<Path> trees) {
        for (Path p : trees) {
            background.delete(() -> deleteTree(p));
        }
    }

    private void dropInBackground(Epoch epoch) {
        background.delete(() -> {
            for (Shard shard : epoch.shards) {
                shard.retire(false);
                shard.release();
            }
            Failpoints.hit("reset.before-delete-old");
            deleteTree(epoch.dir);
            deleteTree(epoch.checkpointDir);
        });
    }

    private void deleteTree(Path p) {
        try {
            FileUtil.deleteTree(p);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + p + "; remove it by hand", e);
        }
    }

    private void scheduleMaintenance() {
        if (instruments != Instruments.NONE) {
            background.every(METER_DRAIN_MILLIS, () -> background(this::drainLatencies, "meter update"));
        }
        if (config.readOnly()) {
            return; // nothing to force or checkpoint
        }
        if (config.durability() == Durability.PERIODIC) {
            long ms = config.flushInterval().toMillis();
            background.every(ms, () -> background(this::flush, "flush"));
        }
        if (!config.checkpointInterval().isZero()) {
            long ms = config.checkpointInterval().toMillis();
            background.every(ms, () -> background(this::checkpoint, "checkpoint"));
        }
        if (config.reclaimThreshold() > 0) {
            background.everyOffloaded(RECLAIM_PERIOD_MILLIS, () -> background(this::reclaim, "reclamation"));
        }
    }

    /** How often the background looks for segments to reclaim. */
    private static final long RECLAIM_PERIOD_MILLIS = 250;

    /**
     * Reclaims every sealed segment past the threshold, shard by shard. Package-private so that
     * tests can run it on their own thread.
     */
    void reclaim() {
        if (config.reclaimThreshold() <= 0) {
            return; // reclamation is off
        }
        Epoch epoch = epochForMaintenance();
        try {
            for (Shard shard : epoch.shards) {
                while (!closed.get() && shard.reclaim(config.reclaimThreshold(), reclaimPacer)) {
                    // next segment of the shard
                }
            }
        } catch (IOException e) {
            throw new SeqsException("reclamation in " + config.directory() + " failed", e);
        }
    }

    private void background(Runnable task, String what) {
        if (closed.get()) {
            return;
        }
        try {
            task.run();
        } catch (IllegalStateException e) {
            if (!closed.get()) {
                LOG.log(System.Logger.Level.ERROR, "background " + what + " of " + config.directory() + " failed", e);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "background " + what + " of " + config.directory() + " failed", e);
        }
    }

    private void shutdownThreads() {
        if (!background.close(TimeUnit.SECONDS.toMillis(CLEANER_WAIT_SECONDS))) {
            LOG.log(System.Logger.Level.WARNING, "store {0}: old epochs are still being deleted", config.directory());
        }
    }

    /** How long close waits for the deletion of old epochs. */
    private static final long CLEANER_WAIT_SECONDS = 60;

    private static RuntimeException addFailure(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
