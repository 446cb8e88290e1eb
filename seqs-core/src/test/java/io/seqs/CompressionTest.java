package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.format.Checksums;
import io.seqs.internal.format.Lz4Values;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LZ4 values: kept only where they save, read back through every form, damage reported by name. */
class CompressionTest {
    @TempDir
    Path dir;

    @TempDir
    Path other;

    private Seqs open(Compression c) {
        return open(dir, c);
    }

    /** One shard of 1 MiB segments, no checkpoints, no reclamation: every record stays where it was written. */
    static Seqs open(Path dir, Compression c) {
        return Seqs.builder(dir)
                .shards(1)
                .segmentSize(1 << 20)
                .compression(c)
                .checkpointInterval(Duration.ZERO)
                .reclaimThreshold(0)
                .open();
    }

    /** A value of {@code size} bytes that LZ4 shrinks: runs of a few letters. */
    static byte[] compressible(SplittableRandom rnd, int size) {
        byte[] v = new byte[size];
        for (int i = 0; i < size; ) {
            byte b = (byte) ('a' + rnd.nextInt(3));
            for (int run = rnd.nextInt(4, 16); run > 0 && i < size; run--) {
                v[i++] = b;
            }
        }
        return v;
    }

    @Test
    void storesBothKindsAcrossReopensWithEitherSetting() {
        long seed = TestSeeds.seed("CompressionTest.storesBothKinds");
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, byte[]> model = new HashMap<>();
        Compression[] settings = {Compression.LZ4, Compression.NONE, Compression.LZ4};
        for (Compression c : settings) {
            try (Seqs s = open(c);
                    Arena arena = Arena.ofConfined()) {
                for (int i = 0; i < 3000; i++) {
                    String k = "k" + rnd.nextInt(1500);
                    int size = switch (rnd.nextInt(10)) {
                        case 0 -> rnd.nextInt(0, Lz4Values.MIN_COMPRESSIBLE); // never compressed
                        case 1 -> rnd.nextInt(300 << 10, 600 << 10); // beyond the scratch a thread keeps
                        default -> rnd.nextInt(32, 4000);
                    };
                    byte[] v = rnd.nextInt(3) == 0 ? random(rnd, size) : compressible(rnd, size);
                    s.put(k.getBytes(), v);
                    model.put(k, v);
                }
                for (Map.Entry<String, byte[]> e : model.entrySet()) {
                    String where = "seed " + seed + ", " + c + ", key " + e.getKey();
                    byte[] expected = e.getValue();
                    assertArrayEquals(expected, s.get(e.getKey().getBytes()), where);
                    MemorySegment offHeap = arena.allocate(Math.max(1, expected.length));
                    assertEquals(
                            expected.length,
                            s.get(MemorySegment.ofArray(e.getKey().getBytes()), offHeap),
                            where);
                    assertArrayEquals(
                            expected, offHeap.asSlice(0, expected.length).toArray(ValueLayout.JAVA_BYTE), where);
                    byte[] heap = new byte[expected.length + 5];
                    assertEquals(
                            expected.length,
                            s.get(
                                    MemorySegment.ofArray(e.getKey().getBytes()),
                                    MemorySegment.ofArray(heap).asSlice(5)),
                            where);
                    assertArrayEquals(expected, java.util.Arrays.copyOfRange(heap, 5, heap.length), where);
                    if (expected.length > 0) {
                        MemorySegment small = arena.allocate(expected.length - 1);
                        assertEquals(
                                expected.length,
                                s.get(MemorySegment.ofArray(e.getKey().getBytes()), small));
                    }
                }
                Map<String, byte[]> seen = new HashMap<>();
                s.forEach((k, v) -> seen.put(new String(k), v));
                assertEquals(model.size(), seen.size());
                model.forEach((k, v) -> assertArrayEquals(v, seen.get(k), "forEach, key " + k));
                SeqsStats st = s.stats();
                if (c == Compression.LZ4) {
                    assertTrue(st.compressedRecords() > 0, st.toString());
                    assertTrue(st.compressionRatio() < 0.9, st.toString());
                    assertTrue(st.decompressions() > 0, st.toString());
                } else {
                    assertEquals(0, st.compressionInputs());
                }
            }
        }
    }

