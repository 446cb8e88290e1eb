package io.seqs.cli.format;

import java.lang.foreign.MemorySegment;

/**
 * An index checkpoint, as docs/format.md version 1 describes it: a 72-byte header, 16 bytes of
 * space figures per window, 8 bytes per index slot, and a 16-byte trailer (CRC32C, reserved,
 * end magic).
 *
 * @param shard shard index
 * @param epoch epoch
 * @param coveredPosition the log position the checkpoint covers
 * @param capacity index slots
 * @param liveKeys live keys recorded in the header
 * @param tombstones tombstones recorded in the header
 * @param shardCount shards of the store
 * @param generation generation of the session that wrote it
 * @param windows windows with space figures
 * @param slotsOffset where the slots start in the file
 */
public record CheckpointFile(
        int shard,
        long epoch,
        long coveredPosition,
        long capacity,
        long liveKeys,
        long tombstones,
        int shardCount,
        long generation,
        long windows,
        long slotsOffset) {
    static final String MAGIC = "SEQSCKP1";
    static final String END_MAGIC = "SEQSCKPE";
    static final int HEADER = 72;
    static final int TRAILER = 16;
    static final long MIN_CAPACITY = 1024;
    static final long MAX_CAPACITY = 33_554_432;
    /** Slot value of an empty slot. */
    public static final long EMPTY = 0;
    /** Slot value of a tombstone. */
    public static final long TOMBSTONE = 1;

    static final long POSITION_MASK = (1L << 39) - 1;

    /**
     * Checks a checkpoint's header, size, trailer, CRC and slot counts, and decodes its header.
     *
     * @param bytes the file's bytes
     * @return the checkpoint
     * @throws FormatException naming the first check that failed
     */
    public static CheckpointFile parse(MemorySegment bytes) throws FormatException {
        long size = bytes.byteSize();
        if (size < HEADER + TRAILER) {
            throw new FormatException(0, "checkpoint is " + size + " bytes, shorter than its header and trailer");
        }
        FilePrefix.checkMagic(bytes, FilePrefix.MAGIC_OFFSET, MAGIC, "checkpoint magic");
        if (Bytes.u16(bytes, 8) != 1 || Bytes.u16(bytes, 10) != 64) {
            throw new FormatException(
                    8,
                    "checkpoint version " + Bytes.u16(bytes, 8) + " / header length " + Bytes.u16(bytes, 10)
                            + ", expected 1 / 64");
        }
        long capacity = Bytes.i64(bytes, 32);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
            throw new FormatException(32, "checkpoint capacity " + capacity + ", expected 1024..33554432");
        }
        long windows = Bytes.u32(bytes, 64);
        long expected = HEADER + 16 * windows + 8 * capacity + TRAILER;
        if (size != expected) {
            throw new FormatException(0, "checkpoint is " + size + " bytes, its header implies " + expected);
        }
        FilePrefix.checkMagic(bytes, size - FilePrefix.MAGIC_LENGTH, END_MAGIC, "checkpoint end magic");
        FilePrefix.checkCrc(bytes, size - TRAILER, "checkpoint");
        CheckpointFile c = new CheckpointFile(
                (int) Bytes.u32(bytes, 12),
                Bytes.i64(bytes, 16),
                Bytes.i64(bytes, 24),
                capacity,
                Bytes.i64(bytes, 40),
                Bytes.i64(bytes, 48),
                (int) Bytes.u32(bytes, 56),
                Bytes.u32(bytes, 60),
                windows,
                HEADER + 16 * windows);
        c.checkCounts(bytes);
        return c;
    }

    private void checkCounts(MemorySegment bytes) throws FormatException {
        long live = 0;
        long dead = 0;
        for (long i = 0; i < capacity; i++) {
            long slot = slot(bytes, i);
            if (slot == TOMBSTONE) {
                dead++;
            } else if (slot != EMPTY) {
                live++;
            }
        }
        if (live != liveKeys || dead != tombstones) {
            throw new FormatException(
                    40,
                    "checkpoint header counts " + liveKeys + " keys and " + tombstones + " tombstones, its table holds "
                            + live + " and " + dead);
        }
    }

    /** Slot {@code i}'s raw value. @param bytes the file's bytes @param i slot index @return the slot */
    public long slot(MemorySegment bytes, long i) {
        return Bytes.i64(bytes, slotsOffset + 8 * i);
    }

    /** The log position an entry points at. @param slot a slot holding an entry @return the position */
    public static long position(long slot) {
        return (slot & POSITION_MASK) << 3;
    }

    /** The 25-bit key hash an entry holds. @param slot a slot holding an entry @return the hash */
    public static long hash25(long slot) {
        return slot >>> 39;
    }
}
