package io.seqs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.Seqs;
import io.seqs.cli.format.LogRecord;
import io.seqs.cli.format.SegmentHeader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command on a healthy and a damaged store, run in this JVM; read-only commands change no byte. */
final class CliTest {
    private static final long SEED = Long.getLong("seqs.test.seed", System.nanoTime());

    @TempDir
    Path tmp;

    private Path store;
    private final Map<String, byte[]> model = new HashMap<>();

    /** The outcome of one command. */
    record Run(int code, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    static Run run(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new ByteArrayInputStream(stdin), out, err);
        return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(String... args) {
        return run(new byte[0], args);
    }

    @BeforeEach
    void write() {
        System.out.println("CliTest seed " + SEED + " (-Dseqs.test.seed=" + SEED + " replays it)");
        Random random = new Random(SEED);
        store = tmp.resolve("store");
        try (Seqs s = Seqs.builder(store).shards(4).segmentSize(64 << 10).open()) {
            for (int i = 0; i < 6000; i++) {
                String key = "key-" + random.nextInt(3000);
                if (random.nextInt(10) == 0) {
                    s.delete(key.getBytes(StandardCharsets.UTF_8));
                    model.remove(key);
                } else {
                    byte[] value = new byte[random.nextInt(400)];
                    random.nextBytes(value);
                    s.put(key.getBytes(StandardCharsets.UTF_8), value);
                    model.put(key, value);
                }
            }
        }
    }

    static Map<Path, String> fingerprint(Path dir) throws IOException {
        Map<Path, String> prints = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    try {
                        prints.put(
                                dir.relativize(p),
                                HexFormat.of()
                                        .formatHex(MessageDigest.getInstance("SHA-256")
                                                .digest(Files.readAllBytes(p))));
                    } catch (java.security.NoSuchAlgorithmException e) {
                        throw new IllegalStateException(e);
                    }
                } else {
                    prints.put(dir.relativize(p), "dir");
                }
            }
        }
        return prints;
    }

    @Test
    void readOnlyCommandsOnAHealthyStoreChangeNoByte() throws IOException {
        Map<Path, String> before = fingerprint(store);
        Run info = run("info", store.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(
                info.text().contains("keys:") && info.text().contains("keys:                     " + model.size()),
                info.text());
        Run verify = run("verify", "--json", store.toString());
        assertEquals(0, verify.code(), verify.text());
        assertTrue(verify.text().contains("\"sound\":true"), verify.text());
        Run stats = run("stats", "--json", store.toString());
        assertEquals(0, stats.code(), stats.err());
        assertTrue(stats.text().contains("\"keys\":" + model.size()), stats.text());
        assertTrue(stats.text().contains("\"value_sizes\""), stats.text());
        String someKey = model.keySet().iterator().next();
        Run get = run("get", store.toString(), someKey);
        assertEquals(0, get.code(), get.err());
        assertArrayEquals(model.get(someKey), get.out());
        Run hex = run(
                "get",
                "-k",
                "hex",
                store.toString(),
                HexFormat.of().formatHex(someKey.getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(model.get(someKey), hex.out());
        assertEquals(1, run("get", store.toString(), "absent-key").code());
        assertEquals(0, run("dump", store.toString()).code());
        assertEquals(0, run("dump", "-f", "binary", store.toString()).code());
        assertEquals(before, fingerprint(store));
    }

    @Test
    void dumpPipedIntoLoadRoundTripsInBothFormats() {
        for (String format : new String[] {"binary", "jsonl"}) {
            Run dump = run("dump", "-q", "-f", format, store.toString());
            assertEquals(0, dump.code(), dump.err());
            Path copy = tmp.resolve("copy-" + format);
            Run load = run(dump.out(), "load", "-q", copy.toString());
            assertEquals(0, load.code(), load.err());
            assertStoreHolds(copy, model);
        }
    }

    @Test
    void aCutBinaryDumpIsRefused() {
        byte[] dump = run("dump", "-q", "-f", "binary", store.toString()).out();
        byte[] cut = java.util.Arrays.copyOf(dump, dump.length - 10);
        Run load = run(cut, "load", "-q", tmp.resolve("cut").toString());
        assertEquals(ExitCode.FAILED, load.code());
        assertTrue(load.err().contains("it was cut") || load.err().contains("end marker"), load.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(ExitCode.USAGE, run().code());
        assertEquals(ExitCode.USAGE, run("frobnicate").code());
        assertEquals(ExitCode.USAGE, run("verify").code());
        assertEquals(
                ExitCode.USAGE, run("get", "-k", "hex", store.toString(), "zz").code());
        assertEquals(ExitCode.OK, run("verify", "--help").code());
        assertEquals(
                ExitCode.FAILED, run("info", tmp.resolve("nothing").toString()).code());
        assertTrue(run("generate-completion").text().contains("complete"));
    }

    @Test
    void bitFlipIsNamedAndSalvageSavesWhatOpenDrops() throws IOException {
        Path seg = firstSegmentWithSuccessor();
        flip(seg, 200);
        Map<Path, String> before = fingerprint(store);
        Run verify = run("verify", store.toString());
        assertEquals(ExitCode.NEGATIVE, verify.code(), verify.text());
        assertTrue(verify.text().contains("DAMAGE " + seg), verify.text());
        assertTrue(verify.text().contains("open keeps log positions below"), verify.text());
        assertEquals(0, run("info", store.toString()).code());
        assertEquals(0, run("stats", store.toString()).code());
        assertEquals(before, fingerprint(store));

        Path out = tmp.resolve("salvaged");
        Run salvage = run("salvage", "--json", store.toString(), out.toString());
        assertEquals(ExitCode.NEGATIVE, salvage.code(), salvage.text());
        assertEquals(before, fingerprint(store));
        assertSalvageIsHonest(out, salvage.text());
    }

    @Test
    void cutFileDeletedCheckpointAndDamagedManifestAreNamed() throws IOException {
        Path seg = firstSegmentWithSuccessor();
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(1000);
        }
        try (Stream<Path> s = Files.walk(store.resolve("checkpoints"))) {
            Path ckpt =
                    s.filter(p -> p.toString().endsWith(".ckpt")).findFirst().orElseThrow();
            Files.delete(ckpt);
        }
        flip(store.resolve("MANIFEST"), 20);
        Map<Path, String> before = fingerprint(store);
        Run verify = run("verify", store.toString());
        assertEquals(ExitCode.NEGATIVE, verify.code(), verify.text());
        assertTrue(verify.text().contains("manifest CRC32C"), verify.text());
        assertTrue(verify.text().contains("cut on disk"), verify.text());
        Path out = tmp.resolve("salvaged");
        Run salvage = run("salvage", "--json", store.toString(), out.toString());
        assertEquals(before, fingerprint(store));
        assertSalvageIsHonest(out, salvage.text());
    }

    /**
     * A key written at the start of a segment and again further into it, in what a cut of the
     * file took, is in doubt: salvage names it and does not save the older value as if it were the
     * latest.
     */
    @Test
    void aKeyRewrittenInWhatACutTookIsInDoubtNotSavedOlder() throws IOException {
        Path dir = tmp.resolve("rewritten");
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] filler = new byte[1000];
        try (Seqs s = Seqs.builder(dir).shards(1).segmentSize(64 << 10).open()) {
            s.put(key, "older".getBytes(StandardCharsets.UTF_8)); // the first record of the first segment
            for (int i = 0; i < 200; i++) {
                s.put(("f" + i).getBytes(StandardCharsets.UTF_8), filler); // on into further segments
                if (i == 30) {
                    s.put(key, "newest".getBytes(StandardCharsets.UTF_8)); // still in the first segment
                }
            }
        }
        Path first;
        try (Stream<Path> files = Files.list(dir.resolve("epoch-0000000001").resolve("shard-0000"))) {
            first = files.sorted().findFirst().orElseThrow();
        }
        // keeps the older record and half the header of the next: the cut leaves no record to
        // find unsound there, and what it took held the newest
        long olderEnd = SegmentHeader.LENGTH
                + new LogRecord(SegmentHeader.LENGTH, key.length, LogRecord.PUT, 0, "older".length(), 0).length();
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.setLength(olderEnd + LogRecord.HEADER / 2);
        }
        Path out = tmp.resolve("rewritten-salvaged");
        Run salvage = run("salvage", "--json", dir.toString(), out.toString());
        assertEquals(ExitCode.NEGATIVE, salvage.code(), salvage.text());
        assertTrue(salvage.text().contains(Json.string(Json.string("k"))), "k named in doubt: " + salvage.text());
        try (Seqs s = Seqs.builder(out).readOnly(true).open()) {
            assertNull(s.get(key), "k saved with a value older than its latest");
        }
    }

    @Test
    void salvageOfAHealthyStoreKeepsEverything() {
        Path out = tmp.resolve("salvaged");
        Run salvage = run("salvage", "-q", store.toString(), out.toString());
        assertEquals(0, salvage.code(), salvage.text() + salvage.err());
        assertStoreHolds(out, model);
        assertEquals(
                ExitCode.USAGE,
                run("salvage", "-q", store.toString(), out.toString()).code());
    }

    /** Every key salvage saved holds the model's value; every key of the model it lacks is named as in doubt. */
    private void assertSalvageIsHonest(Path out, String json) {
        try (Seqs s = Seqs.builder(out).readOnly(true).open()) {
            Map<String, byte[]> found = new HashMap<>();
            s.forEach((k, v) -> found.put(new String(k, StandardCharsets.UTF_8), v));
            for (var e : found.entrySet()) {
                assertArrayEquals(model.get(e.getKey()), e.getValue(), "salvaged " + e.getKey());
            }
            for (String key : model.keySet()) {
                if (!found.containsKey(key)) {
                    assertTrue(
                            json.contains(Json.string(Json.string(key))) || json.contains("\"unreadable\":[{"),
                            "lost " + key + " without a word: " + json);
                }
            }
        }
    }

    private void assertStoreHolds(Path dir, Map<String, byte[]> expected) {
        try (Seqs s = Seqs.builder(dir).readOnly(true).open()) {
            Map<String, byte[]> found = new HashMap<>();
            s.forEach((k, v) -> found.put(new String(k, StandardCharsets.UTF_8), v));
            assertEquals(expected.keySet(), found.keySet());
            expected.forEach((k, v) -> assertArrayEquals(v, found.get(k), k));
        }
    }

    private Path firstSegmentWithSuccessor() throws IOException {
        Path shard = store.resolve("epoch-0000000001").resolve("shard-0000");
        try (Stream<Path> s = Files.list(shard)) {
            return s.sorted().findFirst().orElseThrow();
        }
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x10);
        }
    }
}
