package io.seqs.bench;

import java.util.SplittableRandom;

/**
 * Record indexes in {@code [0, n)} drawn with Zipfian skew: rank r is chosen with probability
 * proportional to {@code 1 / (r+1)^theta}, by the inversion method of Gray et al., "Quickly
 * generating billion-record synthetic databases" (SIGMOD 1994), as YCSB does. Ranks are then
 * spread over the key space by a bijection, so the hot keys are not the first ones written.
 *
 * <p>Thread safety: immutable; each caller passes its own random source.
 */
final class ZipfianKeys {
    /** Above this many items the zeta sum's tail is integrated instead of summed. */
    private static final long EXACT_ZETA_LIMIT = 10_000_000;

    private final long n;
    private final double theta;
    private final double alpha;
    private final double zetaN;
    private final double eta;
    private final double halfPowTheta;
    private final long multiplier;

    ZipfianKeys(long n, double theta) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one item, was " + n);
        }
        if (!(theta > 0 && theta < 1)) {
            throw new IllegalArgumentException("Zipfian theta must be in (0, 1), was " + theta);
        }
        this.n = n;
        this.theta = theta;
        this.alpha = 1 / (1 - theta);
        this.zetaN = zeta(n, theta);
        double zeta2 = zeta(2, theta);
        this.eta = n < 2 ? 1 : (1 - Math.pow(2.0 / n, 1 - theta)) / (1 - zeta2 / zetaN);
        this.halfPowTheta = 1 + Math.pow(0.5, theta);
        this.multiplier = coprimeMultiplier(n);
    }

    /** Number of items. */
    long size() {
        return n;
    }

    double theta() {
        return theta;
    }

    /** The rank of the next draw: 0 is the most popular. */
    long nextRank(SplittableRandom random) {
        double u = random.nextDouble();
        double uz = u * zetaN;
        if (uz < 1) {
            return 0;
        }
        if (uz < halfPowTheta) {
            return Math.min(1, n - 1);
        }
        long r = (long) (n * Math.pow(eta * u - eta + 1, alpha));
        return Math.min(Math.max(r, 0), n - 1);
    }

    /** The record index of the next draw. */
    long next(SplittableRandom random) {
        return spread(nextRank(random));
    }

    /**
     * Maps a rank to a record index: multiplication by a number coprime to n permutes [0, n). The
     * multiplier stays below 2^23 and ranks below 2^40, so the product never overflows.
     */
    long spread(long rank) {
        return (rank * multiplier) % n;
    }

    private static long coprimeMultiplier(long n) {
        long m = 5_000_011L;
        while (gcd(m, n) != 1) {
            m += 2;
        }
        return m;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Sum of 1/i^theta for i in 1..n; the tail past {@link #EXACT_ZETA_LIMIT} by the midpoint integral. */
    static double zeta(long n, double theta) {
        long exact = Math.min(n, EXACT_ZETA_LIMIT);
        double sum = 0;
        for (long i = 1; i <= exact; i++) {
            sum += Math.pow(i, -theta);
        }
        if (n > exact) {
            double a = exact + 0.5;
            double b = n + 0.5;
            sum += (Math.pow(b, 1 - theta) - Math.pow(a, 1 - theta)) / (1 - theta);
        }
        return sum;
    }
}
