package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;

/**
 * The 64-byte header at the start of a segment file, as docs/format.md describes it. Versions 1
 * and 2 share the layout; version 2 files may hold compressed values and follow reclaimed
 * segments ({@link ReclaimedMarker}).
 *
 * @param version segment format version
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
        int version,
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
    /** Oldest segment format version this tool reads. */
    public static final int OLDEST_VERSION = 1;
    /** Newest segment format version this tool reads. */
    public static final int NEWEST_VERSION = 2;

    static final String MAGIC = "SEQSSEG1";
    static final int SHARD_OFFSET = 12;
    static final int EPOCH_OFFSET = 16;
    static final int SHARD_COUNT_OFFSET = 24;
    static final int WINDOW_COUNT_OFFSET = 28;
    static final int SEGMENT_ID_OFFSET = 32;
    static final int WINDOW_SIZE_OFFSET = 40;
    static final int PREVIOUS_END_OFFSET = 48;
    static final int PAGES_OFFSET = 56;
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
        FilePrefix.checkMagic(bytes, FilePrefix.MAGIC_OFFSET, MAGIC, "segment magic");
        FilePrefix.checkCrc(bytes, CRC_OFFSET, "segment header");
        int version = FilePrefix.checkVersion(bytes, OLDEST_VERSION, NEWEST_VERSION, "segment");
        FilePrefix.checkLengthField(bytes, LENGTH, "segment header length");
        long windowCount = Bytes.u32(bytes, WINDOW_COUNT_OFFSET);
        if (windowCount < 1) {
            throw new FormatException(WINDOW_COUNT_OFFSET, "segment window count 0, expected >= 1");
        }
        return new SegmentHeader(
                version,
                (int) Bytes.u32(bytes, SHARD_OFFSET),
                Bytes.i64(bytes, EPOCH_OFFSET),
                (int) Bytes.u32(bytes, SHARD_COUNT_OFFSET),
                windowCount,
                Bytes.i64(bytes, SEGMENT_ID_OFFSET),
                Bytes.i64(bytes, WINDOW_SIZE_OFFSET),
                Bytes.i64(bytes, PREVIOUS_END_OFFSET),
                Bytes.u32(bytes, PAGES_OFFSET) * PAGE);
    }
}
