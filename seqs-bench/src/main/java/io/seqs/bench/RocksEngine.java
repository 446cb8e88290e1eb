package io.seqs.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.StatsLevel;
import org.rocksdb.TickerType;
import org.rocksdb.WriteOptions;

/**
 * RocksDB (rocksdbjni) behind the harness's {@link Engine} calls, configured as its tuning guide
 * suggests for a write-heavy point-lookup workload, in one of four variants.
 *
 * <p>Common settings: a leveled LSM with 64 MiB memtables (up to 3), 64 MiB target SST files and a
 * 256 MiB level base with dynamic level sizes; LZ4 compression (configurable); block-based tables
 * with 4 KiB blocks, a full 10-bit Bloom filter and an LRU block cache of the configured size
 * (index and filter blocks stay outside the cache, held by the table readers, so their memory can
 * be reported as the index cost); background jobs = available processors (at least 2);
 * {@code bytes_per_sync} 1 MiB so write-back is smooth; all files kept open. Data lives in a
 * column family {@code data}, so that a reset can drop it whole.
 *
 * <p>Variants: {@link Variant#WAL} writes the WAL without syncing it, so a completed write survives
 * the process being killed, like seqs; {@link Variant#NO_WAL} skips the WAL (faster, but a crash
 * loses the memtables); {@link Variant#BULK} is the documented bulk-load recipe: no WAL and no
 * automatic compaction while loading, then one full manual compaction (included in the load's
 * time) before normal settings return; {@link Variant#BLOB} keeps values of 512 bytes and more in
 * blob files (BlobDB, RocksDB's key-value separation), WAL on.
 */
final class RocksEngine implements Engine {
    enum Variant {
        WAL("rocksdb"),
        NO_WAL("rocksdb-nowal"),
        BULK("rocksdb-bulk"),
        BLOB("rocksdb-blob");

        final String engineName;

        Variant(String engineName) {
            this.engineName = engineName;
        }

        static Variant of(String name) {
            for (Variant v : values()) {
                if (v.engineName.equals(name)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("not a RocksDB engine: " + name);
        }
    }

    static final long WRITE_BUFFER_BYTES = 64L << 20;
    private static final byte[] CF_NAME = "data".getBytes(StandardCharsets.UTF_8);

    static {
        RocksDB.loadLibrary();
    }

    private final Variant variant;
    private final Path dir;
    private final Options.DurabilityClass durability;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Statistics statistics;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final WriteOptions walWrites;
    private final WriteOptions noWalWrites;
    private final ReadOptions reads;
    private final RocksDB db;
    private final ColumnFamilyHandle defaultFamily;
    private final PeriodicSync walSyncer;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private volatile ColumnFamilyHandle family;
    /** The write options in force: the bulk variant loads without the WAL and switches afterwards. */
    private volatile WriteOptions writes;

    private volatile boolean loading;

    RocksEngine(
            Variant variant, Path dir, Options.DurabilityClass durability, long blockCacheBytes, String compression) {
        this.variant = variant;
        this.dir = dir;
        this.durability = durability;
        try {
            Files.createDirectories(dir);
            statistics = own(new Statistics());
            statistics.setStatsLevel(StatsLevel.EXCEPT_DETAILED_TIMERS);
            int jobs = Math.max(2, Runtime.getRuntime().availableProcessors());
            dbOptions = own(new DBOptions())
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxBackgroundJobs(jobs)
                    .setBytesPerSync(1L << 20)
                    .setMaxOpenFiles(-1)
                    .setStatistics(statistics);
            Cache cache = own(new LRUCache(Math.max(1L << 20, blockCacheBytes)));
            BlockBasedTableConfig table = new BlockBasedTableConfig()
                    .setBlockCache(cache)
                    .setBlockSize(4096)
                    .setFilterPolicy(own(new BloomFilter(10, false)))
                    .setCacheIndexAndFilterBlocks(false);
            cfOptions = own(new ColumnFamilyOptions())
                    .setWriteBufferSize(WRITE_BUFFER_BYTES)
                    .setMaxWriteBufferNumber(3)
                    .setTargetFileSizeBase(64L << 20)
                    .setMaxBytesForLevelBase(256L << 20)
                    .setLevelCompactionDynamicLevelBytes(true)
                    .setCompressionType(compressionType(compression))
                    .setTableFormatConfig(table);
            if (variant == Variant.BULK) {
                // While loading: never compact, never stall on L0 files or compaction debt.
                cfOptions
                        .setDisableAutoCompactions(true)
                        .setLevel0FileNumCompactionTrigger(1 << 30)
                        .setLevel0SlowdownWritesTrigger(1 << 30)
                        .setLevel0StopWritesTrigger(1 << 30)
                        .setSoftPendingCompactionBytesLimit(0)
                        .setHardPendingCompactionBytesLimit(0)
                        .setMaxWriteBufferNumber(6);
                loading = true;
            }
            if (variant == Variant.BLOB) {
                cfOptions
                        .setEnableBlobFiles(true)
                        .setMinBlobSize(512)
                        .setBlobFileSize(256L << 20)
                        .setBlobCompressionType(compressionType(compression))
                        .setEnableBlobGarbageCollection(true);
            }
            walWrites = own(new WriteOptions()).setSync(durability == Options.DurabilityClass.SYNC);
            noWalWrites = own(new WriteOptions()).setDisableWAL(true);
            writes = variant == Variant.WAL || variant == Variant.BLOB ? walWrites : noWalWrites;
            reads = own(new ReadOptions());
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                    new ColumnFamilyDescriptor(CF_NAME, cfOptions));
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            defaultFamily = handles.get(0);
            family = handles.get(1);
        } catch (RocksDBException | java.io.IOException e) {
            closeResources();
            throw new IllegalStateException("cannot open RocksDB in " + dir + ": " + e.getMessage(), e);
        }
        if (durability == Options.DurabilityClass.PERIODIC && writes == walWrites) {
            // seqs PERIODIC forces its log every second; the RocksDB equivalent is a WAL sync.
            walSyncer = new PeriodicSync("rocksdb-wal-sync", this::syncWalQuietly);
        } else {
            walSyncer = null;
        }
        settings.put("variant", variant.engineName);
        settings.put("rocksdb_version", RocksDB.rocksdbVersion().toString());
        settings.put("wal", writes == walWrites);
        settings.put(
                "wal_sync",
                durability == Options.DurabilityClass.SYNC
                        ? "every write"
                        : durability == Options.DurabilityClass.PERIODIC ? "every 1 s" : "never (page cache)");
        settings.put("write_buffer_bytes", WRITE_BUFFER_BYTES);
        settings.put("block_cache_bytes", blockCacheBytes);
        settings.put("compression", compression);
        settings.put("block_size", 4096);
        settings.put("bloom_bits_per_key", 10);
        settings.put("max_background_jobs", Math.max(2, Runtime.getRuntime().availableProcessors()));
        settings.put("reset", "drop and recreate the column family");
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.add(resource);
        return resource;
    }