    @Test
    void compressionWritesFewerBytesAndKeepsIncompressibleValuesAsTheyCame() {
        SplittableRandom rnd = new SplittableRandom(7);
        long compressedBytes;
        try (Seqs s = open(Compression.LZ4)) {
            for (int i = 0; i < 2000; i++) {
                s.put(("c" + i).getBytes(), compressible(rnd, 1000));
            }
            compressedBytes = s.stats().physicalBytes();
            assertEquals(2000, s.stats().compressedRecords());
            for (int i = 0; i < 2000; i++) {
                s.put(("r" + i).getBytes(), random(rnd, 1000));
            }
            assertEquals(2000, s.stats().compressedRecords(), "random bytes are stored as they came");
        }
        try (Seqs s =
                Seqs.builder(other).shards(1).compression(Compression.NONE).open()) {
            rnd = new SplittableRandom(7);
            for (int i = 0; i < 2000; i++) {
                s.put(("c" + i).getBytes(), compressible(rnd, 1000));
            }
            assertTrue(
                    s.stats().physicalBytes() > 2 * compressedBytes,
                    s.stats().physicalBytes() + " vs " + compressedBytes);
        }
    }

    @Test
    void aGarbledBlockWithAValidChecksumIsReportedAsCorruption() throws Exception {
        byte[] value = compressible(new SplittableRandom(13), 5000);
        long record = SegmentDescriptor.HEADER_LENGTH;
        storeAndDamage(
                value,
                (map, valueOffset, stored) -> map.asSlice(
                                valueOffset + Lz4Values.LENGTH_PREFIX, stored - Lz4Values.LENGTH_PREFIX)
                        .fill((byte) 0xff)); // tokens that run past the end
        try (Seqs s = open(Compression.LZ4);
                Arena arena = Arena.ofConfined()) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> s.get("key".getBytes()));
            assertEquals(record, e.offset());
            assertTrue(e.getMessage().contains("compressed value"), e.getMessage());
            MemorySegment dst = arena.allocate(value.length);
            assertThrows(CorruptionException.class, () -> s.get(MemorySegment.ofArray("key".getBytes()), dst));
        }
    }

    @Test
    void aDamagedBlockWithAValidChecksumIsReportedAsCorruption() throws Exception {
        byte[] value = compressible(new SplittableRandom(11), 5000);
        long record = SegmentDescriptor.HEADER_LENGTH;
        // declare one byte more than the block gives
        Path seg = storeAndDamage(
                value, (map, valueOffset, stored) -> map.set(RecordDescriptor.INT, valueOffset, value.length + 1));
        try (Seqs s = open(Compression.LZ4)) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> s.get("key".getBytes()));
            assertEquals(seg, e.file());
            assertEquals(record, e.offset());
            assertTrue(e.getMessage().contains("compressed value"), e.getMessage());
        }
    }

    /** Changes the stored bytes of a record's value in place: the mapping, where the value starts, its length. */
    @FunctionalInterface
    private interface ValueDamage {
        void apply(MemorySegment map, long valueOffset, int storedLength);
    }

    /**
     * Stores {@code value} compressed under "key" as the store's only record, lets {@code damage}
     * change its stored bytes on disk and gives the record a CRC that agrees, so that only the
     * decompressor can tell.
     *
     * @return the segment file
     */
    private Path storeAndDamage(byte[] value, ValueDamage damage) throws Exception {
        try (Seqs s = open(Compression.LZ4)) {
            s.put("key".getBytes(), value);
        }
        Path seg = dir.resolve("epoch-0000000001/shard-0000/0000000000000000.seg");
        long record = SegmentDescriptor.HEADER_LENGTH;
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            MemorySegment map = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size(), arena);
            assertTrue(RecordDescriptor.compressed(map, record));
            int stored = RecordDescriptor.storedLength(map, record);
            damage.apply(map, RecordDescriptor.valueOffset(record, 3), stored);
            map.set(
                    RecordDescriptor.INT,
                    record,
                    Checksums.crc(
                            map,
                            record + RecordDescriptor.KEY_LENGTH_OFFSET,
                            RecordDescriptor.CHECKED_HEADER_LENGTH + 3L + stored));
            map.force();
        }
        return seg;
    }

    static byte[] random(SplittableRandom rnd, int size) {
        byte[] v = new byte[size];
        rnd.nextBytes(v);
        return v;
    }
}
