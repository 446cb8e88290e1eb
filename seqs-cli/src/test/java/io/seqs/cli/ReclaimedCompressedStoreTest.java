package io.seqs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.Compression;
import io.seqs.Seqs;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command on a store the current seqs-core wrote: segment format version 2, LZ4-compressed
 * values and reclaimed segments (their files deleted, markers in their place). Read-only commands
 * change no byte.
 */
final class ReclaimedCompressedStoreTest {
    private static final long SEED = Long.getLong("seqs.test.seed", System.nanoTime());
    private static final int KEYS = 300;
    private static final long RECLAIM_TIMEOUT_NANOS = Duration.ofSeconds(10).toNanos();
    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.safeInstance().safeDecompressor();

    /** Record layout (docs/format.md), as the test reads it to find and damage records. */
    private static final int SEGMENT_HEADER = 64;

    private static final int SEGMENT_CRC_OFFSET = 60;
    private static final int SEGMENT_VERSION_OFFSET = 8;
    private static final int RECORD_HEADER = 16;
    private static final int FLAG_LZ4 = 1;
    private static final int MARKER_PREVIOUS_END_OFFSET = 48;
    private static final int MARKER_CRC_OFFSET = 76;

    @TempDir
    Path tmp;

    private Path store;
    private Path shardDir;
    /** Key to its latest value; deleted keys are absent. */
    private final Map<String, byte[]> model = new HashMap<>();

    /** A record found in a segment file. */
    private record Found(Path file, long offset, String key, int type, int flags, int keyLength, int storedLength) {}

