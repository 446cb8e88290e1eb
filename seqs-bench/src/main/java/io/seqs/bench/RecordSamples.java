package io.seqs.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The harness's values, for microbenchmarks that want the same bytes the weekly cycle writes. */
public final class RecordSamples {
    private RecordSamples() {}

    /**
     * The values of records {@code 0..n-1} of a generator with {@code seed} and the default mean
     * value size (1 KiB), as arrays.
     *
     * @param n how many values
     * @param seed the generator's seed
     * @return the values
     */
    public static byte[][] values(int n, long seed) {
        RecordGenerator gen = new RecordGenerator(seed, 1024);
        byte[][] out = new byte[n][];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(gen.maxValueLength());
            for (int i = 0; i < n; i++) {
                int length = gen.value(i, 0, buffer);
                out[i] = buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
            }
        }
        return out;
    }
}
