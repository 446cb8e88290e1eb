package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.format.SegmentDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by the last build of segment format version 1 (the fixture in
 * {@code src/test/resources/compat/v1-store}) opens with this build, from its checkpoints or from
 * its log alone, takes new writes in version 2 (compressed, reclaimed) beside its old segments,
 * and reopens with everything it held.
 */
class CompatibilityTest {
    @TempDir
    Path dir;

    /** The fixture's keys are 0..899; see WriteV1Store.java.txt. */
    private static final int KEYS = 900;

    private static byte[] key(int k) {
        return ("v1-key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int k, int session) {
        String unit = "{\"k\":" + k + ",\"s\":" + session + ",\"text\":\"latest value per key\"}";
        return unit.repeat(1 + k % 5).getBytes(StandardCharsets.UTF_8);
    }

    /** What the fixture holds for key {@code k}: session 0 wrote 0..599, session 1 300..899, each deleting a 7th. */
    private static byte[] expected(int k) {
        if (k >= 300) {
            return (k - 300) % 7 == 0 ? null : value(k, 1);
        }
        return k % 7 == 0 ? null : value(k, 0);
    }

    private void copyFixture() throws IOException {
        Path fixture;
        try {
            fixture = Path.of(CompatibilityTest.class
                            .getResource("/compat/v1-store/MANIFEST")
                            .toURI())
                    .getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> walk = Files.walk(fixture)) {
            walk.forEach(p -> {
                try {
                    Path target = dir.resolve(fixture.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void checkFixture(Seqs s, String where) {
        for (int k = 0; k < KEYS; k++) {
            assertArrayEquals(expected(k), s.get(key(k)), where + ", key " + k);
        }
    }

    private Seqs open() {
        return Seqs.builder(dir)
                .segmentSize(64 << 10)
                .compression(Compression.LZ4)
                .reclaimThreshold(0.3)
                .checkpointInterval(Duration.ZERO)
                .open();
    }

    @Test
    void aVersionOneStoreOpensTakesVersionTwoWritesAndReopens() throws Exception {
        copyFixture();
        assertEquals(1, segmentVersion(dir.resolve("epoch-0000000001/shard-0000/0000000000000000.seg")));
        try (Seqs s = open()) {
            assertEquals(0, s.stats().recoveryDroppedRecords());
            assertTrue(s.stats().shards().get(0).recoveredFromCheckpoint());
            checkFixture(s, "opened from its checkpoints");
            // rewrite every key twice so that the old segments die and are reclaimed
            for (int round = 2; round < 4; round++) {
                for (int k = 0; k < KEYS; k++) {
                    s.put(key(k), value(k, round));
                }
            }
            s.reclaim();
            assertTrue(s.stats().reclaimedSegments() > 0, s.stats().toString());
            assertTrue(s.stats().compressedRecords() > 0);
            for (int k = 0; k < KEYS; k++) {
                assertArrayEquals(value(k, 3), s.get(key(k)), "key " + k);
            }
        }
        try (Seqs s = open()) {
            assertEquals(0, s.stats().recoveryDroppedRecords());
            for (int k = 0; k < KEYS; k++) {
                assertArrayEquals(value(k, 3), s.get(key(k)), "reopened, key " + k);
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path seg : walk.filter(p -> p.toString().endsWith(".seg")).toList()) {
                assertEquals(2, segmentVersion(seg), seg + " was written by this build");
            }
        }
    }

    @Test
    void aVersionOneLogReplaysWithoutItsCheckpoints() throws Exception {
        copyFixture();
        try (Stream<Path> walk = Files.walk(dir.resolve("checkpoints"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                Files.delete(p);
            }
        }
        try (Seqs s = Seqs.builder(dir).readOnly(true).open()) {
            checkFixture(s, "read-only, from the log alone");
            assertNull(s.get(key(KEYS)));
        }
        try (Seqs s = open()) {
            assertEquals(0, s.stats().recoveryDroppedRecords());
            assertTrue(!s.stats().shards().get(0).recoveredFromCheckpoint());
            checkFixture(s, "from the log alone");
        }
    }

    private static int segmentVersion(Path seg) throws IOException {
        byte[] head = new byte[SegmentDescriptor.HEADER_LENGTH];
        try (var in = Files.newInputStream(seg)) {
            assertEquals(head.length, in.readNBytes(head, 0, head.length));
        }
        return (head[SegmentDescriptor.VERSION_OFFSET] & 0xff)
                | (head[SegmentDescriptor.VERSION_OFFSET + 1] & 0xff) << 8;
    }
}
