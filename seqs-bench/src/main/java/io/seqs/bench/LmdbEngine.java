package io.seqs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Meta;
import org.lmdbjava.Stat;
import org.lmdbjava.Txn;

/**
 * LMDB (lmdbjava 0.9.3) behind the harness's {@link Engine} calls: one B+tree in a memory map,
 * copy-on-write pages, one writer at a time, readers that never block.
 *
 * <p>Settings: a named database {@code data} in an environment of its own; flags
 * {@code MDB_WRITEMAP} (below), {@code MDB_NOTLS} (read transactions are tied to no thread, so each
 * thread keeps one, renewed for every get, and a finished thread's is released from another) and
 * {@code MDB_NORDAHEAD} (every get is a random point lookup, so read-ahead only wastes page cache
 * once the data outgrows memory); 1,024 reader slots; the map size from the expected data size with fourfold headroom
 * plus 1 GiB
 * ({@link #mapBytes}), since LMDB reserves the map up front and fails a write that does not fit.
 *
 * <p>Durability classes: {@code process} opens with {@code MDB_NOSYNC}: a commit leaves its pages
 * in the file's shared mapping (the page cache) without forcing them, so a committed write
 * survives the process being killed, not a power loss. {@code periodic} is {@code process} plus
 * {@code mdb_env_sync(force)} every second; {@code sync} uses LMDB's default durable commit (data
 * pages forced, then the meta page forced).
 *
 * <p>{@code MDB_WRITEMAP}: a write transaction changes pages in the map itself instead of in
 * malloc'd copies that the commit then writes to the file. It keeps the same durability class and
 * made single-put transactions about twice as fast (measured on JDK 25.0.3, 50,000 puts of ~1 KiB
 * from one thread: 7–13 µs a put against 21–30 µs without). Its costs: the file's length is the whole map at once
 * (sparse: blocks are allocated only as pages are used, so {@code disk_bytes} is unaffected but
 * {@code disk_apparent_bytes} is the map size); the map is writable, so a stray write through a
 * pointer into it would corrupt the store (the values handed out here are read-only views); and,
 * as LMDB's documentation says, it is slower once the data outgrows memory, where a page must be
 * read before it is changed.
 *
 * <p>Every put is a write transaction of its own, since the harness acknowledges every put on its
 * own for every engine; LMDB serialises write transactions, so writers queue for its write lock.
 * A get copies the value into the caller's buffer inside a read transaction, then resets it.
 *
 * <p>Reset: {@link Dbi#drop(Txn, boolean) mdb_drop} without deleting the database, in one write
 * transaction, then forced like the other engines' resets: LMDB's way of emptying a database at
 * once, atomic and safe with readers and other processes. The freed pages go to LMDB's free list
 * and are reused by the next load; the file never shrinks, so no disk space comes back. Closing
 * the environment, deleting its files and opening a new one would return the space, but needs
 * every reader and every other process out of the environment, and it was slower: on 50,000
 * records (76 MB) the drop and its force took 61–77 ms, deleting and reopening 280–324 ms.
 *
 * <p>lmdbjava's own buffer proxies need {@code sun.misc.Unsafe} or {@code --add-opens}, and jffi,
 * under jnr-ffi, uses {@code sun.misc.Unsafe} unless {@code jffi.unsafe.disabled} is set before it
 * loads; this class sets that property (unless given) and passes buffers through
 * {@link ForeignBufferProxy}, so LMDB runs under {@code --sun-misc-unsafe-memory-access=deny}.
 */
final class LmdbEngine implements Engine {
    static {
        // Must happen before jffi's MemoryIO loads, i.e. before the first environment opens.
        if (System.getProperty("jffi.unsafe.disabled") == null) {
            System.setProperty("jffi.unsafe.disabled", "true");
        }
    }

    private static final String DB_NAME = "data";
    private static final int MAX_READERS = 1024;

