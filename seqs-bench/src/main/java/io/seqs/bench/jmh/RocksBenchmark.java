package io.seqs.bench.jmh;

import io.seqs.bench.DiskUsage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The same operations as {@link SeqsBenchmark} on RocksDB: put and get through byte[] and through
 * direct ByteBuffers (RocksJava's allocation-free path), WAL on without sync (the durability class
 * of seqs PROCESS), LZ4, a 10-bit Bloom filter and a 256 MiB block cache. Overwrites of the same
 * keys are compacted away by RocksDB itself, so no reset is needed between iterations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx2g"})
public class RocksBenchmark {
    @Param({"100", "1024"})
    public int valueSize;

    private Path dir;
    private Options options;
    private LRUCache cache;
    private BloomFilter filter;
    private WriteOptions writes;
    private ReadOptions reads;
    private RocksDB db;
    private Keys keys;
    private byte[] value;
    private ByteBuffer valueBuffer;
    private final Arena arena = Arena.ofShared();

    @Setup(Level.Trial)
    public void open() throws IOException, RocksDBException {
        RocksDB.loadLibrary();
        dir = Files.createTempDirectory("rocksdb-jmh");
        cache = new LRUCache(256L << 20);
        filter = new BloomFilter(10, false);
        options = new Options()
                .setCreateIfMissing(true)
                .setMaxBackgroundJobs(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setWriteBufferSize(64L << 20)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(
                        new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(filter));
        writes = new WriteOptions();
        reads = new ReadOptions();
        db = RocksDB.open(options, dir.toString());
        keys = new Keys(arena);
        value = Keys.value(valueSize, 1);
        valueBuffer = ByteBuffer.allocateDirect(valueSize).put(value).flip();
        for (int i = 0; i < Keys.COUNT; i++) {
            db.put(writes, keys.bytes[i], value);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        db.close();
        writes.close();
        reads.close();
        options.close();
        filter.close();
        cache.close();
        arena.close();
        DiskUsage.deleteTree(dir);
    }

    /**
     * Per-thread cursor and buffers: RocksJava moves buffer positions, so each thread owns its key
     * buffers (slices of one direct block) and rewinds them before each call.
     */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
        ByteBuffer dst;
        ByteBuffer value;
        ByteBuffer[] keys;

        @Setup(Level.Trial)
        public void setup(RocksBenchmark b) {
            next = (int) (Thread.currentThread().threadId() * 7919);
            dst = ByteBuffer.allocateDirect(64 << 10);
            value = b.valueBuffer.duplicate();
            keys = new ByteBuffer[Keys.COUNT];
            int total = 0;
            for (byte[] k : b.keys.bytes) {
                total += k.length;
            }
            ByteBuffer block = ByteBuffer.allocateDirect(total);
            for (int i = 0; i < Keys.COUNT; i++) {
                int at = block.position();
                block.put(b.keys.bytes[i]);
                keys[i] = block.slice(at, b.keys.bytes[i].length);
            }
        }

        int next() {
            next = (next + Keys.STEP) & (Keys.COUNT - 1);
            return next;
        }
    }

    @Benchmark
    public void putBytes(Cursor c) throws RocksDBException {
        db.put(writes, keys.bytes[c.next()], value);
    }

    @Benchmark
    public void putBuffer(Cursor c) throws RocksDBException {
        ByteBuffer key = c.keys[c.next()];
        key.clear();
        c.value.clear();
        db.put(writes, key, c.value);
    }

    @Benchmark
    public byte[] getBytes(Cursor c) throws RocksDBException {
        return db.get(reads, keys.bytes[c.next()]);
    }

    @Benchmark
    public int getBuffer(Cursor c) throws RocksDBException {
        ByteBuffer key = c.keys[c.next()];
        key.clear();
        c.dst.clear();
        return db.get(reads, key, c.dst);
    }
}
