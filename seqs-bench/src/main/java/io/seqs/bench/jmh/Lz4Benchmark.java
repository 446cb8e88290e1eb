package io.seqs.bench.jmh;

import io.seqs.bench.RecordSamples;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * lz4-java's safe (pure-Java) instance, the one seqs uses, on the harness's own values: what one
 * core compresses and decompresses per second. This bounds what a put and a get with
 * {@code compression(LZ4)} can cost, apart from the store.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx1g"})
public class Lz4Benchmark {
    /** Distinct values cycled through, so that the branch predictor does not learn one. */
    private static final int VALUES = 1024;

    private final LZ4Compressor compressor = LZ4Factory.safeInstance().fastCompressor();
    private final LZ4SafeDecompressor decompressor = LZ4Factory.safeInstance().safeDecompressor();
    private byte[][] values;
    private byte[][] compressed;
    private int[] compressedLengths;
    private byte[] out;
    private int next;

    @Setup
    public void setup() {
        values = RecordSamples.values(VALUES, 42);
        compressed = new byte[VALUES][];
        compressedLengths = new int[VALUES];
        long raw = 0;
        long packed = 0;
        int max = 0;
        for (int i = 0; i < VALUES; i++) {
            compressed[i] = new byte[compressor.maxCompressedLength(values[i].length)];
            compressedLengths[i] = compressor.compress(values[i], 0, values[i].length, compressed[i], 0);
            raw += values[i].length;
            packed += compressedLengths[i];
            max = Math.max(max, values[i].length);
        }
        out = new byte[Math.max(max, compressor.maxCompressedLength(max))];
        System.out.printf(
                "%nLz4Benchmark: %d values, %.0f B mean, LZ4 keeps %.3f of the bytes%n",
                VALUES, (double) raw / VALUES, (double) packed / raw);
    }

    /** Compresses one value; the mean value is about 1 KiB. */
    @Benchmark
    public int compress() {
        byte[] v = values[next++ & (VALUES - 1)];
        return compressor.compress(v, 0, v.length, out, 0, out.length);
    }

    /** Decompresses one value. */
    @Benchmark
    public int decompress() {
        int i = next++ & (VALUES - 1);
        return decompressor.decompress(compressed[i], 0, compressedLengths[i], out, 0, out.length);
    }
}
