package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;

/**
 * The 64-byte MANIFEST, read as docs/format.md version 1 describes it (a reader of that format,
 * separate from the store's own, for bytes the store would not show).
 *
 * @param shardCount shards (a power of two, 1..1024)
 * @param epoch the current epoch
 * @param windowSize the current epoch's segment size
 * @param generation opens of the store so far
 * @param createdMillis creation time of the current epoch, ms since 1970-01-01 UTC
 */
public record ManifestFile(int shardCount, long epoch, long windowSize, long generation, long createdMillis) {
    /** The file name in a store directory. */
    public static final String NAME = "MANIFEST";
    /** Format version this reader knows. */
    public static final int VERSION = 1;

    static final String MAGIC = "SEQSMAN1";
    static final int LENGTH = 64;
    static final int CRC_OFFSET = 60;

    /**
     * Checks and decodes a manifest.
     *
     * @param bytes the file's bytes
     * @return the manifest
     * @throws FormatException naming the first check that failed
     */
    public static ManifestFile parse(MemorySegment bytes) throws FormatException {
        if (bytes.byteSize() != LENGTH) {
            throw new FormatException(0, "manifest is " + bytes.byteSize() + " bytes, expected " + LENGTH);
        }
        FilePrefix.checkMagic(bytes, FilePrefix.MAGIC_OFFSET, MAGIC, "manifest magic");
        FilePrefix.checkCrc(bytes, CRC_OFFSET, "manifest");
        FilePrefix.checkVersion(bytes, VERSION, VERSION, "manifest");
        FilePrefix.checkLengthField(bytes, LENGTH, "manifest length field");
        long shards = Bytes.u32(bytes, 12);
        if (shards < 1 || shards > 1024 || Long.bitCount(shards) != 1) {
            throw new FormatException(12, "manifest shard count " + shards + ", expected a power of two in 1..1024");
        }
        long epoch = Bytes.i64(bytes, 16);
        if (epoch < 1) {
            throw new FormatException(16, "manifest epoch " + epoch + ", expected >= 1");
        }
        long window = Bytes.i64(bytes, 24);
        if (window < 4096 || window % 4096 != 0) {
            throw new FormatException(24, "manifest window size " + window + ", expected a multiple of 4096");
        }
        return new ManifestFile((int) shards, epoch, window, Bytes.u32(bytes, 32), Bytes.i64(bytes, 40));
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b.toString();
    }
}
