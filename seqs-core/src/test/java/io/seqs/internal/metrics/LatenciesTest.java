package io.seqs.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.TestSeeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The latency histogram against exact percentiles of the same samples. */
class LatenciesTest {
    /** A bucket is at most 1/64 of its values wide. */
    private static final double RELATIVE_WIDTH = 1.0 / LogLinearBuckets.SUB_BUCKETS;

    @Test
    void everyValueFallsInItsBucket() {
        SplittableRandom rnd = new SplittableRandom(TestSeeds.seed("LatenciesTest.buckets"));
        for (int i = 0; i < 1_000_000; i++) {
            long v = i < 1_000 ? i : rnd.nextLong(1L << rnd.nextInt(1, 37));
            int b = LogLinearBuckets.index(v);
            assertTrue(b >= 0 && b < LogLinearBuckets.BUCKETS, v + " -> " + b);
            assertTrue(LogLinearBuckets.lowest(b) <= v && v <= LogLinearBuckets.highest(b), v + " -> " + b);
            assertTrue(LogLinearBuckets.width(b) <= Math.max(1, v * RELATIVE_WIDTH), v + " -> " + b);
        }
        for (int b = 1; b < LogLinearBuckets.BUCKETS; b++) {
            assertEquals(
                    LogLinearBuckets.highest(b - 1) + 1, LogLinearBuckets.lowest(b), "buckets are contiguous at " + b);
        }
        assertEquals(
                LogLinearBuckets.BUCKETS - 1,
                LogLinearBuckets.index(Long.MAX_VALUE),
                "large values share the last bucket");
        assertEquals(0, LogLinearBuckets.index(-5), "a negative time counts as zero");
    }

    @Test
    void percentilesAreWithinABucketOfTheExactOnes() {
        SplittableRandom rnd = new SplittableRandom(TestSeeds.seed("LatenciesTest.percentiles"));
        Latencies latencies = new Latencies(1);
        int n = 200_000;
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = (long) Math.exp(rnd.nextDouble(2, 20)); // 7 ns .. 0.5 s, log-uniform
            latencies.record(values[i]);
        }
        AtomicLong drainedCount = new AtomicLong();
        LatencySummary[] first = latencies.snapshot(v -> drainedCount.incrementAndGet());
        assertEquals(n, drainedCount.get(), "every sample reaches the sink once");
        Arrays.sort(values);
        LatencySummary s = first[0];
        assertEquals(n, s.samples());
        assertEquals(first[0], first[1], "the first snapshot's recent figures are all figures");
        check("p50", exact(values, 50), s.p50Nanos());
        check("p90", exact(values, 90), s.p90Nanos());
        check("p99", exact(values, 99), s.p99Nanos());
        check("p99.9", exact(values, 99.9), s.p999Nanos());
        check("max", values[n - 1], s.maxNanos());
        double mean = Arrays.stream(values).average().orElseThrow();
        assertTrue(Math.abs(s.meanNanos() - mean) <= mean * RELATIVE_WIDTH, s.meanNanos() + " vs " + mean);

        latencies.record(1_000);
        LatencySummary[] second = latencies.snapshot(null);
        assertEquals(n + 1, second[0].samples());
        assertEquals(1, second[1].samples(), "recent figures start at the previous snapshot");
        check("recent", 1_000, second[1].p50Nanos());
        assertEquals(LatencySummary.EMPTY, latencies.snapshot(null)[1]);
    }

    private static long exact(long[] sorted, double percent) {
        return sorted[(int) Math.max(0, Math.ceil(sorted.length * percent / 100) - 1)];
    }

    private static void check(String what, long exact, long reported) {
        assertTrue(
                reported >= exact && reported <= exact + Math.max(1, exact * RELATIVE_WIDTH),
                what + ": reported " + reported + ", exact " + exact);
    }
}