    private static CompressionType compressionType(String name) {
        return switch (name) {
            case "lz4" -> CompressionType.LZ4_COMPRESSION;
            case "zstd" -> CompressionType.ZSTD_COMPRESSION;
            case "snappy" -> CompressionType.SNAPPY_COMPRESSION;
            case "none" -> CompressionType.NO_COMPRESSION;
            default -> throw new IllegalArgumentException("unknown compression " + name);
        };
    }

    @Override
    public String name() {
        return variant.engineName;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public void put(ByteBuffer key, int keyLength, ByteBuffer value, int valueLength) {
        key.limit(keyLength).position(0);
        value.limit(valueLength).position(0);
        try {
            db.put(family, writes, key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB put failed: " + e.getMessage(), e);
        }
    }

    /** An iterator over the whole family that does not fill the block cache, with a 2 MiB readahead. */
    @Override
    public long[] exportAll() {
        ByteBuffer key = ByteBuffer.allocateDirect(64 << 10);
        ByteBuffer value = ByteBuffer.allocateDirect(1 << 20);
        long records = 0;
        long bytes = 0;
        try (ReadOptions options = new ReadOptions().setFillCache(false).setReadaheadSize(2L << 20);
                RocksIterator it = db.newIterator(family, options)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                int k = it.key(key.clear());
                int v = it.value(value.clear());
                if (v > value.capacity()) {
                    value = ByteBuffer.allocateDirect(Integer.highestOneBit(v) << 1);
                    v = it.value(value.clear());
                }
                records++;
                bytes += k + (long) v;
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB iteration failed: " + e.getMessage(), e);
        }
        return new long[] {records, bytes};
    }

    @Override
    public int get(ByteBuffer key, int keyLength, ByteBuffer dst) {
        key.limit(keyLength).position(0);
        dst.clear();
        try {
            int n = db.get(family, reads, key, dst);
            return n == RocksDB.NOT_FOUND ? -1 : n;
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB get failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void endBulkLoad() {
        if (!loading) {
            return;
        }
        loading = false;
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true);
                CompactRangeOptions co = new CompactRangeOptions().setChangeLevel(false)) {
            db.flush(fo, family);
            db.compactRange(family, null, null, co);
            db.setOptions(
                    family,
                    MutableColumnFamilyOptions.builder()
                            .setDisableAutoCompactions(false)
                            .setLevel0FileNumCompactionTrigger(4)
                            .setLevel0SlowdownWritesTrigger(20)
                            .setLevel0StopWritesTrigger(36)
                            .setSoftPendingCompactionBytesLimit(64L << 30)
                            .setHardPendingCompactionBytesLimit(256L << 30)
                            .build());
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB bulk-load compaction failed: " + e.getMessage(), e);
        }
        writes = walWrites;
    }

    @Override
    public void flush() {
        try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
            if (writes == walWrites) {
                db.flushWal(true);
            }
            db.flush(fo, family);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB flush failed: " + e.getMessage(), e);
        }
    }

    private void syncWalQuietly() {
        try {
            db.syncWal();
        } catch (RocksDBException | RuntimeException e) {
            // closing; the next phase end flushes anyway
        }
    }

    @Override
    public boolean settle(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        try {
            while (true) {
                long pending = db.getLongProperty(family, "rocksdb.compaction-pending");
                long running = db.getLongProperty("rocksdb.num-running-compactions");
                long flushes = db.getLongProperty("rocksdb.num-running-flushes");
                if (pending == 0 && running == 0 && flushes == 0) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(100);
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB property read failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void reset() {
        // What RocksDB users do to drop a whole data set at once: drop the column family (its files
        // are deleted once no reader holds them) and create an empty one in its place.
        try {
            ColumnFamilyHandle old = family;
            db.dropColumnFamily(old);
            old.close();
            family = db.createColumnFamily(new ColumnFamilyDescriptor(CF_NAME, cfOptions));
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB column family reset failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long keys() {
        return property("rocksdb.estimate-num-keys");
    }

    private long property(String name) {
        try {
            return db.getLongProperty(family, name);
        } catch (RocksDBException e) {
            return -1;
        }
    }

    @Override
    public Double indexBytesPerKey() {
        long keys = keys();
        long mem = property("rocksdb.estimate-table-readers-mem");
        return keys <= 0 || mem < 0 ? null : (double) mem / keys;
    }

    @Override
    public Long ownPhysicalBytes() {
        return statistics.getTickerCount(TickerType.WAL_FILE_BYTES)
                + statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES)
                + statistics.getTickerCount(TickerType.COMPACT_WRITE_BYTES)
                + statistics.getTickerCount(TickerType.BLOB_DB_BLOB_FILE_BYTES_WRITTEN);
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> m = new LinkedHashMap<>(settings);
        m.put("estimated_keys", keys());
        m.put("wal_bytes", statistics.getTickerCount(TickerType.WAL_FILE_BYTES));
        m.put("flush_write_bytes", statistics.getTickerCount(TickerType.FLUSH_WRITE_BYTES));
        m.put("compaction_write_bytes", statistics.getTickerCount(TickerType.COMPACT_WRITE_BYTES));
        m.put("compaction_read_bytes", statistics.getTickerCount(TickerType.COMPACT_READ_BYTES));
        m.put("blob_file_write_bytes", statistics.getTickerCount(TickerType.BLOB_DB_BLOB_FILE_BYTES_WRITTEN));
        m.put("user_bytes_written", statistics.getTickerCount(TickerType.BYTES_WRITTEN));
        m.put("write_stall_ms", statistics.getTickerCount(TickerType.STALL_MICROS) / 1000.0);
        m.put("live_sst_bytes", property("rocksdb.live-sst-files-size"));
        m.put("table_readers_mem_bytes", property("rocksdb.estimate-table-readers-mem"));
        m.put("pending_compaction_bytes", property("rocksdb.estimate-pending-compaction-bytes"));
        m.put("block_cache_usage_bytes", property("rocksdb.block-cache-usage"));
        List<Long> levels = new ArrayList<>();
        for (int level = 0; level < 7; level++) {
            // A string property: getLongProperty refuses it.
            try {
                levels.add(Long.parseLong(db.getProperty(family, "rocksdb.num-files-at-level" + level)
                        .trim()));
            } catch (RocksDBException | NumberFormatException e) {
                levels.add(-1L);
            }
        }
        m.put("files_per_level", levels);
        return m;
    }

    @Override
    public void close() {
        if (walSyncer != null) {
            walSyncer.close();
        }
        try {
            if (writes == walWrites) {
                db.flushWal(true);
            }
        } catch (RocksDBException e) {
            // closing anyway; RocksDB's close below still writes what it must
        }
        family.close();
        defaultFamily.close();
        db.close();
        closeResources();
    }

    private void closeResources() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // releasing native handles; nothing to recover
            }
        }
        resources.clear();
    }
}
