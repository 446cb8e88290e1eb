package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.format.SegmentDescriptor;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record open gives up is counted in stats() and named in one log line, whatever the
 * shape of the damage: a segment in the middle of a log cut to 0 bytes, to 1 byte or to half,
 * deleted, its header zeroed, or replaced with garbage. No key may come back with a value it
 * never had, and the dropped-records figure is at least the number of keys lost.
 */
class LossAccountingTest {
    @TempDir
    Path dir;

    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    static final int KEYS = 5_000;

    @BeforeEach
    void listen() {
        Logger.getLogger("io.seqs").addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger("io.seqs").removeHandler(capture);
    }

    private Seqs open() {
        return Seqs.builder(dir)
                .compression(Compression.NONE)
                .shards(1)
                .segmentSize(64 << 10)
                .checkpointInterval(Duration.ZERO)
                .open();
    }

    private static byte[] key(int i) {
        return ("key-" + i).getBytes();
    }

    private static byte[] value(int i, int version) {
        byte[] v = new byte[60 + i % 90];
        java.util.Arrays.fill(v, (byte) (i * 13 + version));
        return v;
    }

    /**
     * Keys written once, a third of them written again later (so that some keys have an older
     * version to fall back to), checkpointed half way and at close.
     */
    private int[] write() {
        int[] versions = new int[KEYS];
        SplittableRandom rnd = new SplittableRandom(7);
        try (Seqs s = open()) {
            for (int i = 0; i < KEYS; i++) {
                s.put(key(i), value(i, ++versions[i]));
                if (i == KEYS / 2) {
                    s.checkpoint();
                }
            }
            for (int n = 0; n < KEYS / 3; n++) {
                int i = rnd.nextInt(KEYS);
                s.put(key(i), value(i, ++versions[i]));
            }
        }
        return versions;
    }

    private Path middleSegment() throws Exception {
        List<Path> segs = StoreFiles.segments(dir);
        assertTrue(segs.size() >= 8, "the log spans many segments: " + segs.size());
        return segs.get(segs.size() / 2);
    }

    /** Opens the damaged store, checks every key against what it held, and the count against the loss. */
    private void checkLossIsCounted(String shape, int[] versions) {
        logged.clear();
        try (Seqs s = open()) {
            SeqsStats st = s.stats();
            long lost = 0;
            for (int i = 0; i < KEYS; i++) {
                byte[] v = s.get(key(i));
                if (v == null) {
                    lost++;
                    continue;
                }
                boolean had = false;
                for (int version = 1; version <= versions[i] && !had; version++) {
                    had = java.util.Arrays.equals(value(i, version), v);
                }
                assertTrue(had, shape + ": key " + i + " came back with a value it never had");
                if (!java.util.Arrays.equals(value(i, versions[i]), v)) {
                    lost++; // it went back to an older version: its latest was lost
                }
            }
            System.out.printf(
                    "%s: %d keys lost, %d records and %d bytes reported dropped%n",
                    shape, lost, st.recoveryDroppedRecords(), st.recoveryDroppedBytes());
            assertTrue(lost > 0, shape + ": the damage took keys");
            assertTrue(
                    st.recoveryDroppedRecords() >= lost,
                    shape + ": " + st.recoveryDroppedRecords() + " records reported dropped, " + lost + " keys lost");
            List<LogRecord> warnings;
            synchronized (logged) {
                warnings = logged.stream()
                        .filter(r ->
                                r.getLevel() == Level.WARNING && r.getMessage().contains("damaged log"))
                        .toList();
            }
            assertEquals(1, warnings.size(), shape + ": one log line names the loss: " + warnings);
            String line = java.text.MessageFormat.format(
                    warnings.get(0).getMessage(), warnings.get(0).getParameters());
            assertTrue(line.contains(String.valueOf(st.recoveryDroppedRecords())) && line.contains(".seg"), line);
            // the store goes on
            s.put(key(0), value(0, 99));
        }
        try (Seqs s = open()) {
            assertArrayEquals(value(0, 99), s.get(key(0)));
            assertEquals(0, s.stats().recoveryDroppedRecords(), shape + ": a second open finds nothing more to drop");
        }
    }

    private static void setLength(Path file, long length) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    private static void overwrite(Path file, long offset, byte[] bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.write(bytes);
        }
    }

    @Test
    void aMiddleSegmentCutToZeroBytes() throws Exception {
        int[] versions = write();
        setLength(middleSegment(), 0);
        checkLossIsCounted("cut to 0", versions);
    }

    @Test
    void aMiddleSegmentCutToOneByte() throws Exception {
        int[] versions = write();
        setLength(middleSegment(), 1);
        checkLossIsCounted("cut to 1", versions);
    }

    @Test
    void aMiddleSegmentCutToHalf() throws Exception {
        int[] versions = write();
        Path seg = middleSegment();
        setLength(seg, Files.size(seg) / 2);
        checkLossIsCounted("cut to half", versions);
    }

    @Test
    void aMiddleSegmentDeleted() throws Exception {
        int[] versions = write();
        Files.delete(middleSegment());
        checkLossIsCounted("deleted", versions);
    }

    @Test
    void aMiddleSegmentWithItsHeaderZeroed() throws Exception {
        int[] versions = write();
        overwrite(middleSegment(), 0, new byte[SegmentDescriptor.HEADER_LENGTH]);
        checkLossIsCounted("header zeroed", versions);
    }

    @Test
    void aMiddleSegmentReplacedWithGarbage() throws Exception {
        int[] versions = write();
        Path seg = middleSegment();
        byte[] garbage = new byte[(int) Files.size(seg)];
        new SplittableRandom(11).nextBytes(garbage);
        Files.write(seg, garbage);
        checkLossIsCounted("garbage", versions);
    }

    @Test
    void aTornTailIsReportedAsInformationNotDamage() throws Exception {
        try (Seqs s = open()) {
            for (int i = 0; i < 50; i++) {
                s.put(key(i), value(i, 1));
            }
        }
        for (Path p : StoreFiles.checkpoints(dir)) {
            Files.delete(p); // as after a kill: no checkpoint covers the tail
        }
        List<Path> segs = StoreFiles.segments(dir);
        Path last = segs.get(segs.size() - 1);
        List<long[]> records = StoreFiles.records(Files.readAllBytes(last));
        long[] lastRecord = records.get(records.size() - 1);
        overwrite(last, lastRecord[0], new byte[4]); // the CRC a killed writer never got to write
        logged.clear();
        try (Seqs s = open()) {
            assertEquals(1, s.stats().recoveryDroppedRecords());
            assertArrayEquals(value(48, 1), s.get(key(48)));
        }
        synchronized (logged) {
            assertTrue(
                    logged.stream().noneMatch(r -> r.getLevel() == Level.WARNING),
                    "no warning for a torn tail: " + logged);
            assertTrue(
                    logged.stream()
                            .anyMatch(r ->
                                    r.getLevel() == Level.INFO && r.getMessage().contains("did not complete")),
                    "a torn tail is reported as information");
        }
    }
}
