package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Little-endian, bounds-checked reads from a mapped file, and CRC32C over a range of it. */
final class Bytes {
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Bytes() {}

    static long u32(MemorySegment s, long offset) {
        return Integer.toUnsignedLong(s.get(INT, offset));
    }

    static int u16(MemorySegment s, long offset) {
        return Short.toUnsignedInt(s.get(SHORT, offset));
    }

    static int u8(MemorySegment s, long offset) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, offset));
    }

    static long i64(MemorySegment s, long offset) {
        return s.get(LONG, offset);
    }

    static String ascii(MemorySegment s, long offset, int length) {
        return new String(s.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    /** CRC32C of {@code length} bytes from {@code offset}, as an unsigned value. */
    static long crc32c(MemorySegment s, long offset, long length) {
        CRC32C crc = new CRC32C();
        long done = 0;
        while (done < length) {
            int chunk = (int) Math.min(length - done, 1 << 30);
            crc.update(s.asSlice(offset + done, chunk).asByteBuffer());
            done += chunk;
        }
        return crc.getValue();
    }

    static String hex32(long value) {
        return "0x" + Long.toHexString(value & 0xffff_ffffL);
    }
}
