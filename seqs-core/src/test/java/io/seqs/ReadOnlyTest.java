package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only open changes no byte on disk, reports damage instead of repairing it, shares its lock, and refuses
 * writes.
 */
class ReadOnlyTest {
    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return ("key-" + i).getBytes();
    }

    private static byte[] value(int i) {
        byte[] v = new byte[80 + i % 70];
        java.util.Arrays.fill(v, (byte) i);
        return v;
    }

    /** Every file under {@code root}: its SHA-256, size and modification time, by path. */
    private static Map<String, String> fingerprint(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = root.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    out.put(name + "/", "dir " + Files.getLastModifiedTime(p));
                } else {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    out.put(
                            name,
                            HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))) + " " + Files.size(p) + " "
                                    + Files.getLastModifiedTime(p));
                }
            }
        }
        return out;
    }

    @Test
    void aDamagedStoreIsReportedAndLeftByteForByteAsItWas() throws Exception {
        Path store = dir.resolve("store");
        try (Seqs s = Seqs.builder(store)
                .shards(1)
                .segmentSize(64 << 10)
                .checkpointInterval(Duration.ZERO)
                .open()) {
            for (int i = 0; i < 3_000; i++) {
                s.put(key(i), value(i));
            }
            s.checkpoint();
            for (int i = 3_000; i < 3_300; i++) {
                s.put(key(i), value(i)); // after the checkpoint: replayed at open
            }
        }
        for (Path p : StoreFiles.checkpoints(store)) {
            Files.delete(p); // as after a crash: the log is replayed
        }
        List<Path> segments = StoreFiles.segments(store);
        Path middle = segments.get(segments.size() / 2);
        try (RandomAccessFile f = new RandomAccessFile(middle.toFile(), "rw")) {
            f.setLength(f.length() / 2); // damage in the middle of the log
        }
        Map<String, String> before = fingerprint(store);

        try (Seqs s = Seqs.builder(store).readOnly(true).open()) {
            SeqsStats st = s.stats();
            assertTrue(st.recoveryDroppedRecords() > 0, "the damage is reported: " + st);
            assertArrayEquals(value(0), s.get(key(0)), "what lies before the damage is readable");
            assertNull(s.get(key(3_299)), "what lies after it is not served");
            assertThrows(IllegalStateException.class, () -> s.put(key(1), value(1)));
            assertThrows(IllegalStateException.class, () -> s.delete(key(1)));
            assertThrows(IllegalStateException.class, s::resetEpoch);
            assertThrows(IllegalStateException.class, s::checkpoint);
            assertThrows(IllegalStateException.class, () -> s.write(new WriteBatch().put(key(1), value(1))));
            s.flush(); // nothing to force
            long[] visited = {0};
            s.forEach((k, v) -> visited[0]++);
            assertEquals(st.keys(), visited[0]);
        }
        assertEquals(before, fingerprint(store), "a read-only open changed the store's files");

        try (Seqs s = Seqs.builder(store).shards(1).open()) { // a read-write open repairs what read-only reported
            assertTrue(s.stats().recoveryDroppedRecords() > 0);
        }
        assertFalse(before.equals(fingerprint(store)), "the read-write open did repair");
    }

    @Test
    void aReadOnlyOpenCreatesNothingAndNeedsAStore() throws Exception {
        Path absent = dir.resolve("absent");
        assertThrows(
                SeqsException.class, () -> Seqs.builder(absent).readOnly(true).open());
        assertFalse(Files.exists(absent));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(
                SeqsException.class, () -> Seqs.builder(empty).readOnly(true).open());
        try (Stream<Path> s = Files.list(empty)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void readersShareTheLockAndAWriterIsRefusedWhileTheyHoldIt() throws Exception {
        Path store = dir.resolve("shared");
        try (Seqs s = Seqs.open(store)) {
            s.put(key(1), value(1));
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(
                        java,
                        "--sun-misc-unsafe-memory-access=deny",
                        "--illegal-native-access=deny",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Reader.class.getName(),
                        store.toString())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line = out.readLine();
            assertEquals("ready", line, "the child opened the store read-only");
            try (Seqs s = Seqs.builder(store).readOnly(true).open()) { // a second reader, in this process
                assertArrayEquals(value(1), s.get(key(1)));
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Seqs.open(store));
            assertTrue(e.getMessage().contains(store.toString()), e.getMessage());
        } finally {
            child.getOutputStream().close(); // the child closes its store and exits
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(0, child.exitValue());
        try (Seqs s = Seqs.open(store)) { // the readers are gone: a writer gets in
            s.put(key(2), value(2));
        }
    }

    /** Opens a store read-only, says "ready", and keeps it open until its standard input closes. */
    public static final class Reader {
        public static void main(String[] args) throws IOException {
            try (Seqs _ = Seqs.builder(Path.of(args[0])).readOnly(true).open()) {
                System.out.println("ready");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent
                }
            }
        }
    }
}