    private final Path dir;
    private final long mapBytes;
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> db;
    private final PeriodicSync syncer;
    private final ThreadLocal<Txn<ByteBuffer>> readTxn = new ThreadLocal<>();
    /** Every read transaction handed out, with its thread: closed with the engine, or once the thread is gone. */
    private final List<Reader> readers = new ArrayList<>();

    private final Map<String, Object> settings = new LinkedHashMap<>();

    private record Reader(Thread thread, Txn<ByteBuffer> txn) {}

    LmdbEngine(Path dir, Options.DurabilityClass durability, long mapBytes) {
        this.dir = dir;
        this.mapBytes = mapBytes;
        List<EnvFlags> flags =
                new ArrayList<>(List.of(EnvFlags.MDB_NOTLS, EnvFlags.MDB_NORDAHEAD, EnvFlags.MDB_WRITEMAP));
        if (durability != Options.DurabilityClass.SYNC) {
            flags.add(EnvFlags.MDB_NOSYNC);
        }
        try {
            Files.createDirectories(dir);
            env = Env.create(ForeignBufferProxy.INSTANCE)
                    .setMapSize(mapBytes)
                    .setMaxDbs(1)
                    .setMaxReaders(MAX_READERS)
                    .open(dir.toFile(), flags.toArray(EnvFlags[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        } catch (LmdbException e) {
            throw new IllegalStateException("cannot open LMDB in " + dir + ": " + e.getMessage(), e);
        }
        try {
            db = env.openDbi(DB_NAME, DbiFlags.MDB_CREATE);
        } catch (LmdbException e) {
            env.close();
            throw new IllegalStateException(
                    "cannot open LMDB database '" + DB_NAME + "' in " + dir + ": " + e.getMessage(), e);
        }
        syncer = durability == Options.DurabilityClass.PERIODIC
                ? new PeriodicSync("lmdb-sync", this::syncQuietly)
                : null;
        Meta.Version v = Meta.version();
        settings.put("lmdb_version", v.major + "." + v.minor + "." + v.patch);
        settings.put("flags", flags.stream().map(Enum::name).toList());
        settings.put(
                "sync",
                durability == Options.DurabilityClass.SYNC
                        ? "every commit"
                        : durability == Options.DurabilityClass.PERIODIC ? "every 1 s" : "never (page cache)");
        settings.put("map_bytes", mapBytes);
        settings.put("max_readers", MAX_READERS);
        settings.put("write_transactions", "one per put");
        settings.put("reset", "mdb_drop (empty the database) in one write transaction, then forced");
    }

    /** The map size for {@code expectedBytes} of keys and values: four times as much plus 1 GiB, in whole MiB. */
    static long mapBytes(long expectedBytes) {
        long bytes = 4 * Math.min(Math.max(0, expectedBytes), 1L << 50) + (1L << 30);
        return (bytes + (1L << 20) - 1) & -(1L << 20);
    }

    private void syncQuietly() {
        try {
            env.sync(true);
        } catch (RuntimeException e) {
            // closing; the phase's own flush forces everything anyway
        }
    }

    @Override
    public String name() {
        return "lmdb";
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public void put(ByteBuffer key, int keyLength, ByteBuffer value, int valueLength) {
        key.limit(keyLength).position(0);
        value.limit(valueLength).position(0);
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            db.put(txn, key, value);
            txn.commit();
        } catch (Env.MapFullException e) {
            throw new IllegalStateException("LMDB map of " + mapBytes + " bytes is full in " + dir, e);
        } catch (LmdbException e) {
            throw new IllegalStateException("LMDB put failed: " + e.getMessage(), e);
        }
    }

    /** A cursor over the whole database in one read transaction. */
    @Override
    public long[] exportAll() {
        long records = 0;
        long bytes = 0;
        ByteBuffer copy = ByteBuffer.allocateDirect(1 << 20);
        try (Txn<ByteBuffer> txn = env.txnRead();
                Cursor<ByteBuffer> cursor = db.openCursor(txn)) {
            for (boolean more = cursor.first(); more; more = cursor.next()) {
                ByteBuffer key = cursor.key();
                ByteBuffer val = cursor.val();
                records++;
                bytes += key.remaining() + (long) val.remaining();
                copy.clear().put(key).put(val.limit(Math.min(val.limit(), val.position() + copy.remaining())));
            }
        }
        return new long[] {records, bytes};
    }

    /** Copies as much of the value as fits into {@code dst} and returns its full length, as RocksDB's get does. */
    @Override
    public int get(ByteBuffer key, int keyLength, ByteBuffer dst) {
        key.limit(keyLength).position(0);
        dst.clear();
        Txn<ByteBuffer> txn = readTxn();
        txn.renew();
        try {
            ByteBuffer found = db.get(txn, key);
            if (found == null) {
                return -1;
            }
            int length = found.remaining();
            dst.put(0, found, found.position(), Math.min(length, dst.capacity()));
            return length;
        } catch (LmdbException e) {
            throw new IllegalStateException("LMDB get failed: " + e.getMessage(), e);
        } finally {
            txn.reset();
        }
    }

    /** This thread's read transaction, reset (holding no snapshot) between gets. */
    private Txn<ByteBuffer> readTxn() {
        Txn<ByteBuffer> txn = readTxn.get();
        if (txn == null) {
            txn = newReadTxn();
            readTxn.set(txn);
        }
        return txn;
    }

    private synchronized Txn<ByteBuffer> newReadTxn() {
        // Threads come and go with the phases: release the slots of those that ended.
        for (Iterator<Reader> it = readers.iterator(); it.hasNext(); ) {
            Reader r = it.next();
            if (!r.thread().isAlive()) {
                release(r.txn());
                it.remove();
            }
        }
        Txn<ByteBuffer> txn = env.txnRead();
        txn.reset();
        readers.add(new Reader(Thread.currentThread(), txn));
        return txn;
    }

    /** Ends a reset read transaction: lmdbjava aborts (and so frees) only a renewed one. */
    private static void release(Txn<ByteBuffer> txn) {
        txn.renew();
        txn.close();
    }

    @Override
    public void flush() {
        env.sync(true);
    }

    @Override
    public void reset() {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            db.drop(txn, false);
            txn.commit();
        }
        env.sync(true);
    }

    @Override
    public boolean freesDiskOnReset() {
        return false;
    }

    @Override
    public long keys() {
        return stat().entries;
    }

    private Stat stat() {
        try (Txn<ByteBuffer> txn = env.txnRead()) {
            return db.stat(txn);
        }
    }

    /** Null: a B+tree keeps no index of its own in memory; the branch pages' share is in {@link #details()}. */
    @Override
    public Double indexBytesPerKey() {
        return null;
    }

    @Override
    public Long ownPhysicalBytes() {
        return null;
    }

    @Override
    public Map<String, Object> details() {
        Stat s = stat();
        EnvInfo info = env.info();
        Map<String, Object> m = new LinkedHashMap<>(settings);
        m.put("entries", s.entries);
        m.put("page_size", s.pageSize);
        m.put("depth", s.depth);
        m.put("branch_pages", s.branchPages);
        m.put("leaf_pages", s.leafPages);
        m.put("overflow_pages", s.overflowPages);
        m.put("branch_bytes_per_key", s.entries == 0 ? null : (double) s.branchPages * s.pageSize / s.entries);
        m.put("tree_bytes", (s.branchPages + s.leafPages + s.overflowPages) * s.pageSize);
        m.put("file_high_water_bytes", (info.lastPageNumber + 1) * s.pageSize);
        m.put("last_transaction_id", info.lastTransactionId);
        m.put("reader_slots_high_water", info.numReaders);
        return m;
    }

    @Override
    public void close() {
        if (syncer != null) {
            syncer.close();
        }
        synchronized (this) {
            for (Reader r : readers) {
                release(r.txn());
            }
            readers.clear();
        }
        try {
            env.sync(true);
        } finally {
            env.close();
        }
    }
}
