package io.seqs.crashtest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Keys and self-describing values. A key is named by a small integer id; a value carries the id
 * of its key, a version that is unique within a run, its own length and a CRC32C of its own, so
 * a value that comes back torn, from another key or from nowhere is recognised without asking
 * the store anything:
 *
 * <pre>
 *  offset  size  field
 *   0       4    magic "SQV1"
 *   4       4    key id
 *   8       8    version
 *  16       4    total length of the value
 *  20       n    filler, a pure function of (key id, version, length)
 *  end-4    4    CRC32C of every byte before it
 * </pre>
 *
 * <p>The filler is partly compressible, so that a store with LZ4 on holds both record kinds: one
 * value in four is random bytes (LZ4 cannot make it smaller and the store keeps it as it is), one
 * is a short pattern repeated, the others mix random stretches with repeated ones. Values larger
 * than a segment are mostly random, so that they still need a segment file of several windows.
 */
final class Values {
    static final int MAGIC = 0x31565153; // "SQV1" little-endian
    static final int MIN_LENGTH = 24;
    /** A version number meaning "no value": the key is absent. */
    static final long ABSENT = -1;
    /** Values of this many bytes or more are larger than a 64 KiB segment. */
    static final int HUGE = 64 << 10;

    private Values() {}

    /** Key bytes of id {@code id}: varying lengths, so that records and padding differ. */
    static byte[] key(int id) {
        String base = String.format("key-%05d", id);
        return (base + ".".repeat(id % 13)).getBytes(StandardCharsets.US_ASCII);
    }

    /** The id a key's bytes name, or -1 when they are not a key of ours. */
    static int keyId(byte[] key) {
        String s = new String(key, StandardCharsets.US_ASCII);
        if (!s.startsWith("key-") || s.length() < 9) {
            return -1;
        }
        try {
            int id = Integer.parseInt(s.substring(4, 9));
            return java.util.Arrays.equals(key(id), key) ? id : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A value of {@code length} bytes (at least {@link #MIN_LENGTH}) for key {@code keyId}. */
    static byte[] value(int keyId, long version, int length) {
        int n = Math.max(MIN_LENGTH, length);
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(keyId).putLong(version).putInt(n);
        fill(b.array(), b.position(), n - 4, new SplittableRandom(version * 0x9E3779B97F4A7C15L ^ keyId));
        b.position(n - 4);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, n - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Fills {@code a[from, to)}: random, a repeated pattern, or random stretches between repeated ones. */
    private static void fill(byte[] a, int from, int to, SplittableRandom r) {
        int style = r.nextInt(4);
        if (to - from >= HUGE && r.nextInt(4) != 0) {
            style = 0;
        }
        if (style == 0) {
            for (int i = from; i < to; i++) {
                a[i] = (byte) r.nextInt();
            }
            return;
        }
        byte[] pattern = new byte[1 + r.nextInt(8)];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) r.nextInt();
        }
        int i = from;
        while (i < to) {
            if (style > 1) {
                for (int end = Math.min(to, i + 4 + r.nextInt(60)); i < end; i++) {
                    a[i] = (byte) r.nextInt();
                }
            }
            int end = style == 1 ? to : Math.min(to, i + 16 + r.nextInt(240));
            for (int p = 0; i < end; i++, p++) {
                a[i] = pattern[p % pattern.length];
            }
        }
    }

    /**
     * The version a value read back for key {@code keyId} carries.
     *
     * @throws IllegalArgumentException naming what is wrong when the bytes are not an intact
     *     value of that key
     */
    static long versionOf(int keyId, byte[] value) {
        if (value.length < MIN_LENGTH) {
            throw new IllegalArgumentException("value of " + value.length + " bytes is shorter than any value written");
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("value magic 0x" + Integer.toHexString(b.getInt(0)) + " is not SQV1");
        }
        CRC32C crc = new CRC32C();
        crc.update(value, 0, value.length - 4);
        if (b.getInt(value.length - 4) != (int) crc.getValue()) {
            throw new IllegalArgumentException("value checksum mismatch (torn or damaged bytes)");
        }
        if (b.getInt(16) != value.length) {
            throw new IllegalArgumentException("value says it is " + b.getInt(16) + " bytes, got " + value.length);
        }
        if (b.getInt(4) != keyId) {
            throw new IllegalArgumentException("value belongs to key " + b.getInt(4) + ", not to key " + keyId);
        }
        long version = b.getLong(8);
        if (!java.util.Arrays.equals(value(keyId, version, value.length), value)) {
            throw new IllegalArgumentException("filler of version " + version + " does not match");
        }
        return version;
    }

    /** A value length: mostly small, sometimes pages long, rarely larger than a 64 KiB segment. */
    static int length(SplittableRandom rnd, boolean allowHuge) {
        int p = rnd.nextInt(1000);
        if (p < 700) {
            return MIN_LENGTH + rnd.nextInt(180);
        }
        if (p < 950) {
            return 200 + rnd.nextInt(4000);
        }
        if (p < 995 || !allowHuge) {
            return 4000 + rnd.nextInt(36_000);
        }
        return 66_000 + rnd.nextInt(90_000); // a record that gets a segment file spanning several windows
    }
}
