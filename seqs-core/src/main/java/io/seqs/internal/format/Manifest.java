package io.seqs.internal.format;

import io.seqs.CorruptionException;
import io.seqs.SeqsBuilder;
import io.seqs.internal.fs.FileUtil;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The store's root record, {@code MANIFEST}: which epoch is current and how its logs are cut.
 * Replaced only by an atomic rename, so a reset or an open commits at exactly one instant.
 * Little-endian, 64 bytes:
 *
 * <pre>
 *  offset size field
 *   0      8   magic "SEQSMAN1"
 *   8      2   format version (1)
 *  10      2   length (64)
 *  12      4   shard count
 *  16      8   epoch (1 on a new store, +1 per reset)
 *  24      8   window size: the segment size of the current epoch's logs
 *  32      4   generation: how many times the store has been opened
 *  36      4   reserved, zero
 *  40      8   creation time of the current epoch, milliseconds since 1970
 *  48     12   reserved, zero
 *  60      4   CRC32C of bytes 0..59
 * </pre>
 */
public record Manifest(int shardCount, long epoch, long windowSize, int generation, long epochCreatedMillis) {
    public static final String FILE_NAME = "MANIFEST";
    static final long MAGIC = 0x314e_414d_5351_4553L; // "SEQSMAN1" as little-endian bytes
    static final short FORMAT_VERSION = 1;

    static final int MAGIC_OFFSET = FilePrefix.MAGIC_OFFSET;
    static final int VERSION_OFFSET = FilePrefix.VERSION_OFFSET;
    static final int LENGTH_OFFSET = FilePrefix.HEADER_LENGTH_OFFSET;
    static final int SHARD_COUNT_OFFSET = 12;
    static final int EPOCH_OFFSET = 16;
    static final int WINDOW_SIZE_OFFSET = 24;
    static final int GENERATION_OFFSET = 32;
    static final int CREATED_OFFSET = 40;
    static final int CRC_OFFSET = 60;
    static final int LENGTH = 64;

    static final FilePrefix.Kind KIND = new FilePrefix.Kind("manifest", MAGIC, FORMAT_VERSION, LENGTH);

    static {
        assert SHARD_COUNT_OFFSET == FilePrefix.LENGTH;
    }

    public Manifest {
        if (shardCount < 1 || Integer.bitCount(shardCount) != 1 || shardCount > SeqsBuilder.MAX_SHARDS) {
            throw new IllegalArgumentException("shard count " + shardCount);
        }
        if (epoch < 1 || windowSize < SeqsBuilder.MIN_SEGMENT_SIZE || windowSize > SeqsBuilder.MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("epoch " + epoch + ", window size " + windowSize);
        }
    }

    public Manifest withGeneration(int next) {
        return new Manifest(shardCount, epoch, windowSize, next, epochCreatedMillis);
    }

    public Manifest nextEpoch(long nextWindowSize, long nowMillis) {
        return new Manifest(shardCount, epoch + 1, nextWindowSize, generation, nowMillis);
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        FilePrefix.write(MemorySegment.ofBuffer(b.duplicate().clear()), KIND);
        b.putInt(SHARD_COUNT_OFFSET, shardCount)
                .putLong(EPOCH_OFFSET, epoch)
                .putLong(WINDOW_SIZE_OFFSET, windowSize)
                .putInt(GENERATION_OFFSET, generation)
                .putLong(CREATED_OFFSET, epochCreatedMillis);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, CRC_OFFSET);
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        assert decode(Path.of(FILE_NAME), b.duplicate()).equals(this);
        return b;
    }

    public void write(Path dir) {
        FileUtil.writeAtomically(dir.resolve(FILE_NAME), encode(), "manifest");
    }

    /** Reads the manifest of a store directory; null when there is none. */
    public static Manifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        byte[] bytes;
        try {
            bytes = FileUtil.uninterruptibly(() -> Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length != LENGTH) {
            throw new CorruptionException(file, 0, "manifest is " + bytes.length + " bytes, expected " + LENGTH);
        }
        return decode(file, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    static Manifest decode(Path file, ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment header = MemorySegment.ofBuffer(b.duplicate().clear());
        FilePrefix.checkMagic(header, file, KIND);
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(CRC_OFFSET));
        if (b.getInt(CRC_OFFSET) != (int) crc.getValue()) {
            throw new CorruptionException(
                    file,
                    CRC_OFFSET,
                    "manifest CRC32C 0x" + Integer.toHexString(b.getInt(CRC_OFFSET)) + ", computed 0x"
                            + Integer.toHexString((int) crc.getValue()));
        }
        FilePrefix.checkVersionAndLength(header, file, KIND);
        try {
            return new Manifest(
                    b.getInt(SHARD_COUNT_OFFSET),
                    b.getLong(EPOCH_OFFSET),
                    b.getLong(WINDOW_SIZE_OFFSET),
                    b.getInt(GENERATION_OFFSET),
                    b.getLong(CREATED_OFFSET));
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(file, SHARD_COUNT_OFFSET, "manifest fields out of range: " + e.getMessage());
        }
    }
}
