package io.seqs.internal.format;

import static io.seqs.internal.format.RecordDescriptor.INT;
import static io.seqs.internal.format.RecordDescriptor.LONG;

import io.seqs.CorruptionException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Layout of a reclaimed-segment marker: the file {@code <segment id>.reclaimed} that stands in a
 * shard's log for a segment whose live records were copied to the tail and whose file was
 * deleted. It carries what recovery needs to walk the chain of segments across the hole: where
 * the records before it ended and where its own records ended. Little-endian.
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
 */
public final class ReclaimedDescriptor {
    public static final long MAGIC = 0x314C_4352_5351_4553L; // "SEQSRCL1" read as little-endian bytes
    public static final short FORMAT_VERSION = 1;

    public static final int SHARD_OFFSET = FilePrefix.LENGTH;
    public static final int EPOCH_OFFSET = SHARD_OFFSET + Integer.BYTES;
    public static final int SHARD_COUNT_OFFSET = EPOCH_OFFSET + Long.BYTES;
    public static final int WINDOW_COUNT_OFFSET = SHARD_COUNT_OFFSET + Integer.BYTES;
    public static final int SEGMENT_ID_OFFSET = WINDOW_COUNT_OFFSET + Integer.BYTES;
    public static final int WINDOW_SIZE_OFFSET = SEGMENT_ID_OFFSET + Long.BYTES;
    public static final int PREVIOUS_END_OFFSET = WINDOW_SIZE_OFFSET + Long.BYTES;
    public static final int RECORDS_END_OFFSET = PREVIOUS_END_OFFSET + Long.BYTES;
    public static final int RESERVED_OFFSET = RECORDS_END_OFFSET + Long.BYTES;
    public static final int RESERVED_LENGTH = 12;
    public static final int CRC_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    public static final int LENGTH = CRC_OFFSET + Integer.BYTES;

    public static final String FILE_SUFFIX = ".reclaimed";

    static final FilePrefix.Kind KIND = new FilePrefix.Kind("reclaimed-segment marker", MAGIC, FORMAT_VERSION, LENGTH);

    static {
        assert SHARD_OFFSET == 12 && PREVIOUS_END_OFFSET == 48 && CRC_OFFSET == 76 && LENGTH == 80;
    }

    private ReclaimedDescriptor() {}

    /** What a marker says about the segment it stands for. */
    public record Marker(
            int shard,
            long epoch,
            int shardCount,
            int windowCount,
            long segmentId,
            long windowSize,
            long previousEnd,
            long recordsEnd) {
        /** The id of the segment after the one reclaimed. */
        public long nextId() {
            return segmentId + windowCount;
        }
    }

    /** The marker's bytes. */
    public static ByteBuffer encode(Marker m) {
        ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment seg = MemorySegment.ofBuffer(buffer);
        FilePrefix.write(seg, KIND);
        seg.set(INT, SHARD_OFFSET, m.shard());
        seg.set(LONG, EPOCH_OFFSET, m.epoch());
        seg.set(INT, SHARD_COUNT_OFFSET, m.shardCount());
        seg.set(INT, WINDOW_COUNT_OFFSET, m.windowCount());
        seg.set(LONG, SEGMENT_ID_OFFSET, m.segmentId());
        seg.set(LONG, WINDOW_SIZE_OFFSET, m.windowSize());
        seg.set(LONG, PREVIOUS_END_OFFSET, m.previousEnd());
        seg.set(LONG, RECORDS_END_OFFSET, m.recordsEnd());
        seg.set(INT, CRC_OFFSET, Checksums.crc(seg, 0, CRC_OFFSET));
        assert decode(seg, Path.of("<new>"), LENGTH).equals(m);
        return buffer;
    }

    /**
     * Parses and validates a marker of {@code fileLength} bytes.
     *
     * @throws CorruptionException naming the file and the field when anything is off
     */
    public static Marker decode(MemorySegment seg, Path file, long fileLength) {
        if (fileLength != LENGTH) {
            throw new CorruptionException(
                    file, 0, "reclaimed-segment marker of " + fileLength + " bytes, expected " + LENGTH);
        }
        FilePrefix.checkMagic(seg, file, KIND);
        FilePrefix.checkCrc(seg, file, CRC_OFFSET, "reclaimed-segment marker");
        FilePrefix.checkVersionAndLength(seg, file, KIND);
        Marker m = new Marker(
                seg.get(INT, SHARD_OFFSET),
                seg.get(LONG, EPOCH_OFFSET),
                seg.get(INT, SHARD_COUNT_OFFSET),
                seg.get(INT, WINDOW_COUNT_OFFSET),
                seg.get(LONG, SEGMENT_ID_OFFSET),
                seg.get(LONG, WINDOW_SIZE_OFFSET),
                seg.get(LONG, PREVIOUS_END_OFFSET),
                seg.get(LONG, RECORDS_END_OFFSET));
        long base = m.segmentId() * m.windowSize();
        if (m.windowCount() < 1
                || m.segmentId() < 0
                || m.windowSize() < SegmentDescriptor.HEADER_LENGTH
                || m.recordsEnd() < base + SegmentDescriptor.HEADER_LENGTH
                || m.recordsEnd() > base + (long) m.windowCount() * m.windowSize()
                || m.previousEnd() > base) {
            throw new CorruptionException(file, WINDOW_COUNT_OFFSET, "reclaimed-segment marker geometry invalid: " + m);
        }
        return m;
    }

    public static String fileName(long segmentId) {
        return IdFileNames.name(segmentId, FILE_SUFFIX);
    }

    /** The segment id a file name encodes, or -1 when the name is not a marker's. */
    public static long parseFileName(String name) {
        return IdFileNames.parse(name, FILE_SUFFIX);
    }
}
