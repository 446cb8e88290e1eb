package io.seqs.internal.format;

import static io.seqs.internal.format.RecordDescriptor.INT;
import static io.seqs.internal.format.RecordDescriptor.LONG;

import io.seqs.CorruptionException;
import io.seqs.internal.fs.FileUtil;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Layout of the 64-byte header at the start of every segment file. Little-endian.
 *
 * <pre>
 *  offset size field
 *   0      8   magic "SEQSSEG1"
 *   8      2   format version (2; version 1 files are read too)
 *  10      2   header length (64)
 *  12      4   shard index
 *  16      8   epoch
 *  24      4   shard count
 *  28      4   window count: how many windows of the log's address space this file covers
 *  32      8   segment id: the first window it covers
 *  40      8   window size in bytes (the store's segment size for this epoch)
 *  48      8   previous end: the log position where the records of the previous segment end
 *  56      4   file length in 4096-byte pages (a cut file is recognised)
 *  60      4   CRC32C of bytes 0..59
 * </pre>
 *
 * <p>The log of a shard is one address space cut into windows of {@code windowSize} bytes; a
 * segment file starts at a window boundary, so a record's log position is
 * {@code segmentId * windowSize + offsetInFile}. A file is normally one window long; a record
 * larger than a window gets a file of its own spanning several windows.
 */
public final class SegmentDescriptor {
    public static final long MAGIC = 0x3147_4553_5351_4553L; // "SEQSSEG1" read as little-endian bytes
    /**
     * Version 2: records may hold LZ4-compressed values ({@link RecordDescriptor#FLAG_LZ4}), and
     * the log may have reclaimed segments ({@link ReclaimedDescriptor}). Version 1 had neither;
     * its files read the same.
     */
    public static final short FORMAT_VERSION = 2;
    /** The oldest segment format this build reads. */
    public static final short OLDEST_READABLE_VERSION = 1;

    public static final int MAGIC_OFFSET = FilePrefix.MAGIC_OFFSET;
    public static final int VERSION_OFFSET = FilePrefix.VERSION_OFFSET;
    public static final int HEADER_LENGTH_OFFSET = FilePrefix.HEADER_LENGTH_OFFSET;
    public static final int SHARD_OFFSET = 12;
    public static final int EPOCH_OFFSET = 16;
    public static final int SHARD_COUNT_OFFSET = 24;
    public static final int WINDOW_COUNT_OFFSET = 28;
    public static final int SEGMENT_ID_OFFSET = 32;
    public static final int WINDOW_SIZE_OFFSET = 40;
    public static final int PREVIOUS_END_OFFSET = 48;
    public static final int LENGTH_PAGES_OFFSET = 56;
    public static final long PAGE = 4096;
    public static final int CRC_OFFSET = 60;
    public static final int HEADER_LENGTH = 64;

    public static final String FILE_SUFFIX = ".seg";

    static final FilePrefix.Kind KIND =
            new FilePrefix.Kind("segment", MAGIC, FORMAT_VERSION, OLDEST_READABLE_VERSION, HEADER_LENGTH);

    static {
        assert SHARD_OFFSET == FilePrefix.LENGTH;
        assert CRC_OFFSET + Integer.BYTES == HEADER_LENGTH;
    }

    private SegmentDescriptor() {}

    public record Header(
            int shard,
            long epoch,
            int shardCount,
            int windowCount,
            long segmentId,
            long windowSize,
            long previousEnd,
            long length) {}

    public static void write(MemorySegment seg, Header h) {
        FilePrefix.write(seg, KIND);
        seg.set(INT, SHARD_OFFSET, h.shard());
        seg.set(LONG, EPOCH_OFFSET, h.epoch());
        seg.set(INT, SHARD_COUNT_OFFSET, h.shardCount());
        seg.set(INT, WINDOW_COUNT_OFFSET, h.windowCount());
        seg.set(LONG, SEGMENT_ID_OFFSET, h.segmentId());
        seg.set(LONG, WINDOW_SIZE_OFFSET, h.windowSize());
        seg.set(LONG, PREVIOUS_END_OFFSET, h.previousEnd());
        assert h.length() % PAGE == 0 && h.length() / PAGE <= 0xFFFF_FFFFL : h.length();
        seg.set(INT, LENGTH_PAGES_OFFSET, (int) (h.length() / PAGE));
        seg.set(INT, CRC_OFFSET, Checksums.crc(seg, 0, CRC_OFFSET));
        assert read(seg, Path.of("<new>"), seg.byteSize()).equals(h);
    }

    /**
     * Parses and validates a header. Whether the file still has the length the header records
     * is the caller's to check ({@code fileLength} only has to hold the header).
     *
     * @throws CorruptionException naming the file and the field when anything is off
     */
    public static Header read(MemorySegment seg, Path file, long fileLength) {
        if (fileLength < HEADER_LENGTH) {
            throw new CorruptionException(
                    file,
                    0,
                    "segment file of " + fileLength + " bytes is shorter than its " + HEADER_LENGTH + "-byte header");
        }
        FilePrefix.checkMagic(seg, file, KIND);
        FilePrefix.checkCrc(seg, file, CRC_OFFSET, "segment header");
        FilePrefix.checkVersionAndLength(seg, file, KIND);
        Header h = new Header(
                seg.get(INT, SHARD_OFFSET),
                seg.get(LONG, EPOCH_OFFSET),
                seg.get(INT, SHARD_COUNT_OFFSET),
                seg.get(INT, WINDOW_COUNT_OFFSET),
                seg.get(LONG, SEGMENT_ID_OFFSET),
                seg.get(LONG, WINDOW_SIZE_OFFSET),
                seg.get(LONG, PREVIOUS_END_OFFSET),
                Integer.toUnsignedLong(seg.get(INT, LENGTH_PAGES_OFFSET)) * PAGE);
        if (h.windowCount() < 1
                || h.windowSize() < HEADER_LENGTH
                || h.segmentId() < 0
                || h.length() > (long) h.windowCount() * h.windowSize()
                || h.length() <= (long) (h.windowCount() - 1) * h.windowSize()) {
            throw new CorruptionException(
                    file,
                    WINDOW_COUNT_OFFSET,
                    "segment geometry invalid: " + h + " for a file of " + fileLength + " bytes");
        }
        return h;
    }

    /** The previous-end field of a segment whose header {@link #read} accepted. */
    public static long previousEnd(MemorySegment header) {
        return header.get(LONG, PREVIOUS_END_OFFSET);
    }

    /** The format version of a segment whose header {@link #read} accepted. */
    public static short version(MemorySegment header) {
        return header.get(RecordDescriptor.SHORT, VERSION_OFFSET);
    }

    /** The header of a segment file, or null when it is unreadable or damaged. */
    public static Header readHeader(Path file) {
        try {
            return FileUtil.uninterruptibly(() -> {
                try (java.nio.channels.FileChannel ch =
                        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(HEADER_LENGTH);
                    while (b.hasRemaining() && ch.read(b) >= 0) {
                        // fill
                    }
                    return read(MemorySegment.ofArray(b.array()), file, ch.size());
                }
            });
        } catch (java.io.IOException | CorruptionException e) {
            return null;
        }
    }

    public static String fileName(long segmentId) {
        return IdFileNames.name(segmentId, FILE_SUFFIX);
    }

    /** The segment id a file name encodes, or -1 when the name is not a segment file's. */
    public static long parseFileName(String name) {
        return IdFileNames.parse(name, FILE_SUFFIX);
    }
}
