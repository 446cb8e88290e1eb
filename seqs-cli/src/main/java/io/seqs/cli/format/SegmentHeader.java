package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;

/**
 * The 64-byte header at the start of a segment file, as docs/format.md version 1 describes it.
 *
 * @param shard shard index
 * @param epoch epoch
 * @param shardCount shards of the store
 * @param windowCount windows of the log's address space the file covers (at least 1)
 * @param segmentId the first window it covers
 * @param windowSize window size in bytes
 * @param previousEnd log position where the previous segment's records end (0 for segment 0)
 * @param recordedLength file length the header records, in bytes
 */
public record SegmentHeader(
        int shard,
        long epoch,
        int shardCount,
        long windowCount,
        long segmentId,
        long windowSize,
        long previousEnd,
        long recordedLength) {
    /** Header length; records start here. */
    public static final int LENGTH = 64;

    static final String MAGIC = "SEQSSEG1";
    static final int CRC_OFFSET = 60;
    static final int PAGE = 4096;

    /**
     * Checks the header's own fields (magic, CRC, version, length) and decodes it.
     *
     * @param bytes the segment file's bytes
     * @return the header
     * @throws FormatException naming the first check that failed
     */
    public static SegmentHeader parse(MemorySegment bytes) throws FormatException {
        if (bytes.byteSize() < LENGTH) {
            throw new FormatException(
                    0, "segment file is " + bytes.byteSize() + " bytes, shorter than its " + LENGTH + "-byte header");
        }
        String magic = Bytes.ascii(bytes, 0, 8);
        if (!MAGIC.equals(magic)) {
            throw new FormatException(
                    0, "segment magic '" + ManifestFile.printable(magic) + "', expected '" + MAGIC + "'");
        }
        long crc = Bytes.u32(bytes, CRC_OFFSET);
        long computed = Bytes.crc32c(bytes, 0, CRC_OFFSET);
        if (crc != computed) {
            throw new FormatException(
                    CRC_OFFSET, "segment header CRC32C " + Bytes.hex32(crc) + ", computed " + Bytes.hex32(computed));
        }
        int version = Bytes.u16(bytes, 8);
        if (version != 1) {
            throw new FormatException(8, "segment format version " + version + ", this tool reads version 1");
        }
        if (Bytes.u16(bytes, 10) != LENGTH) {
            throw new FormatException(10, "segment header length " + Bytes.u16(bytes, 10) + ", expected " + LENGTH);
        }
        long windowCount = Bytes.u32(bytes, 28);
        if (windowCount < 1) {
            throw new FormatException(28, "segment window count 0, expected >= 1");
        }
        return new SegmentHeader(
                (int) Bytes.u32(bytes, 12),
                Bytes.i64(bytes, 16),
                (int) Bytes.u32(bytes, 24),
                windowCount,
                Bytes.i64(bytes, 32),
                Bytes.i64(bytes, 40),
                Bytes.i64(bytes, 48),
                Bytes.u32(bytes, 56) * PAGE);
    }
}
