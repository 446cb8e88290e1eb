package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;

/**
 * A reclaimed-segment marker, {@code <segment id>.reclaimed}: it stands in a shard's log for a
 * segment whose live records were copied to the log's tail and whose file was deleted, and
 * carries what the chain of segments needs to continue across the hole. 80 bytes, little-endian:
 *
 * <pre>
 *  offset size field
 *   0      8   magic "SEQSRCL1"
 *   8      2   format version (1)
 *  10      2   length (80)
 *  12      4   shard index
 *  16      8   epoch
 *  24      4   shard count
 *  28      4   window count of the reclaimed segment
 *  32      8   segment id
 *  40      8   window size in bytes
 *  48      8   previous end: the reclaimed segment's own previous-end field
 *  56      8   records end: the log position where the reclaimed segment's records ended
 *  64     12   reserved, zero
 *  76      4   CRC32C of bytes 0..75
 * </pre>
 *
 * @param shard shard index
 * @param epoch epoch
 * @param shardCount shards of the store
 * @param windowCount windows the reclaimed segment covered
 * @param segmentId the reclaimed segment's id
 * @param windowSize window size in bytes
 * @param previousEnd log position where the records before the reclaimed segment ended
 * @param recordsEnd log position where the reclaimed segment's records ended
 */
public record ReclaimedMarker(
        int shard,
        long epoch,
        int shardCount,
        long windowCount,
        long segmentId,
        long windowSize,
        long previousEnd,
        long recordsEnd) {
    /** The marker's length. */
    public static final int LENGTH = 80;
    /** Format version this tool reads. */
    public static final int VERSION = 1;

    static final String MAGIC = "SEQSRCL1";
    /** Offset of the shard index. */
    public static final int SHARD_OFFSET = 12;
    /** Offset of the epoch. */
    public static final int EPOCH_OFFSET = 16;
    /** Offset of the shard count. */
    public static final int SHARD_COUNT_OFFSET = 24;
    /** Offset of the window count. */
    public static final int WINDOW_COUNT_OFFSET = 28;
    /** Offset of the segment id. */
    public static final int SEGMENT_ID_OFFSET = 32;
    /** Offset of the window size. */
    public static final int WINDOW_SIZE_OFFSET = 40;
    /** Offset of the previous end. */
    public static final int PREVIOUS_END_OFFSET = 48;
    /** Offset of the records end. */
    public static final int RECORDS_END_OFFSET = 56;

    static final int CRC_OFFSET = 76;

    /**
     * Checks a marker's own fields (length, magic, CRC, version, length field, geometry) and decodes it.
     *
     * @param bytes the marker file's bytes
     * @return the marker
     * @throws FormatException naming the first check that failed
     */
    public static ReclaimedMarker parse(MemorySegment bytes) throws FormatException {
        if (bytes.byteSize() != LENGTH) {
            throw new FormatException(
                    0, "reclaimed-segment marker is " + bytes.byteSize() + " bytes, expected " + LENGTH);
        }
        FilePrefix.checkMagic(bytes, FilePrefix.MAGIC_OFFSET, MAGIC, "reclaimed-segment marker magic");
        FilePrefix.checkCrc(bytes, CRC_OFFSET, "reclaimed-segment marker");
        FilePrefix.checkVersion(bytes, VERSION, VERSION, "reclaimed-segment marker");
        FilePrefix.checkLengthField(bytes, LENGTH, "reclaimed-segment marker length field");
        ReclaimedMarker m = new ReclaimedMarker(
                (int) Bytes.u32(bytes, SHARD_OFFSET),
                Bytes.i64(bytes, EPOCH_OFFSET),
                (int) Bytes.u32(bytes, SHARD_COUNT_OFFSET),
                Bytes.u32(bytes, WINDOW_COUNT_OFFSET),
                Bytes.i64(bytes, SEGMENT_ID_OFFSET),
                Bytes.i64(bytes, WINDOW_SIZE_OFFSET),
                Bytes.i64(bytes, PREVIOUS_END_OFFSET),
                Bytes.i64(bytes, RECORDS_END_OFFSET));
        m.checkGeometry();
        return m;
    }

    private void checkGeometry() throws FormatException {
        if (windowCount < 1) {
            throw new FormatException(WINDOW_COUNT_OFFSET, "reclaimed-segment marker window count 0, expected >= 1");
        }
        if (segmentId < 0 || windowSize < SegmentHeader.LENGTH) {
            throw new FormatException(
                    SEGMENT_ID_OFFSET,
                    "reclaimed-segment marker segment id " + segmentId + " / window size " + windowSize + " invalid");
        }
        long base = base();
        if (recordsEnd < base + SegmentHeader.LENGTH || recordsEnd > base + windowCount * windowSize) {
            throw new FormatException(
                    RECORDS_END_OFFSET,
                    "reclaimed-segment marker records end " + recordsEnd + ", expected " + (base + SegmentHeader.LENGTH)
                            + ".." + (base + windowCount * windowSize));
        }
        if (previousEnd < 0 || previousEnd > base) {
            throw new FormatException(
                    PREVIOUS_END_OFFSET,
                    "reclaimed-segment marker previous end " + previousEnd + ", expected 0.." + base);
        }
    }

    /** The log position of the reclaimed segment's first byte. */
    public long base() {
        return segmentId * windowSize;
    }

    /** The log position after the last window the reclaimed segment covered. */
    public long limit() {
        return (segmentId + windowCount) * windowSize;
    }

    /** The id of the segment after the one reclaimed. */
    public long nextId() {
        return segmentId + windowCount;
    }
}
