package io.seqs.internal.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * CRC32C over off-heap memory without allocating: bytes are staged through a small per-thread
 * array so that the hardware-accelerated {@link CRC32C#update(byte[], int, int)} does the work.
 */
public final class Checksums {
    static final int SCRATCH_BYTES = 4096;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** A per-thread CRC instance and staging buffer. */
    static final class Scratch {
        final CRC32C crc = new CRC32C();
        final byte[] bytes = new byte[SCRATCH_BYTES];
    }

    private Checksums() {}

    public static Scratch scratch() {
        return SCRATCH.get();
    }

    /** CRC32C of {@code length} bytes of {@code seg} starting at {@code offset}. */
    public static int crc(MemorySegment seg, long offset, long length) {
        Scratch s = SCRATCH.get();
        s.crc.reset();
        update(s, seg, offset, length);
        return (int) s.crc.getValue();
    }

    /**
     * CRC32C of a range of a mapped file through a {@link java.nio.ByteBuffer} view of it, which
     * the intrinsic reads in place. The view's position and limit are changed: it must belong
     * to the calling thread.
     */
    public static int crc(java.nio.ByteBuffer view, long offset, long length) {
        Scratch s = SCRATCH.get();
        s.crc.reset();
        view.limit((int) (offset + length));
        view.position((int) offset);
        s.crc.update(view);
        return (int) s.crc.getValue();
    }

    public static void update(Scratch s, MemorySegment seg, long offset, long length) {
        byte[] buf = s.bytes;
        long done = 0;
        while (done < length) {
            int n = (int) Math.min(buf.length, length - done);
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, offset + done, buf, 0, n);
            s.crc.update(buf, 0, n);
            done += n;
        }
    }
}
