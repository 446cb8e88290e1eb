package io.seqs.internal.format;

import io.seqs.CorruptionException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The twelve bytes every file of a store starts with (segment, checkpoint, manifest), little-endian:
 *
 * <pre>
 * offset size field
 *  0     8    magic: eight ASCII bytes naming the kind of file and its major layout
 *  8     2    format version of the kind
 * 10     2    header length of the kind, in bytes
 * </pre>
 *
 * <p>A reader checks the magic first, then the checksum that covers the header (each kind keeps
 * its own), then version and length, so that a damaged byte is reported as damage and only an
 * intact header from another version as a version mismatch.
 */
public final class FilePrefix {
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + Short.BYTES;
    public static final int LENGTH = HEADER_LENGTH_OFFSET + Short.BYTES;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static {
        assert LENGTH == 12 : LENGTH;
    }

    /**
     * One kind of file.
     *
     * @param name what error messages call it ("segment", "checkpoint", "manifest")
     * @param magic the first eight bytes, read as a little-endian long
     * @param version the format version this build writes
     * @param oldestReadable the oldest format version this build reads
     * @param headerLength the length of the kind's header, prefix included
     */
    public record Kind(String name, long magic, short version, short oldestReadable, int headerLength) {
        public Kind {
            if (headerLength < LENGTH || headerLength > Short.MAX_VALUE) {
                throw new IllegalArgumentException(name + " header length " + headerLength);
            }
            if (oldestReadable < 1 || oldestReadable > version) {
                throw new IllegalArgumentException(name + " oldest readable version " + oldestReadable);
            }
        }

        /** A kind that has only ever had one version. */
        public Kind(String name, long magic, short version, int headerLength) {
            this(name, magic, version, version, headerLength);
        }
    }

    private FilePrefix() {}

    /** Writes the prefix of {@code kind} at the start of {@code header}. */
    public static void write(MemorySegment header, Kind kind) {
        header.set(LONG, MAGIC_OFFSET, kind.magic());
        header.set(SHORT, VERSION_OFFSET, kind.version());
        header.set(SHORT, HEADER_LENGTH_OFFSET, (short) kind.headerLength());
    }

    /**
     * Checks the magic of a file of {@code kind}.
     *
     * @throws CorruptionException naming the file, offset 0 and the magic expected
     */
    public static void checkMagic(MemorySegment header, Path file, Kind kind) {
        long magic = header.get(LONG, MAGIC_OFFSET);
        if (magic != kind.magic()) {
            throw new CorruptionException(
                    file,
                    MAGIC_OFFSET,
                    kind.name() + " magic 0x" + Long.toHexString(magic) + ", expected 0x"
                            + Long.toHexString(kind.magic()));
        }
    }

    /**
     * Checks the CRC32C at {@code crcOffset} of a header against the bytes before it.
     *
     * @param what how messages call the header ("segment header")
     * @throws CorruptionException naming the file, the CRC's offset and both values
     */
    public static void checkCrc(MemorySegment header, Path file, int crcOffset, String what) {
        int stored = header.get(RecordDescriptor.INT, crcOffset);
        int actual = Checksums.crc(header, 0, crcOffset);
        if (stored != actual) {
            throw new CorruptionException(
                    file,
                    crcOffset,
                    what + " CRC32C 0x" + Integer.toHexString(stored) + ", computed 0x" + Integer.toHexString(actual));
        }
    }

    /**
     * Checks the version and header length of a file of {@code kind} whose header is intact.
     *
     * @throws CorruptionException naming the file, the offset and the value expected
     */
    public static void checkVersionAndLength(MemorySegment header, Path file, Kind kind) {
        short version = header.get(SHORT, VERSION_OFFSET);
        if (version < kind.oldestReadable() || version > kind.version()) {
            throw new CorruptionException(
                    file,
                    VERSION_OFFSET,
                    kind.name() + " format version " + version + ", this build reads "
                            + (kind.oldestReadable() == kind.version()
                                    ? String.valueOf(kind.version())
                                    : kind.oldestReadable() + ".." + kind.version()));
        }
        short headerLength = header.get(SHORT, HEADER_LENGTH_OFFSET);
        if (headerLength != kind.headerLength()) {
            throw new CorruptionException(
                    file,
                    HEADER_LENGTH_OFFSET,
                    kind.name() + " header length " + headerLength + ", expected " + kind.headerLength());
        }
    }
}
