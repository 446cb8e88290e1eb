package io.seqs.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/**
 * Which log positions a shard's segments hold a record at, for window sizes that are and are
 * not powers of two (the table finds a position's window by a shift in the first case and a
 * division in the second), over a log with a hole where a segment was reclaimed.
 */
class SegmentTableTest {
    private static final long SEED = 20261127L;

    @Test
    void aPowerOfTwoWindow() {
        check(16 << 10);
    }

    @Test
    void aWindowThatIsNotAPowerOfTwo() {
        check(3 * 4096 + 8 * 5);
    }

    private static void check(long windowSize) {
        try (Arena arena = Arena.ofConfined()) {
            SegmentTable table = new SegmentTable(Path.of("shard-test"), windowSize);
            // windows 0 and 3..4 hold segments; window 1..2 is a hole; the second file ends short of its windows
            List<Segment> held = List.of(
                    segment(arena, 0, 1, windowSize, windowSize), segment(arena, 3, 2, windowSize, windowSize + 4096));
            for (Segment seg : held) {
                table.install(seg);
            }
            LongPredicate places = table.recordPlaces();
            SplittableRandom rnd = new SplittableRandom(SEED);
            for (int i = 0; i < 20_000; i++) {
                long position = 8 * rnd.nextLong(6 * windowSize / 8);
                boolean expected = false;
                for (Segment seg : held) {
                    expected |= position >= seg.base + SegmentDescriptor.HEADER_LENGTH
                            && position + RecordDescriptor.HEADER_LENGTH <= seg.limit();
                }
                assertEquals(expected, table.holdsRecordAt(position), "position " + position + ", seed " + SEED);
                assertEquals(expected, places.test(position), "position " + position + ", seed " + SEED);
            }
        }
    }

    private static Segment segment(Arena arena, long id, int windowCount, long windowSize, long length) {
        MemorySegment map = arena.allocate(length, 8);
        return new Segment(Path.of("segment-" + id), map, arena, id, windowCount, id * windowSize);
    }
}
