package io.seqs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecordGeneratorTest {
    private final RecordGenerator gen = new RecordGenerator(42, 1024);

    @Test
    void keysAreUniqueProductLikeAndWithinBounds() {
        byte[] buf = new byte[RecordGenerator.MAX_KEY_LENGTH];
        Set<String> seen = new HashSet<>();
        for (long i = 0; i < 200_000; i++) {
            int n = gen.key(i, buf);
            assertEquals(gen.keyLength(i), n);
            assertTrue(n >= RecordGenerator.MIN_KEY_LENGTH && n <= RecordGenerator.MAX_KEY_LENGTH, "length " + n);
            String key = new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(key.matches("[a-z-]+:[0-9a-z]{8}(-[0-9a-z]*)?"), key);
            assertTrue(seen.add(key), "duplicate key " + key);
        }
    }

    @Test
    void recordsAreDeterministicForASeed() {
        RecordGenerator again = new RecordGenerator(42, 1024);
        RecordGenerator other = new RecordGenerator(43, 1024);
        byte[] a = new byte[40];
        byte[] b = new byte[40];
        byte[] c = new byte[40];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment va = arena.allocate(gen.maxValueLength());
            MemorySegment vb = arena.allocate(gen.maxValueLength());
            int differ = 0;
            for (long i = 0; i < 1000; i++) {
                assertEquals(gen.key(i, a), again.key(i, b));
                assertTrue(Arrays.equals(a, b));
                int la = gen.value(i, 3, va);
                int lb = again.value(i, 3, vb);
                assertEquals(la, lb);
                assertEquals(-1, va.asSlice(0, la).mismatch(vb.asSlice(0, lb)));
                other.key(i, c);
                if (!Arrays.equals(a, c)) {
                    differ++;
                }
            }
            assertTrue(differ > 990, "another seed should give other keys");
        }
    }

    @Test
    void valueSizesMatchTheConfiguredMeanWithSomeLargeOnes() {
        for (int mean : new int[] {100, 1024, 4096}) {
            RecordGenerator g = new RecordGenerator(7, mean);
            long total = 0;
            long large = 0;
            int n = 200_000;
            for (long i = 0; i < n; i++) {
                int len = g.valueLength(i);
                assertTrue(len >= RecordGenerator.STAMP_LENGTH && len <= g.maxValueLength(), "length " + len);
                total += len;
                if (len >= 10 << 10) {
                    large++;
                }
            }
            double actual = (double) total / n;
            assertEquals(mean, actual, mean * 0.06, "mean value size for " + mean);
            assertTrue(large > 0, "no 10-100 KiB values for mean " + mean);
        }
    }

    @Test
    void stampsIdentifyTheRecordAndModifyBumpsTheRevision() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(gen.maxValueLength());
            int len = gen.value(12345, 0, v);
            assertTrue(gen.stampMatches(12345, v, len));
            assertFalse(gen.stampMatches(12346, v, len));
            assertEquals(0, RecordGenerator.revisionOf(v));
            assertEquals(1, gen.modify(v, len, 99));
            assertEquals(1, RecordGenerator.revisionOf(v));
            assertTrue(gen.stampMatches(12345, v, len), "modify keeps the id");
        }
    }

    @Test
    void rejectsMeansOutsideItsLimits() {
        assertThrows(IllegalArgumentException.class, () -> new RecordGenerator(1, 10));
        assertThrows(IllegalArgumentException.class, () -> new RecordGenerator(1, 2 << 20));
    }

    @Test
    void zipfianDrawsAreSkewedAndCoverTheRange() {
        long n = 100_000;
        ZipfianKeys z = new ZipfianKeys(n, 0.99);
        SplittableRandom r = new SplittableRandom(1);
        long[] counts = new long[(int) n];
        int draws = 1_000_000;
        for (int i = 0; i < draws; i++) {
            long k = z.next(r);
            assertTrue(k >= 0 && k < n);
            counts[(int) k]++;
        }
        long hottest = Arrays.stream(counts).max().orElseThrow();
        long touched = Arrays.stream(counts).filter(c -> c > 0).count();
        // With theta 0.99 over 100,000 keys the top key draws several percent of all requests.
        assertTrue(hottest > draws / 50, "hottest key got " + hottest);
        assertTrue(touched > n / 4, "only " + touched + " keys drawn");
        // The spread is a permutation: distinct ranks land on distinct keys.
        Set<Long> spread = new HashSet<>();
        for (long rank = 0; rank < n; rank++) {
            assertTrue(spread.add(z.spread(rank)));
        }
    }
}
