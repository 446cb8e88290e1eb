package io.seqs.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The estimate behind growing an index ahead of a replay: where a segment's records end, and how many keys follow. */
class ReplaySizingTest {
    private static final long PAGE = ReplaySizing.PAGE;

    private static void fillNonZero(MemorySegment m, long from, long to) {
        SplittableRandom rnd = new SplittableRandom(7);
        for (long i = from; i < to; i++) {
            m.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(1, 256));
        }
    }

    @Test
    void recordsEndIsTheFirstZeroPageAfterTheRecords() {
        long length = 1 << 20;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(length);
            assertWithinAPageAfter(64, ReplaySizing.recordsEnd(m, 64, length), "nothing written after the header");

            fillNonZero(m, 64, 300_000);
            assertWithinAPageAfter(300_000, ReplaySizing.recordsEnd(m, 64, length), "records up to 300,000");
            assertWithinAPageAfter(300_000, ReplaySizing.recordsEnd(m, 200_000, length), "from inside the records");

            fillNonZero(m, 300_000, length);
            assertEquals(length, ReplaySizing.recordsEnd(m, 64, length), "a full segment");
        }
    }

    private static void assertWithinAPageAfter(long end, long found, String what) {
        assertTrue(found >= end && found <= end + PAGE, what + ": found " + found);
    }

    @Test
    void aZeroPageInsideTheRecordsCanOnlyMakeTheEstimateShort() {
        long length = 1 << 20;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(length);
            fillNonZero(m, 64, 900_000);
            m.asSlice(16 * PAGE, 128 * PAGE).fill((byte) 0); // a value of zeros
            long found = ReplaySizing.recordsEnd(m, 64, length);
            assertTrue(found <= (900_000 + PAGE - 1) / PAGE * PAGE, "past the end: " + found);
        }
    }

    @Test
    void theBytesToReplayAreEstimatedOnceAndOnlyWhenTheTableFills() {
        int[] asked = {0};
        ReplaySizing sizing = new ReplaySizing(0, () -> {
            asked[0]++;
            return 1_000_000;
        });
        assertEquals(0, asked[0], "estimated before it was needed");
        assertEquals(2_000, sizing.expectedKeys(200, 100_000));
        assertEquals(2_000, sizing.expectedKeys(400, 200_000));
        assertEquals(1, asked[0], "estimated more than once");
    }

    @Test
    void expectedKeysExtrapolatesNewKeysPerByte() {
        ReplaySizing sizing = new ReplaySizing(1_000, () -> 1_000_000);
        // 100,000 bytes replayed added 500 keys: 4,500 more over the 900,000 bytes left
        assertEquals(6_000, sizing.expectedKeys(1_500, 100_000));
        assertEquals(1_500, sizing.expectedKeys(1_500, 0), "nothing replayed yet: no estimate");
        assertEquals(900, sizing.expectedKeys(900, 100_000), "deletes outnumbered new keys: no estimate");
        assertEquals(1_500, sizing.expectedKeys(1_500, 1_000_000), "at the end: the keys there are");
    }
}
