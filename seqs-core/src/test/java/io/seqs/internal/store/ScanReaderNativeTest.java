package io.seqs.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.Compression;
import io.seqs.Seqs;
import io.seqs.TestSeeds;
import io.seqs.internal.fs.DirectReads;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scans that read the log past the page cache: the records come from the scan's own reads (and
 * only where they are not in memory), records cut off at a chunk's end or longer than a chunk
 * come from the mapping, and reads that fail leave the mapping to serve everything; in every
 * case the scan visits exactly the model. Runs with native access granted (see the pom).
 */
class ScanReaderNativeTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsDirectReads() {
        // run with native access (see the pom); elsewhere than on Linux there are no direct reads to test
        Assumptions.assumeTrue(
                System.getProperty("os.name", "").startsWith("Linux"), "reads past the page cache are Linux's");
        assertTrue(DirectReads.available(), "this test runs with native access granted");
    }

    @AfterEach
    void restore() {
        System.clearProperty(ScanReader.PROPERTY);
        ScanReader.failReads = false;
    }

    /** Puts, overwrites and deletes of records from a few bytes to more than a chunk, into segments of 16 MiB. */
    private static Map<String, byte[]> fill(Seqs s, SplittableRandom rnd) {
        Map<String, byte[]> model = new HashMap<>();
        for (int i = 0; i < 40_000; i++) {
            String key = "key-" + rnd.nextInt(12_000);
            if (rnd.nextInt(6) == 0) {
                s.delete(key.getBytes(StandardCharsets.US_ASCII));
                model.remove(key);
            } else {
                byte[] v = new byte[rnd.nextInt(0, 2_500)];
                for (int j = 0; j < v.length; j++) {
                    v[j] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt() : j % 7); // compressible, not trivially
                }
                s.put(key.getBytes(StandardCharsets.US_ASCII), v);
                model.put(key, v);
            }
        }
        for (int i = 0; i < 3; i++) {
            byte[] v = new byte[(int) ScanReader.CHUNK + rnd.nextInt(1, 1 << 20)];
            rnd.nextBytes(v);
            s.put(("large-" + i).getBytes(StandardCharsets.US_ASCII), v);
            model.put("large-" + i, v);
        }
        return model;
    }

    private static Seqs open(Path dir, Compression compression) {
        return Seqs.builder(dir)
                .shards(2)
                .segmentSize(16 << 20)
                .compression(compression)
                .checkpointInterval(Duration.ZERO)
                .open();
    }

    private static void assertVisitsExactly(Seqs s, Map<String, byte[]> model, long seed) {
        Map<String, byte[]> seen = new HashMap<>();
        s.forEach((key, v) -> assertNull(
                seen.put(new String(key, StandardCharsets.US_ASCII), v),
                () -> "seed " + seed + ": " + new String(key, StandardCharsets.US_ASCII) + " visited twice"));
        assertEquals(model.keySet(), seen.keySet(), "seed " + seed);
        model.forEach((key, v) -> assertArrayEquals(v, seen.get(key), "seed " + seed + ": " + key));
    }

    /**
     * Fills a store, exports it with every chunk read past the page cache (each read failing,
     * when {@code failing}), checks the export against the model, and returns the bytes read so.
     */
    private long exportReadingEveryChunk(Compression compression, String test, boolean failing) {
        long seed = TestSeeds.seed(test); // printed, and named by every assertion on the export
        try (Seqs s = open(dir, compression)) {
            Map<String, byte[]> model = fill(s, new SplittableRandom(seed));
            System.setProperty(ScanReader.PROPERTY, "always");
            ScanReader.failReads = failing;
            long before = ScanReader.bytesRead();
            assertVisitsExactly(s, model, seed);
            return ScanReader.bytesRead() - before;
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void recordsComeFromTheScansOwnReads(Compression compression) {
        long[] before = ScanReader.regions();
        assertTrue(
                exportReadingEveryChunk(compression, "ScanReaderNativeTest.own", false) > 0,
                "nothing was read past the page cache");
        long[] after = ScanReader.regions();
        assertTrue(after[0] > before[0], "the reads went into buffers of their own");
        if (Files.isDirectory(Path.of("/sys/kernel/mm/transparent_hugepage"))) { // a kernel that has huge pages
            assertEquals(after[0] - before[0], after[1] - before[1], "every buffer region advised for huge pages");
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void aStoreInMemoryIsReadThroughItsMappings(Compression compression) {
        long seed = TestSeeds.seed("ScanReaderNativeTest.memory");
        try (Seqs s = open(dir, compression)) {
            Map<String, byte[]> model = fill(s, new SplittableRandom(seed));
            long before = ScanReader.bytesRead(); // the default: a log smaller than memory is not read past it
            assertVisitsExactly(s, model, seed);
            assertEquals(0, ScanReader.bytesRead() - before, "seed " + seed + ": a log smaller than memory");

            System.setProperty(ScanReader.PROPERTY, "uncached"); // as if larger: chunks in memory are still not
            assertVisitsExactly(s, model, seed);
            assertEquals(0, ScanReader.bytesRead() - before, "seed " + seed + ": a log just written is in memory");
        }
    }

    @Test
    void onlyALogLargerThanMemoryIsReadPastIt() {
        long memory = DirectReads.availableMemory();
        assertTrue(memory > 0, "MemAvailable in /proc/meminfo: " + memory);
        assertFalse(ScanReader.worthIt(memory / 2));
        assertTrue(ScanReader.worthIt(memory * 2));
        System.setProperty(ScanReader.PROPERTY, "never");
        assertFalse(ScanReader.worthIt(memory * 2));
        System.setProperty(ScanReader.PROPERTY, "always");
        assertTrue(ScanReader.worthIt(0));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void readsThatFailLeaveEveryRecordToTheMappings(Compression compression) {
        assertEquals(0, exportReadingEveryChunk(compression, "ScanReaderNativeTest.failing", true));
    }
}
