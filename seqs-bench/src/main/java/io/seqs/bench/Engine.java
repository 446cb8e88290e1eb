package io.seqs.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the harness needs from a store. Every engine is driven through the same calls on the same
 * bytes: keys and values in direct buffers that the worker threads reuse, so neither engine pays
 * for allocation the harness causes, and both get their allocation-free path.
 *
 * <p>Thread safety: every method except {@link #close()} may be called from many threads at once.
 */
interface Engine extends AutoCloseable {
    /** The name in results, e.g. {@code rocksdb-nowal}. */
    String name();

    /** The store directory. */
    Path directory();

    /**
     * Upserts {@code value[0, valueLength)} under {@code key[0, keyLength)}. Positions and limits are the engine's to
     * change.
     */
    void put(ByteBuffer key, int keyLength, ByteBuffer value, int valueLength);

    /**
     * Copies the value of {@code key[0, keyLength)} into {@code dst} from 0.
     *
     * @return the value's length, or -1 when absent
     */
    int get(ByteBuffer key, int keyLength, ByteBuffer dst);

    /** Called once when the bootstrap load is over, before its final {@link #flush()}. */
    default void endBulkLoad() {}

    /** Makes everything written so far durable and complete on disk (for RocksDB: memtables flushed too). */
    void flush();

    /**
     * Waits until background work that the writes so far caused is done (RocksDB's compactions),
     * at most {@code timeoutMillis}; returns false on time-out.
     */
    default boolean settle(long timeoutMillis) {
        return true;
    }

    /**
     * Reads every live key and value once, the way this engine's users export a whole store (seqs:
     * {@code forEach} over {@code MemorySegment}s; RocksDB: an iterator from the first key to the
     * last; LMDB: a cursor), touching every byte.
     *
     * @return {records, key and value bytes}
     */
    long[] exportAll();

    /** Drops every key, the way this engine's users do it. */
    void reset();

    /** Whether a {@link #reset()} gives disk space back (at once or in the background); LMDB only reuses it. */
    default boolean freesDiskOnReset() {
        return true;
    }

    /** Live keys, exact or estimated; -1 when unknown. */
    long keys();

    /** Memory of the in-RAM index per live key, or null when the notion does not apply. */
    Double indexBytesPerKey();

    /** Engine-specific figures for results.json: its own byte counters, settings, and so on. */
    Map<String, Object> details();

    /** Bytes the engine itself counted as written to files since open (null when it keeps no such count). */
    Long ownPhysicalBytes();

    @Override
    void close();
}
