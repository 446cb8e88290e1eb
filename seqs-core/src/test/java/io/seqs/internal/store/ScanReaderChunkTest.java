package io.seqs.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** A chunk's lines loaded ahead of the scan: each line of the valid bytes once, in order, and nothing past them. */
class ScanReaderChunkTest {
    private static final int LINE = ScanReader.CACHE_LINE;

    @Test
    void warmLoadsEachLineOfTheValidBytesOnce() {
        try (Arena arena = Arena.ofConfined()) {
            long start = 3L << 20; // the segment offset of the chunk's first byte
            ScanReader.Chunk chunk = new ScanReader.Chunk();
            chunk.start = start;
            chunk.valid = 4 * LINE + 10; // the fifth line is valid in part
            chunk.bytes = arena.allocate(8 * LINE);
            // the first byte of line i holds bit i: the XOR returned names the lines loaded
            for (int line = 0; line < 8; line++) {
                chunk.bytes.set(ValueLayout.JAVA_BYTE, (long) line * LINE, (byte) (1 << line));
            }

            assertEquals(0, chunk.warm(start), "nothing before the first byte");
            assertEquals(0b1, chunk.warm(start + 1), "the first line");
            assertEquals(0, chunk.warm(start + LINE), "the first line is not loaded again");
            assertEquals(0b110, chunk.warm(start + 2 * LINE + 1), "lines 1 and 2, the second in part");
            assertEquals(0, chunk.warm(start + 2 * LINE), "nothing behind the lines loaded");
            assertEquals(0b11000, chunk.warm(start + 100 * LINE), "up to the valid bytes' last line, no further");
            assertEquals(0, chunk.warm(start + 100 * LINE), "every valid line loaded already");
        }
    }

    @Test
    void warmOfAChunkStartingPastTheOffsetLoadsNothing() {
        try (Arena arena = Arena.ofConfined()) {
            ScanReader.Chunk chunk = new ScanReader.Chunk();
            chunk.start = 1L << 20;
            chunk.valid = LINE;
            chunk.bytes = arena.allocate(LINE);
            chunk.bytes.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertEquals(0, chunk.warm(chunk.start - 4096));
            assertEquals(1, chunk.warm(chunk.start + LINE));
        }
    }
}