    @BeforeEach
    void write() throws IOException, InterruptedException {
        System.out.println("ReclaimedCompressedStoreTest seed " + SEED + " (-Dseqs.test.seed=" + SEED + " replays it)");
        Random random = new Random(SEED);
        store = tmp.resolve("store");
        shardDir = store.resolve("epoch-0000000001").resolve("shard-0000");
        for (int session = 0; session < 4 && markers().isEmpty(); session++) {
            try (Seqs s = open()) {
                for (int round = 0; round < 6; round++) {
                    for (int k = 0; k < KEYS; k++) {
                        if (round > 0 && random.nextInt(10) == 0) {
                            continue; // most keys, not all, are overwritten
                        }
                        String key = "key-" + k;
                        byte[] value = value(random, k, round);
                        s.put(key.getBytes(StandardCharsets.UTF_8), value);
                        model.put(key, value);
                    }
                }
                for (int k = 0; k < KEYS; k += 17) {
                    String key = "key-" + k;
                    s.delete(key.getBytes(StandardCharsets.UTF_8));
                    model.remove(key);
                }
                long deadline = System.nanoTime() + RECLAIM_TIMEOUT_NANOS;
                while (s.stats().reclaimedSegments() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }
        }
        assertTrue(!markers().isEmpty(), "no segment was reclaimed");
        // A close may cut a reclamation short after its marker, leaving the segment file beside it;
        // an open without reclamation finishes that and starts none.
        open(0).close();
    }

    private Seqs open() {
        return open(0.5);
    }

    private Seqs open(double reclaimThreshold) {
        return Seqs.builder(store)
                .shards(1)
                .segmentSize(64 << 10)
                .compression(Compression.LZ4)
                .reclaimThreshold(reclaimThreshold)
                .checkpointInterval(Duration.ZERO)
                .open();
    }

    /** A compressible text, random bytes (incompressible) or a value too short to compress. */
    private static byte[] value(Random random, int k, int round) {
        return switch (k % 3) {
            case 0 ->
                ("value of key-" + k + " in round " + round + "; ")
                        .repeat(2 + random.nextInt(60))
                        .getBytes(StandardCharsets.UTF_8);
            case 1 -> {
                byte[] v = new byte[40 + random.nextInt(500)];
                random.nextBytes(v);
                yield v;
            }
            default -> {
                byte[] v = new byte[random.nextInt(32)];
                random.nextBytes(v);
                yield v;
            }
        };
    }

    @Test
    void everyCommandReadsTheStoreAcrossReclaimedSegmentsAndCompressedValues() throws IOException {
        Map<Path, String> before = CliTest.fingerprint(store);
        int markers = markers().size();
        List<Found> records = records();
        assertTrue(records.stream().anyMatch(r -> (r.flags() & FLAG_LZ4) != 0), "no compressed record");
        assertTrue(records.stream().anyMatch(r -> r.flags() == 0 && r.storedLength() >= 40), "no raw record");

        CliTest.Run verify = CliTest.run("verify", "-q", store.toString());
        assertEquals(ExitCode.OK, verify.code(), verify.text());
        assertTrue(verify.text().contains("reclaimed segments: " + markers), verify.text());
        assertTrue(verify.text().contains("result: sound (0 damage, 0 torn tail, 0 notes)"), verify.text());
        CliTest.Run verifyJson = CliTest.run("verify", "-q", "--json", store.toString());
        assertEquals(ExitCode.OK, verifyJson.code(), verifyJson.text());
        assertTrue(verifyJson.text().contains("\"sound\":true"), verifyJson.text());
        assertTrue(verifyJson.text().contains("\"reclaimed_segments\":" + markers + ","), verifyJson.text());
        assertTrue(!verifyJson.text().contains("\"compressed_records\":0,"), verifyJson.text());

        CliTest.Run info = CliTest.run("info", "--json", store.toString());
        assertEquals(ExitCode.OK, info.code(), info.err());
        assertTrue(info.text().contains("\"segment_format_versions\":[2]"), info.text());
        assertTrue(info.text().contains("\"reclaimed_segments\":" + markers + ","), info.text());
        assertTrue(info.text().contains("\"keys\":" + model.size() + ","), info.text());
        CliTest.Run stats = CliTest.run("stats", "-q", "--json", store.toString());
        assertEquals(ExitCode.OK, stats.code(), stats.err());
        assertTrue(stats.text().contains("\"keys\":" + model.size() + ","), stats.text());

        CliTest.Run dump = CliTest.run("dump", "-q", "-f", "binary", store.toString());
        assertEquals(ExitCode.OK, dump.code(), dump.err());
        assertEquals(model.keySet(), binaryDump(dump.out()).keySet());
        binaryDump(dump.out()).forEach((k, v) -> assertArrayEquals(model.get(k), v, k));
        for (int k = 0; k < 12; k++) {
            String key = "key-" + k;
            CliTest.Run get = CliTest.run("get", store.toString(), key);
            if (model.containsKey(key)) {
                assertEquals(ExitCode.OK, get.code(), key + ": " + get.err());
                assertArrayEquals(model.get(key), get.out(), key);
            } else {
                assertEquals(ExitCode.NEGATIVE, get.code(), key);
            }
        }
        assertEquals(before, CliTest.fingerprint(store));

        Path out = tmp.resolve("salvaged");
        CliTest.Run salvage = CliTest.run("salvage", "-q", store.toString(), out.toString());
        assertEquals(ExitCode.OK, salvage.code(), salvage.text() + salvage.err());
        assertEquals(before, CliTest.fingerprint(store));
        assertStoreHolds(out, model);
        assertEquals(ExitCode.OK, CliTest.run("verify", "-q", out.toString()).code());
    }

    @Test
    void aBrokenCompressedBlockWithAFreshCrcIsNamedWithItsFileAndOffset() throws IOException {
        Found victim = latestCompressedRecord();
        breakBlock(victim);
        Map<Path, String> before = CliTest.fingerprint(store);

        CliTest.Run verify = CliTest.run("verify", "-q", store.toString());
        assertEquals(ExitCode.NEGATIVE, verify.code(), verify.text());
        String line = "DAMAGE " + victim.file() + " @" + victim.offset() + ": compressed value ";
        assertTrue(verify.text().contains(line), line + " in " + verify.text());
        assertTrue(verify.text().contains("result: damaged (1 damage, 0 torn tail, 0 notes)"), verify.text());
        CliTest.Run json = CliTest.run("verify", "-q", "--json", store.toString());
        assertTrue(
                json.text()
                        .contains("\"file\":" + Json.string(victim.file().toString()) + ",\"offset\":" + victim.offset()
                                + ","),
                json.text());

        Path out = tmp.resolve("salvaged");
        CliTest.Run salvage = CliTest.run("salvage", "-q", "--json", store.toString(), out.toString());
        assertEquals(ExitCode.NEGATIVE, salvage.code(), salvage.text());
        assertTrue(salvage.text().contains("\"keys_with_damaged_values\":1,"), salvage.text());
        assertTrue(
                salvage.text()
                        .contains("\"key\":"
                                + Json.string(Codec.display(victim.key().getBytes(StandardCharsets.UTF_8)))),
                salvage.text());
        Map<String, byte[]> rest = new HashMap<>(model);
        rest.remove(victim.key());
        assertStoreHolds(out, rest);
        assertEquals(before, CliTest.fingerprint(store));
    }

    /** Runs verify, which must exit 1 and name {@code what} at {@code offset} of {@code file}; returns its output. */
    private String verifyFindsDamage(Path file, long offset, String what) {
        CliTest.Run verify = CliTest.run("verify", "-q", store.toString());
        assertEquals(ExitCode.NEGATIVE, verify.code(), verify.text());
        String line = "DAMAGE " + file + " @" + offset + ": " + what;
        assertTrue(verify.text().contains(line), line + " in " + verify.text());
        return verify.text();
    }

    @Test
    void aDamagedMarkerIsNamedAndOpenWouldCutTheLogThere() throws IOException {
        Path marker = markers().getFirst();
        flip(marker, 40);
        String text = verifyFindsDamage(marker, MARKER_CRC_OFFSET, "reclaimed-segment marker CRC32C");
        assertTrue(text.contains("open keeps log positions below"), text);
    }

    @Test
    void aMarkerThatDoesNotContinueTheChainIsNamed() throws IOException {
        Path marker = markers().getLast();
        byte[] bytes = Files.readAllBytes(marker);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MARKER_PREVIOUS_END_OFFSET, b.getLong(MARKER_PREVIOUS_END_OFFSET) - 8);
        b.putInt(MARKER_CRC_OFFSET, crc32c(bytes, 0, MARKER_CRC_OFFSET));
        Files.write(marker, bytes);
        verifyFindsDamage(marker, MARKER_PREVIOUS_END_OFFSET, "reclaimed-segment marker previous end");
    }

