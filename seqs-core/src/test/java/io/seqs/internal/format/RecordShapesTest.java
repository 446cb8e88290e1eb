package io.seqs.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Records built in memory, one test per shape of damage, each asserting the reason the check
 * reports. The helpers change a field and, where the shape is "bytes that are consistent but
 * wrong", fix up the CRC so that only the shape under test is wrong.
 */
class RecordShapesTest {
    static final int GENERATION = 7;
    static final int LIMIT = 4096;

    /** A page holding one put record at offset 0: key "key", value of {@code valueLength} bytes. */
    private static byte[] record(int valueLength) {
        byte[] page = new byte[LIMIT];
        byte[] header = new byte[RecordDescriptor.HEADER_LENGTH];
        RecordDescriptor.encodeHeader(header, 3, RecordDescriptor.TYPE_PUT, (byte) 0, valueLength, GENERATION);
        System.arraycopy(header, 0, page, 0, header.length);
        System.arraycopy("key".getBytes(), 0, page, RecordDescriptor.HEADER_LENGTH, 3);
        for (int i = 0; i < valueLength; i++) {
            page[RecordDescriptor.HEADER_LENGTH + 3 + i] = (byte) (i + 1);
        }
        fixCrc(page);
        return page;
    }

    private static ByteBuffer le(byte[] page) {
        return ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Recomputes the CRC of the record at offset 0 over the header fields, key and value its header claims. */
    private static void fixCrc(byte[] page) {
        ByteBuffer b = le(page);
        int keyLength = Short.toUnsignedInt(b.getShort(RecordDescriptor.KEY_LENGTH_OFFSET));
        int stored = b.getInt(RecordDescriptor.STORED_LENGTH_OFFSET);
        int length = (int) Math.min(
                LIMIT - RecordDescriptor.KEY_LENGTH_OFFSET,
                RecordDescriptor.CHECKED_HEADER_LENGTH + (long) keyLength + Math.max(0, stored));
        CRC32C crc = new CRC32C();
        crc.update(page, RecordDescriptor.KEY_LENGTH_OFFSET, length);
        b.putInt(RecordDescriptor.CRC_OFFSET, (int) crc.getValue());
    }

    private static String check(byte[] page) {
        return RecordDescriptor.check(MemorySegment.ofArray(page), 0, LIMIT, 1, GENERATION);
    }

    @Test
    void aSoundRecordPasses() {
        assertNull(check(record(10)));
    }

    @Test
    void aFlippedValueByteFailsTheCrc() {
        byte[] page = record(10);
        page[RecordDescriptor.HEADER_LENGTH + 3 + 4] ^= 0x10;
        assertTrue(check(page).startsWith("record CRC32C"), check(page));
    }

    @Test
    void unknownFlagsWithAValidCrcAreRefusedByName() {
        byte[] page = record(10);
        page[RecordDescriptor.FLAGS_OFFSET] = (byte) 0x80;
        fixCrc(page);
        assertEquals("record flags 0x80 not understood by this version", check(page));
    }

    @Test
    void aGenerationOutOfOrderIsALeftOverOfAnEarlierSession() {
        byte[] page = record(10);
        le(page).putInt(RecordDescriptor.GENERATION_OFFSET, GENERATION + 1);
        fixCrc(page);
        assertTrue(check(page).contains("record generation 8 outside 1..7"), check(page));
        le(page).putInt(RecordDescriptor.GENERATION_OFFSET, 0);
        fixCrc(page);
        assertTrue(check(page).contains("record generation 0 outside 1..7"), check(page));
    }

    @Test
    void aShrunkRecordWithItsCrcFixedPassesAndTheBytesAfterItDoNot() {
        byte[] page = record(40);
        le(page).putInt(RecordDescriptor.STORED_LENGTH_OFFSET, 8); // the record now claims 8 of its 40 value bytes
        fixCrc(page);
        assertNull(check(page), "a consistent shorter record is a record");
        long next = RecordDescriptor.recordLength(3, 8);
        String after = RecordDescriptor.check(MemorySegment.ofArray(page), next, LIMIT, 1, GENERATION);
        assertTrue(after != null, "the old value's tail is not taken for a record");
    }

    @Test
    void aLengthRunningPastTheSegmentIsNamed() {
        byte[] page = record(10);
        le(page).putInt(RecordDescriptor.STORED_LENGTH_OFFSET, LIMIT);
        fixCrc(page);
        assertTrue(check(page).contains("runs past the segment end " + LIMIT), check(page));
    }

    @Test
    void aZeroKeyLengthAndAnUnknownTypeAreNamed() {
        byte[] page = record(10);
        le(page).putShort(RecordDescriptor.KEY_LENGTH_OFFSET, (short) 0);
        fixCrc(page);
        assertEquals("key length 0", check(page));
        page = record(10);
        page[RecordDescriptor.TYPE_OFFSET] = 9;
        fixCrc(page);
        assertTrue(check(page).startsWith("record type 9"), check(page));
    }

    @Test
    void aDeleteWithAValueIsRefused() {
        byte[] page = record(10);
        page[RecordDescriptor.TYPE_OFFSET] = RecordDescriptor.TYPE_DELETE;
        fixCrc(page);
        assertTrue(
                check(page).startsWith("stored value length 10 invalid for type " + RecordDescriptor.TYPE_DELETE),
                check(page));
    }

    @Test
    void aHeaderCutByTheSegmentEndIsNamed() {
        byte[] page = record(10);
        String bad = RecordDescriptor.check(MemorySegment.ofArray(page), LIMIT - 8, LIMIT, 1, GENERATION);
        assertTrue(bad.contains("runs past the segment end"), bad);
    }
}
