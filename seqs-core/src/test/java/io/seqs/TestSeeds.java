package io.seqs;

/**
 * Seeds for randomized tests: {@code -Dseqs.test.seed=N} replays a run; otherwise a fresh seed is drawn and printed.
 */
public final class TestSeeds {
    private TestSeeds() {}

    public static long seed(String test) {
        String fixed = System.getProperty("seqs.test.seed");
        long seed = fixed != null
                ? Long.parseLong(fixed)
                : System.nanoTime() ^ Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L;
        System.out.println(test + ": seed " + seed + " (replay with -Dseqs.test.seed=" + seed + ")");
        return seed;
    }
}