    @Test
    void aSegmentFileBesideItsMarkerIsANoteAndIsNotRead() throws IOException {
        Path marker = markers().getFirst();
        Path leftover = marker.resolveSibling(marker.getFileName().toString().replace(".reclaimed", ".seg"));
        Files.write(leftover, new byte[4096]); // nothing a reader of the segment would accept
        Map<Path, String> before = CliTest.fingerprint(store);
        CliTest.Run verify = CliTest.run("verify", "-q", store.toString());
        assertEquals(ExitCode.OK, verify.code(), verify.text());
        assertTrue(verify.text().contains("NOTE " + leftover + " @0: segment file beside its"), verify.text());
        CliTest.Run info = CliTest.run("info", store.toString());
        assertEquals(ExitCode.OK, info.code(), info.err());
        assertEquals(before, CliTest.fingerprint(store));
    }

    @Test
    void segmentFormatVersionsOneAndTwoAreReadAndThreeIsRefused() throws IOException {
        Path first = segments().getFirst();
        setSegmentVersion(first, 1);
        CliTest.Run one = CliTest.run("verify", "-q", store.toString());
        assertEquals(ExitCode.OK, one.code(), one.text());
        setSegmentVersion(first, 3);
        verifyFindsDamage(first, SEGMENT_VERSION_OFFSET, "segment format version 3");
    }

    // ------------------------------------------------------------------ helpers

    private List<Path> markers() throws IOException {
        return list(".reclaimed");
    }

    /** The segment files of the log: not those left beside their markers. */
    private List<Path> segments() throws IOException {
        List<Path> markers = markers();
        return list(".seg").stream()
                .filter(p -> !markers.contains(
                        p.resolveSibling(p.getFileName().toString().replace(".seg", ".reclaimed"))))
                .toList();
    }

