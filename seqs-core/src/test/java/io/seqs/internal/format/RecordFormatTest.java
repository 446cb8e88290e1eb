package io.seqs.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.CorruptionException;
import io.seqs.Seqs;
import io.seqs.StoreFiles;
import io.seqs.TestSeeds;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record and header formats: round trips, and every bit flip and cut of a record detected. */
class RecordFormatTest {
    @TempDir
    Path dir;

    /** Writes a few records through the store and returns the bytes of its only segment. */
    private byte[] segmentWith(byte[]... keysAndValues) throws Exception {
        try (Seqs s = Seqs.builder(dir).shards(1).segmentSize(64 << 10).open()) {
            for (int i = 0; i < keysAndValues.length; i += 2) {
                s.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        List<Path> segs = StoreFiles.segments(dir);
        assertEquals(1, segs.size());
        return Files.readAllBytes(segs.get(0));
    }

    static byte[] nonZero(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(1, 256);
        }
        return b;
    }

    @Test
    void firstWordTakesApartAsTheFieldsRead() {
        SplittableRandom rnd = new SplittableRandom(TestSeeds.seed("RecordFormatTest.firstWord"));
        byte[] header = new byte[RecordDescriptor.HEADER_LENGTH];
        MemorySegment seg = MemorySegment.ofArray(header);
        int[] keyLengths = {1, 255, 256, 32_767, 32_768, RecordDescriptor.MAX_KEY_LENGTH};
        for (int i = 0; i < 2_000; i++) {
            int keyLength = i < keyLengths.length ? keyLengths[i] : rnd.nextInt(1, RecordDescriptor.MAX_KEY_LENGTH + 1);
            byte type = rnd.nextBoolean() ? RecordDescriptor.TYPE_PUT : RecordDescriptor.TYPE_DELETE;
            byte flags = type == RecordDescriptor.TYPE_PUT && rnd.nextBoolean() ? RecordDescriptor.FLAG_LZ4 : 0;
            RecordDescriptor.encodeHeader(
                    header, keyLength, type, flags, rnd.nextInt(RecordDescriptor.MAX_VALUE_LENGTH + 1), rnd.nextInt());
            seg.set(RecordDescriptor.INT, RecordDescriptor.CRC_OFFSET, rnd.nextInt()); // high bits set half the time
            long word = RecordDescriptor.firstWord(seg, 0);
            assertEquals(RecordDescriptor.keyLength(seg, 0), RecordDescriptor.keyLengthOf(word), "key length");
            assertEquals(keyLength, RecordDescriptor.keyLengthOf(word), "key length");
            assertEquals(RecordDescriptor.type(seg, 0), RecordDescriptor.typeOf(word), "type");
            assertEquals(RecordDescriptor.compressed(seg, 0), RecordDescriptor.compressedOf(word), "compressed");
        }
        java.util.Arrays.fill(header, (byte) 0);
        assertEquals(RecordDescriptor.isEnd(seg, 0), RecordDescriptor.firstWord(seg, 0) == 0);
    }

    @Test
    void roundTripOfHeaderAndBody() throws Exception {
        byte[] file = segmentWith("alpha".getBytes(), "one".getBytes(), "b".getBytes(), new byte[0]);
        MemorySegment seg = MemorySegment.ofArray(file);
        SegmentDescriptor.Header h = SegmentDescriptor.read(seg, dir, file.length);
        assertEquals(0, h.segmentId());
        assertEquals(1, h.shardCount());
        assertEquals(1, h.epoch());
        assertEquals(64 << 10, h.windowSize());
        List<long[]> recs = StoreFiles.records(file);
        assertEquals(2, recs.size());
        long off = recs.get(0)[0];
        assertEquals(5, RecordDescriptor.keyLength(seg, off));
        assertEquals(3, RecordDescriptor.storedLength(seg, off));
        assertEquals(RecordDescriptor.TYPE_PUT, RecordDescriptor.type(seg, off));
        assertEquals(0, RecordDescriptor.flags(seg, off));
        assertEquals(1, RecordDescriptor.generation(seg, off));
        assertEquals(0, (recs.get(1)[0]) % RecordDescriptor.ALIGNMENT);
        assertEquals(RecordDescriptor.recordLength(5, 3), recs.get(1)[0] - off);
        assertNull(RecordDescriptor.check(seg, off, file.length, 0, 1));
        assertNull(RecordDescriptor.check(seg, recs.get(1)[0], file.length, 0, 1));
        // generation bounds: written by session 1, so a reader expecting only later sessions rejects it
        assertNotNull(RecordDescriptor.check(seg, off, file.length, 2, 5));
        assertNotNull(RecordDescriptor.check(seg, off, file.length, 0, 0));
    }

    @Test
    void everySingleBitFlipOfARecordIsDetected() throws Exception {
        SplittableRandom rnd = new SplittableRandom(TestSeeds.seed("everySingleBitFlip"));
        byte[] file = segmentWith(nonZero(rnd, 23), nonZero(rnd, 77), nonZero(rnd, 1), new byte[0]);
        MemorySegment seg = MemorySegment.ofArray(file);
        int flips = 0;
        for (long[] rec : StoreFiles.records(file)) {
            for (long bit = rec[0] * 8; bit < (rec[0] + rec[1]) * 8; bit++) {
                int at = (int) (bit >>> 3);
                byte mask = (byte) (1 << (bit & 7));
                file[at] ^= mask;
                assertNotNull(RecordDescriptor.check(seg, rec[0], file.length, 0, 1), "flip of bit " + bit);
                file[at] ^= mask;
                flips++;
            }
            assertNull(RecordDescriptor.check(seg, rec[0], file.length, 0, 1));
        }
        assertTrue(flips > 8 * (16 + 23 + 77));
    }

    @Test
    void everyCutOfARecordIsDetected() throws Exception {
        SplittableRandom rnd = new SplittableRandom(TestSeeds.seed("everyCut"));
        byte[] file = segmentWith(nonZero(rnd, 40), nonZero(rnd, 300));
        long[] rec = StoreFiles.records(file).get(0);
        MemorySegment seg = MemorySegment.ofArray(file);
        for (long cut = rec[0] + 1; cut < rec[0] + rec[1]; cut++) {
            // the file ends at the cut
            assertNotNull(RecordDescriptor.check(seg, rec[0], cut, 0, 1), "file cut at " + cut);
            // a torn write: the bytes from the cut on never reached the disk
            byte[] torn = file.clone();
            java.util.Arrays.fill(torn, (int) cut, (int) (rec[0] + rec[1]), (byte) 0);
            assertNotNull(
                    RecordDescriptor.check(MemorySegment.ofArray(torn), rec[0], torn.length, 0, 1), "torn at " + cut);
        }
    }

    @Test
    void segmentHeaderDamageIsNamed() throws Exception {
        byte[] file = segmentWith("k".getBytes(), "v".getBytes());
        for (int at = 0; at < SegmentDescriptor.HEADER_LENGTH; at++) {
            byte[] copy = file.clone();
            copy[at] ^= 0x10;
            CorruptionException e = assertThrows(
                    CorruptionException.class,
                    () -> SegmentDescriptor.read(MemorySegment.ofArray(copy), dir.resolve("x.seg"), copy.length),
                    "byte " + at);
            assertTrue(e.getMessage().contains("x.seg"), e.getMessage());
        }
    }

    @Test
    void manifestRoundTripAndDamage() {
        Manifest m = new Manifest(8, 3, 1 << 20, 7, 12345);
        byte[] bytes = m.encode().array();
        assertEquals(m, Manifest.decode(dir, java.nio.ByteBuffer.wrap(bytes)));
        for (int at = 0; at < bytes.length; at++) {
            byte[] copy = bytes.clone();
            copy[at] ^= 1;
            assertThrows(
                    CorruptionException.class,
                    () -> Manifest.decode(dir, java.nio.ByteBuffer.wrap(copy)),
                    "byte " + at);
        }
    }

    @Test
    void valuesSurviveTheRoundTrip() throws Exception {
        SplittableRandom rnd = new SplittableRandom(TestSeeds.seed("valuesSurvive"));
        byte[] k = nonZero(rnd, 12);
        byte[] v = nonZero(rnd, 5000);
        segmentWith(k, v);
        try (Seqs s = Seqs.open(dir)) {
            assertArrayEquals(v, s.get(k));
        }
    }
}
