package io.seqs.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The microbenchmarks' key set: {@value #COUNT} product-like keys of 18 bytes, as heap arrays and
 * as off-heap segments, prepared up front so that no benchmark allocates to name a key.
 */
final class Keys {
    /** A power of two, so that a cursor wraps with a mask. */
    static final int COUNT = 1 << 17;
    /** Odd, so that stepping by it visits every key; large, so that neighbours land in other shards. */
    static final int STEP = 0x9E3779B1 & (COUNT - 1) | 1;

    final byte[][] bytes = new byte[COUNT][];
    final MemorySegment[] segments = new MemorySegment[COUNT];

    Keys(Arena arena) {
        for (int i = 0; i < COUNT; i++) {
            bytes[i] = String.format("de:%08x-%06d", Integer.reverse(i) ^ 0x5bd1e995, i)
                    .getBytes(StandardCharsets.US_ASCII);
            segments[i] = arena.allocate(bytes[i].length);
            MemorySegment.copy(bytes[i], 0, segments[i], ValueLayout.JAVA_BYTE, 0, bytes[i].length);
        }
    }

    /** A JSON-like value of {@code size} bytes. */
    static byte[] value(int size, long seed) {
        byte[] v = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        String text =
                "{\"title\":\"organic cotton shirt\",\"price\":{\"amount\":19.99,\"currency\":\"EUR\"},\"stock\":42}";
        for (int i = 0; i < size; i++) {
            v[i] = (byte) (r.nextInt(8) == 0 ? '0' + r.nextInt(10) : text.charAt(i % text.length()));
        }
        return v;
    }
}
