package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records short enough to be assembled on the heap before they are copied into the log (up to
 * 1 KiB with the 16-byte header) and longer ones written in place carry sound checksums: every
 * length around the boundary, an empty value, deletes, LZ4 values and off-heap keys and values read
 * back (each read checks its record's CRC32C), before and after a reopen.
 */
class RecordStagingTest {
    @TempDir
    Path dir;

    private Seqs open(Compression compression) {
        return CompressionTest.open(dir, compression);
    }

    @Test
    void recordsAroundTheStagingLimitReadBackBeforeAndAfterReopen() {
        SplittableRandom random = new SplittableRandom(7);
        Map<String, byte[]> expected = new LinkedHashMap<>();
        try (Seqs db = open(Compression.NONE)) {
            WriteBatch batch = new WriteBatch();
            for (int valueLength = 980; valueLength <= 1_020; valueLength++) { // records of 1,004..1,044 bytes
                byte[] value = new byte[valueLength];
                random.nextBytes(value);
                String key = "key-" + valueLength;
                batch.put(key.getBytes(), value);
                expected.put(key, value);
            }
            batch.put("empty".getBytes(), new byte[0]);
            expected.put("empty", new byte[0]);
            db.write(batch);
            db.delete("key-1000".getBytes());
            expected.remove("key-1000");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocateFrom("off-heap");
                MemorySegment value = arena.allocate(600);
                for (int i = 0; i < 600; i++) {
                    value.set(ValueLayout.JAVA_BYTE, i, (byte) i);
                }
                db.put(key, value);
                byte[] k = key.toArray(ValueLayout.JAVA_BYTE);
                expected.put(new String(k), value.toArray(ValueLayout.JAVA_BYTE));
            }
            assertAll(db, expected);
        }
        try (Seqs db = open(Compression.NONE)) {
            assertAll(db, expected);
            assertNull(db.get("key-1000".getBytes()));
        }
    }

    @Test
    void compressedValuesAroundTheStagingLimitReadBack() {
        Map<String, byte[]> expected = new LinkedHashMap<>();
        try (Seqs db = open(Compression.LZ4)) {
            for (int valueLength = 1_000; valueLength <= 3_000; valueLength += 100) {
                byte[] value = new byte[valueLength];
                for (int i = 0; i < valueLength; i++) {
                    value[i] = (byte) ('a' + (i / 7) % 3);
                }
                db.put(("lz4-" + valueLength).getBytes(), value);
                expected.put("lz4-" + valueLength, value);
            }
            assertAll(db, expected);
        }
        try (Seqs db = open(Compression.LZ4)) {
            assertAll(db, expected);
        }
    }

    private static void assertAll(Seqs db, Map<String, byte[]> expected) {
        expected.forEach((key, value) -> assertArrayEquals(value, db.get(key.getBytes()), key));
        assertEquals(expected.size(), db.stats().keys());
    }
}
