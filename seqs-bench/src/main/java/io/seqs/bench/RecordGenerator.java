package io.seqs.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Product-like records, every byte a pure function of {@code (seed, index, revision)}, so that
 * every engine, the recovery child and the verifying reader all agree on them without sharing
 * state.
 *
 * <p><b>Keys</b> look like {@code market:sku}, 12–40 bytes: a market code, a colon, an 8-character
 * base-36 id that is a bijection of the index (so keys are unique and arrive in no sorted order,
 * as real product ids do) and, for longer keys, a dash and a variant suffix.
 *
 * <p><b>Values</b> start with a fixed-width stamp <code>{"id":"&lt;16 hex&gt;","rev":&lt;8 digits&gt;,"d":</code>
 * naming the record's index and revision (readers check it), followed by a slice of a pool of
 * JSON product documents, so that values compress like real JSON payloads. Lengths follow a
 * log-normal body around the configured mean plus a small share of 10–100 KiB documents; the share
 * is chosen so that the large ones carry about a fifth of the bytes.
 *
 * <p>Thread safety: immutable after construction; every method may be called concurrently.
 */
final class RecordGenerator {
    /** Longest key this generator makes. */
    static final int MAX_KEY_LENGTH = 40;

    static final int MIN_KEY_LENGTH = 12;
    /** Smallest supported configured mean value size: room for the stamp and some payload. */
    static final int MIN_MEAN_VALUE = 64;
    /** Largest supported configured mean value size. */
    static final int MAX_MEAN_VALUE = 1 << 20;
    /** Indexes must fit the 40-bit id permutation. */
    static final long MAX_RECORDS = 1L << 40;

    static final int STAMP_LENGTH = 44;
    private static final int STAMP_ID_OFFSET = 7;
    private static final int STAMP_REV_OFFSET = 31;
    private static final int MIN_VALUE = STAMP_LENGTH + 4;
    private static final int LARGE_MIN = 10 << 10;
    private static final int LARGE_MAX = 100 << 10;
    /** Share of all value bytes carried by the 10–100 KiB values. */
    private static final double LARGE_BYTE_SHARE = 0.2;

    private static final double SIGMA = 0.6;

    private static final String[] MARKETS = {
        "de", "fr", "uk", "us", "jp", "nl", "it", "es", "se", "pl", "br", "au",
        "ca", "mx", "in", "sg", "us-west", "us-east", "eu-c", "apac", "latam", "ch", "at", "be",
    };
    private static final byte[] BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] MARKET_BYTES = new byte[MARKETS.length][];

    static {
        for (int i = 0; i < MARKETS.length; i++) {
            MARKET_BYTES[i] = MARKETS[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final long seed;
    private final int meanValue;
    private final double largeProbability;
    private final double mu;
    private final int smallMax;
    private final int maxValue;
    private final MemorySegment pool;

    RecordGenerator(long seed, int meanValue) {
        if (meanValue < MIN_MEAN_VALUE || meanValue > MAX_MEAN_VALUE) {
            throw new IllegalArgumentException("mean value size must be in " + MIN_MEAN_VALUE + ".." + MAX_MEAN_VALUE
                    + " bytes, was " + meanValue);
        }
        this.seed = seed;
        this.meanValue = meanValue;
        double largeMean = (LARGE_MIN + LARGE_MAX) / 2.0;
        this.largeProbability = Math.min(0.005, LARGE_BYTE_SHARE * meanValue / largeMean);
        double smallMean = (meanValue - largeProbability * largeMean) / (1 - largeProbability);
        this.smallMax = (int) Math.max(8192, 8 * smallMean);
        this.mu = calibrateMu(smallMean, MIN_VALUE, smallMax);
        this.maxValue = Math.max(LARGE_MAX, smallMax);
        this.pool = JsonPool.build(seed, Math.max(16L << 20, 2L * maxValue));
    }

    /** The configured mean value size. */
    int meanValue() {
        return meanValue;
    }

    /** No value is longer: size read buffers with it. */
    int maxValueLength() {
        return maxValue;
    }

    /**
     * The log-normal location whose values, once clamped to {@code [min, max]}, average
     * {@code mean}: clamping small means up to the stamp's length would otherwise inflate them.
     */
    private static double calibrateMu(double mean, int min, int max) {
        double lo = Math.log(1);
        double hi = Math.log(max);
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (clampedMean(mid, min, max) < mean) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Mean of clamp(exp(mu + SIGMA z)) for standard normal z, by the midpoint rule over |z| <= 8. */
    private static double clampedMean(double mu, int min, int max) {
        int steps = 4000;
        double dz = 16.0 / steps;
        double sum = 0;
        for (int i = 0; i < steps; i++) {
            double z = -8 + (i + 0.5) * dz;
            double density = Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
            sum += density * Math.max(min, Math.min(max, Math.exp(mu + SIGMA * z))) * dz;
        }
        return sum;
    }

    /** Length of the key of record {@code index}. */
    int keyLength(long index) {
        long h = mix(seed ^ 0x6b657973L, index);
        int market = (int) Long.remainderUnsigned(h, MARKETS.length);
        int wanted = MIN_KEY_LENGTH + (int) Long.remainderUnsigned(h >>> 20, MAX_KEY_LENGTH - MIN_KEY_LENGTH + 1);
        return Math.max(wanted, MARKET_BYTES[market].length + 9);
    }

    /**
     * Writes the key of record {@code index} into {@code dst} from offset 0.
     *
     * @return its length
     */
    int key(long index, byte[] dst) {
        long h = mix(seed ^ 0x6b657973L, index);
        byte[] market = MARKET_BYTES[(int) Long.remainderUnsigned(h, MARKETS.length)];
        int wanted = MIN_KEY_LENGTH + (int) Long.remainderUnsigned(h >>> 20, MAX_KEY_LENGTH - MIN_KEY_LENGTH + 1);
        int p = 0;
        System.arraycopy(market, 0, dst, 0, market.length);
        p += market.length;
        dst[p++] = ':';
        long id = permute40(index);
        for (int i = 7; i >= 0; i--) {
            dst[p + i] = BASE36[(int) (id % 36)];
            id /= 36;
        }
        p += 8;
        if (p < wanted) {
            dst[p++] = '-';
            long v = mix(h, 0x76617269L);
            while (p < wanted) {
                dst[p++] = BASE36[(int) Long.remainderUnsigned(v, 36)];
                v = Long.divideUnsigned(v, 36);
                if (v == 0) {
                    v = mix(v, p);
                }
            }
        }
        return p;
    }

    /** Length of the value of record {@code index} (every revision keeps it). */
    int valueLength(long index) {
        long h = mix(seed ^ 0x76616c75L, index);
        double u = unit(h);
        if (u < largeProbability) {
            return LARGE_MIN + (int) (unit(mix(h, 1)) * (LARGE_MAX - LARGE_MIN));
        }
        // Box-Muller from two more uniforms; a log-normal body like real document sizes.
        double u1 = Math.max(1e-12, unit(mix(h, 2)));
        double u2 = unit(mix(h, 3));
        double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        long len = Math.round(Math.exp(mu + SIGMA * z));
        return (int) Math.max(MIN_VALUE, Math.min(smallMax, len));
    }

    /**
     * Writes the value of record {@code index} at {@code revision} into {@code dst} from offset 0.
     *
     * @return its length
     */
    int value(long index, int revision, MemorySegment dst) {
        int len = valueLength(index);
        writeStamp(index, revision, dst);
        long payload = len - STAMP_LENGTH;
        long offset = Long.remainderUnsigned(mix(seed ^ 0x706f6f6cL, index), pool.byteSize() - payload);
        MemorySegment.copy(pool, offset, dst, STAMP_LENGTH, payload);
        return len;
    }

    /**
     * Turns the value in {@code buf} (of length {@code len}, any revision) into its next revision
     * in place, as a read-modify-write of a product would: the revision goes up and a few fields'
     * worth of bytes change.
     *
     * @return the new revision
     */
    int modify(MemorySegment buf, int len, long salt) {
        int revision = (revisionOf(buf) + 1) % 100_000_000;
        writeRevision(buf, revision);
        long h = mix(salt, revision);
        int room = len - STAMP_LENGTH - 16;
        if (room > 0) {
            long at = STAMP_LENGTH + Long.remainderUnsigned(h, room);
            for (int i = 0; i < 16; i++) {
                buf.set(ValueLayout.JAVA_BYTE, at + i, (byte) ('0' + (int) ((h >>> (i * 4)) & 7)));
            }
        }
        return revision;
    }

    /** True when {@code buf} holds a value stamped for record {@code index}. */
    boolean stampMatches(long index, MemorySegment buf, long len) {
        if (len < STAMP_LENGTH) {
            return false;
        }
        for (int i = 15; i >= 0; i--) {
            byte expected = HEX[(int) (index & 15)];
            index >>>= 4;
            if (buf.get(ValueLayout.JAVA_BYTE, STAMP_ID_OFFSET + i) != expected) {
                return false;
            }
        }
        return true;
    }

    static int revisionOf(MemorySegment buf) {
        int r = 0;
        for (int i = 0; i < 8; i++) {
            int d = buf.get(ValueLayout.JAVA_BYTE, STAMP_REV_OFFSET + i) - '0';
            if (d < 0 || d > 9) {
                return 0;
            }
            r = r * 10 + d;
        }
        return r;
    }

    private static void writeStamp(long index, int revision, MemorySegment dst) {
        byte[] head = STAMP_TEMPLATE;
        MemorySegment.copy(head, 0, dst, ValueLayout.JAVA_BYTE, 0, head.length);
        for (int i = 15; i >= 0; i--) {
            dst.set(ValueLayout.JAVA_BYTE, STAMP_ID_OFFSET + i, HEX[(int) (index & 15)]);
            index >>>= 4;
        }
        writeRevision(dst, revision);
    }

    private static void writeRevision(MemorySegment dst, int revision) {
        for (int i = 7; i >= 0; i--) {
            dst.set(ValueLayout.JAVA_BYTE, STAMP_REV_OFFSET + i, (byte) ('0' + revision % 10));
            revision /= 10;
        }
    }

    private static final byte[] STAMP_TEMPLATE =
            "{\"id\":\"0000000000000000\",\"rev\":00000000,\"d\":".getBytes(StandardCharsets.US_ASCII);

    static {
        if (STAMP_TEMPLATE.length != STAMP_LENGTH) {
            throw new AssertionError("stamp template is " + STAMP_TEMPLATE.length + " bytes");
        }
    }

    /** A bijection of [0, 2^40): odd multipliers and xor-shifts are each invertible there. */
    private long permute40(long index) {
        final long mask = (1L << 40) - 1;
        long x = (index ^ (seed * 0x9E3779B97F4A7C15L)) & mask;
        x = (x * 0xD6E8FEB86659FD93L) & mask;
        x ^= x >>> 21;
        x = (x * 0xA0761D6478BD642FL) & mask;
        x ^= x >>> 19;
        return x;
    }

    /** SplitMix64's finalizer over two inputs: a cheap, well-mixed hash. */
    static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A double in [0, 1) from the top 53 bits. */
    static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    /** The pool as a buffer, for measuring its compressibility. */
    ByteBuffer poolSample(int bytes) {
        return pool.asSlice(0, Math.min(bytes, pool.byteSize())).asByteBuffer().asReadOnlyBuffer();
    }

    /** Builds the pool of JSON product documents that value payloads are cut from. */
    private static final class JsonPool {
        private static final String[] WORDS = {
            "cotton",
            "shirt",
            "blue",
            "slim",
            "fit",
            "organic",
            "men",
            "women",
            "kids",
            "summer",
            "winter",
            "jacket",
            "wool",
            "linen",
            "classic",
            "sport",
            "running",
            "shoe",
            "leather",
            "bag",
            "travel",
            "lightweight",
            "waterproof",
            "black",
            "white",
            "red",
            "green",
            "navy",
            "grey",
            "beige",
            "denim",
            "stretch",
            "premium",
            "basic",
            "pack",
            "set",
            "edition",
            "limited",
            "vintage",
            "modern",
            "casual",
            "formal",
            "outdoor",
            "indoor",
            "kitchen",
            "steel",
            "glass",
            "ceramic",
            "wooden",
            "oak",
            "table",
            "chair",
            "lamp",
            "desk",
            "storage",
            "box",
            "cable",
            "charger",
            "wireless",
            "bluetooth",
            "speaker",
            "headphones",
            "noise",
            "cancelling",
            "battery",
            "usb",
            "adapter",
            "phone",
            "case",
            "screen",
            "protector",
            "camera",
            "lens",
            "tripod",
            "coffee",
            "grinder",
            "espresso",
            "machine",
            "tea",
        };
        private static final String[] BRANDS = {
            "Northwind", "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell"
        };
        private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "JPY", "SEK", "PLN", "CHF"};
        private static final String[] COLORS = {"red", "blue", "black", "white", "green", "navy", "grey", "beige"};
        private static final String[] SIZES = {"XS", "S", "M", "L", "XL", "XXL", "36", "38", "40", "42", "44"};

        static MemorySegment build(long seed, long size) {
            MemorySegment pool = Arena.ofAuto().allocate(size, 64);
            StringBuilder doc = new StringBuilder(2048);
            long pos = 0;
            long state = seed;
            while (pos < size) {
                state = mix(state, pos);
                doc.setLength(0);
                document(doc, state);
                byte[] bytes = doc.toString().getBytes(StandardCharsets.US_ASCII);
                long n = Math.min(bytes.length, size - pos);
                MemorySegment.copy(bytes, 0, pool, ValueLayout.JAVA_BYTE, pos, (int) n);
                pos += n;
            }
            return pool;
        }

        private static void document(StringBuilder b, long h) {
            long r = h;
            b.append("{\"title\":\"");
            int words = 3 + (int) Long.remainderUnsigned(r, 4);
            for (int i = 0; i < words; i++) {
                r = mix(r, i);
                if (i > 0) {
                    b.append(' ');
                }
                b.append(pick(WORDS, r));
            }
            r = mix(r, 100);
            b.append("\",\"brand\":\"").append(pick(BRANDS, r));
            r = mix(r, 101);
            b.append("\",\"price\":{\"amount\":")
                    .append(Long.remainderUnsigned(r, 50_000) / 100.0)
                    .append(",\"currency\":\"")
                    .append(pick(CURRENCIES, r >>> 20))
                    .append("\"}");
            r = mix(r, 102);
            b.append(",\"stock\":").append(Long.remainderUnsigned(r, 1000));
            b.append(",\"attrs\":{\"color\":\"")
                    .append(pick(COLORS, r >>> 12))
                    .append("\",\"size\":\"")
                    .append(pick(SIZES, r >>> 24))
                    .append("\"}");
            r = mix(r, 103);
            b.append(",\"updated\":\"2025-")
                    .append(10 + Long.remainderUnsigned(r, 3))
                    .append('-')
                    .append(10 + Long.remainderUnsigned(r >>> 8, 18))
                    .append('T')
                    .append(10 + Long.remainderUnsigned(r >>> 16, 14))
                    .append(':')
                    .append(10 + Long.remainderUnsigned(r >>> 24, 50))
                    .append(":00Z\"");
            b.append(",\"tags\":[");
            int tags = 1 + (int) Long.remainderUnsigned(r >>> 32, 4);
            for (int i = 0; i < tags; i++) {
                r = mix(r, 200 + i);
                b.append(i > 0 ? ",\"" : "\"").append(pick(WORDS, r)).append('"');
            }
            b.append("],\"description\":\"");
            int desc = 10 + (int) Long.remainderUnsigned(mix(r, 300), 40);
            for (int i = 0; i < desc; i++) {
                r = mix(r, 400 + i);
                if (i > 0) {
                    b.append(' ');
                }
                b.append(pick(WORDS, r));
            }
            b.append("\"}\n");
        }

        private static String pick(String[] from, long h) {
            return from[(int) Long.remainderUnsigned(h, from.length)];
        }
    }
}