    private List<Path> list(String suffix) throws IOException {
        if (!Files.isDirectory(shardDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(shardDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    /** Every record of every segment file, in log order. */
    private List<Found> records() throws IOException {
        List<Found> found = new java.util.ArrayList<>();
        for (Path seg : segments()) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(seg)).order(ByteOrder.LITTLE_ENDIAN);
            int offset = SEGMENT_HEADER;
            while (b.capacity() - offset >= RECORD_HEADER && b.getLong(offset) != 0) {
                int keyLength = Short.toUnsignedInt(b.getShort(offset + 4));
                int stored = b.getInt(offset + 8);
                byte[] key = Arrays.copyOfRange(b.array(), offset + RECORD_HEADER, offset + RECORD_HEADER + keyLength);
                found.add(new Found(
                        seg,
                        offset,
                        new String(key, StandardCharsets.UTF_8),
                        b.get(offset + 6),
                        b.get(offset + 7),
                        keyLength,
                        stored));
                offset += (RECORD_HEADER + keyLength + stored + 7) & ~7;
            }
        }
        return found;
    }

    /** A compressed record that is its key's latest: the key's value is lost if its block breaks. */
    private Found latestCompressedRecord() throws IOException {
        Map<String, Found> latest = new LinkedHashMap<>();
        for (Found r : records()) {
            latest.put(r.key(), r);
        }
        return latest.values().stream()
                .filter(r -> (r.flags() & FLAG_LZ4) != 0 && model.containsKey(r.key()))
                .findFirst()
                .orElseThrow();
    }

    /** Changes one byte of the record's LZ4 block so that it no longer gives its length, and fixes the record's CRC. */
    private static void breakBlock(Found r) throws IOException {
        byte[] file = Files.readAllBytes(r.file());
        int value = (int) r.offset() + RECORD_HEADER + r.keyLength();
        int declared =
                ByteBuffer.wrap(file, value, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int blockStart = value + 4;
        int blockLength = r.storedLength() - 4;
        boolean broken = false;
        for (int i = blockStart; i < blockStart + blockLength && !broken; i++) {
            file[i] ^= 0x10;
            broken = !decompressesTo(file, blockStart, blockLength, declared);
            if (!broken) {
                file[i] ^= 0x10;
            }
        }
        assertTrue(broken, "no single byte breaks the block of " + r);
        ByteBuffer.wrap(file)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(
                        (int) r.offset(),
                        crc32c(file, (int) r.offset() + 4, RECORD_HEADER - 4 + r.keyLength() + r.storedLength()));
        Files.write(r.file(), file);
    }

    private static boolean decompressesTo(byte[] file, int blockStart, int blockLength, int declared) {
        try {
            return LZ4.decompress(file, blockStart, blockLength, new byte[declared], 0, declared) == declared;
        } catch (LZ4Exception | IndexOutOfBoundsException e) {
            return false;
        }
    }

    private static void setSegmentVersion(Path seg, int version) throws IOException {
        byte[] file = Files.readAllBytes(seg);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(SEGMENT_VERSION_OFFSET, (short) version);
        b.putInt(SEGMENT_CRC_OFFSET, crc32c(file, 0, SEGMENT_CRC_OFFSET));
        Files.write(seg, file);
    }

    private static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static void flip(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x10;
        Files.write(file, bytes);
    }

    /** The records of a binary dump (docs/operations.md): magic, then key length, value length, key, value. */
    private static Map<String, byte[]> binaryDump(byte[] dump) throws IOException {
        Map<String, byte[]> records = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(dump))) {
            assertEquals("SEQSDMP1", new String(in.readNBytes(8), StandardCharsets.US_ASCII));
            for (int keyLength = in.readInt(); keyLength >= 0; keyLength = in.readInt()) {
                int valueLength = in.readInt();
                String key = new String(in.readNBytes(keyLength), StandardCharsets.UTF_8);
                byte[] previous = records.put(key, in.readNBytes(valueLength));
                assertTrue(previous == null, "dumped twice: " + key);
            }
        }
        return records;
    }

    private static void assertStoreHolds(Path dir, Map<String, byte[]> expected) {
        try (Seqs s = Seqs.builder(dir).readOnly(true).open()) {
            Map<String, byte[]> found = new HashMap<>();
            s.forEach((k, v) -> found.put(new String(k, StandardCharsets.UTF_8), v));
            assertEquals(expected.keySet(), found.keySet());
            expected.forEach((k, v) -> assertArrayEquals(v, found.get(k), k));
        }
    }
}
