package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;

/**
 * The checks the files of a store share: an 8-byte ASCII magic, a 16-bit format version at byte 8
 * and a 16-bit header length at byte 10 (segments, reclaimed-segment markers, the manifest and
 * checkpoints), and a CRC32C over every byte before it. Each names the file's part as its caller
 * says, with the offset of the field that failed.
 */
final class FilePrefix {
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 8;
    static final int VERSION_OFFSET = 8;
    static final int LENGTH_OFFSET = 10;

    private FilePrefix() {}

    /**
     * Checks the 8-byte magic at {@code offset}.
     *
     * @param what the field, as the message names it ("segment magic")
     * @throws FormatException when the bytes differ
     */
    static void checkMagic(MemorySegment bytes, long offset, String expected, String what) throws FormatException {
        assert expected.length() == MAGIC_LENGTH : expected;
        String magic = Bytes.ascii(bytes, offset, MAGIC_LENGTH);
        if (!expected.equals(magic)) {
            throw new FormatException(
                    offset, what + " '" + ManifestFile.printable(magic) + "', expected '" + expected + "'");
        }
    }

    /**
     * Checks the CRC32C at {@code crcOffset} against the bytes before it.
     *
     * @param what the part, as the message names it ("segment header")
     * @throws FormatException when they disagree
     */
    static void checkCrc(MemorySegment bytes, long crcOffset, String what) throws FormatException {
        long crc = Bytes.u32(bytes, crcOffset);
        long computed = Bytes.crc32c(bytes, 0, crcOffset);
        if (crc != computed) {
            throw new FormatException(
                    crcOffset, what + " CRC32C " + Bytes.hex32(crc) + ", computed " + Bytes.hex32(computed));
        }
    }

    /**
     * Checks the format version is one this tool reads.
     *
     * @param what the file, as the message names it ("segment")
     * @return the version
     * @throws FormatException when it is outside {@code oldest..newest}
     */
    static int checkVersion(MemorySegment bytes, int oldest, int newest, String what) throws FormatException {
        int version = Bytes.u16(bytes, VERSION_OFFSET);
        if (version < oldest || version > newest) {
            throw new FormatException(
                    VERSION_OFFSET,
                    what + " format version " + version + ", this tool reads "
                            + (oldest == newest ? "version " + oldest : "versions " + oldest + ".." + newest));
        }
        return version;
    }

    /**
     * Checks the header length field.
     *
     * @param field the field, as the message names it ("segment header length")
     * @throws FormatException when it is not {@code expected}
     */
    static void checkLengthField(MemorySegment bytes, int expected, String field) throws FormatException {
        int length = Bytes.u16(bytes, LENGTH_OFFSET);
        if (length != expected) {
            throw new FormatException(LENGTH_OFFSET, field + " " + length + ", expected " + expected);
        }
    }
}
