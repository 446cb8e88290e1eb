package io.seqs.bench.jmh;

import io.seqs.Durability;
import io.seqs.Seqs;
import io.seqs.bench.DiskUsage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

/**
 * seqs put and get, through the byte[] API and the zero-copy MemorySegment API, on a store of
 * {@value Keys#COUNT} keys. Durability PROCESS, like the RocksDB counterpart's unsynced WAL.
 *
 * <p>The log is append-only, so a put benchmark appends every value it writes (a few GB per trial
 * at most, deleted at the end of the trial); like the harness's ingest, puts pay for growing the
 * mapped log. The store is not reset between iterations, because the background deletion of the
 * old epoch would allocate on another thread during the next iteration and JMH's GC profiler
 * counts every thread. With {@code -prof gc}, {@code gc.alloc.rate.norm} is the allocation per
 * operation: the MemorySegment paths should show 0.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx2g"})
public class SeqsBenchmark {
    @Param({"100", "1024"})
    public int valueSize;

    /** "none", or "micrometer" to open the store with a meter registry: the cost of measuring. */
    @Param({"none", "micrometer"})
    public String metrics;

    /** How the store keeps values: NONE, or LZ4 (the values here compress about 2x). */
    @Param({"NONE", "LZ4"})
    public String compression;

    private Path dir;
    private Seqs store;
    private Keys keys;
    private byte[] value;
    private MemorySegment valueSegment;
    private final Arena arena = Arena.ofShared();

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("seqs-jmh");
        var builder = Seqs.builder(dir)
                .durability(Durability.PROCESS)
                .segmentSize(64L << 20)
                .compression(io.seqs.Compression.valueOf(compression))
                .expectedKeys(Keys.COUNT);
        if (metrics.equals("micrometer")) {
            builder.meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        }
        store = builder.open();
        keys = new Keys(arena);
        value = Keys.value(valueSize, 1);
        valueSegment = arena.allocate(valueSize);
        MemorySegment.copy(value, 0, valueSegment, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, valueSize);
        load();
    }

    private void load() {
        for (int i = 0; i < Keys.COUNT; i++) {
            store.put(keys.bytes[i], value);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        arena.close();
        DiskUsage.deleteTree(dir);
    }

    /** Per-thread cursor and read buffer. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
        MemorySegment dst;

        @Setup(Level.Trial)
        public void setup() {
            next = (int) (Thread.currentThread().threadId() * 7919);
            dst = Arena.ofAuto().allocate(64 << 10);
        }

        int next() {
            next = (next + Keys.STEP) & (Keys.COUNT - 1);
            return next;
        }
    }

    @Benchmark
    public void putBytes(Cursor c) {
        store.put(keys.bytes[c.next()], value);
    }

    @Benchmark
    public void putSegment(Cursor c) {
        store.put(keys.segments[c.next()], valueSegment);
    }

    @Benchmark
    public byte[] getBytes(Cursor c) {
        return store.get(keys.bytes[c.next()]);
    }

    @Benchmark
    public long getSegment(Cursor c) {
        return store.get(keys.segments[c.next()], c.dst);
    }
}
