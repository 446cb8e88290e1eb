package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Argument checks, limits, closed-store behaviour, exclusivity and the builder's rules. */
class ApiContractTest {
    @TempDir
    Path dir;

    @Test
    void badArgumentsThrowAndWriteNothing() {
        try (Seqs s = Seqs.open(dir)) {
            byte[] tooLongKey = new byte[Seqs.MAX_KEY_LENGTH + 1];
            byte[] ok = {1};
            List<Executable> bad = List.of(
                    () -> s.put((byte[]) null, ok),
                    () -> s.put(new byte[0], ok),
                    () -> s.put(tooLongKey, ok),
                    () -> s.put(ok, (byte[]) null),
                    () -> s.put(ok, new byte[Seqs.MAX_VALUE_LENGTH + 1]),
                    () -> s.get((byte[]) null),
                    () -> s.get(new byte[0]),
                    () -> s.get(tooLongKey),
                    () -> s.delete((byte[]) null),
                    () -> s.delete(new byte[0]),
                    () -> s.put((MemorySegment) null, MemorySegment.ofArray(ok)),
                    () -> s.put(MemorySegment.ofArray(ok), (MemorySegment) null),
                    () -> s.put(MemorySegment.ofArray(new byte[0]), MemorySegment.ofArray(ok)),
                    () -> s.get(MemorySegment.ofArray(ok), null),
                    () -> s.put((ByteBuffer) null, ByteBuffer.wrap(ok)),
                    () -> s.write(null),
                    () -> s.putAll(null),
                    () -> new WriteBatch().put(new byte[0], ok),
                    () -> new WriteBatch().delete(null));
            for (int i = 0; i < bad.size(); i++) {
                assertThrows(IllegalArgumentException.class, bad.get(i), "case " + i);
            }
            SeqsStats st = s.stats();
            assertEquals(0, st.puts() + st.deletes());
            assertEquals(0, st.physicalBytes());
        }
    }

    @Test
    void limitsAreReachable() {
        try (Seqs s = Seqs.builder(dir).segmentSize(1 << 20).open()) {
            byte[] bigKey = new byte[Seqs.MAX_KEY_LENGTH];
            java.util.Arrays.fill(bigKey, (byte) 'k');
            byte[] bigValue = new byte[16 << 20];
            new java.util.Random(1).nextBytes(bigValue);
            s.put(bigKey, bigValue);
            s.put(new byte[] {1}, new byte[0]);
            byte[] maxValue = new byte[Seqs.MAX_VALUE_LENGTH];
            maxValue[maxValue.length - 1] = 7;
            s.put(new byte[] {2}, maxValue);
            assertArrayEquals(bigValue, s.get(bigKey));
            assertArrayEquals(new byte[0], s.get(new byte[] {1}));
            assertEquals(Seqs.MAX_VALUE_LENGTH, s.get(new byte[] {2}).length);
        }
        try (Seqs s = Seqs.open(dir)) {
            byte[] bigKey = new byte[Seqs.MAX_KEY_LENGTH];
            java.util.Arrays.fill(bigKey, (byte) 'k');
            assertEquals(16 << 20, s.get(bigKey).length);
            assertEquals(0, s.get(new byte[] {1}).length);
            assertEquals(7, s.get(new byte[] {2})[Seqs.MAX_VALUE_LENGTH - 1]);
        }
    }

    @Test
    void zeroCopyGetReportsLengthWhenTheBufferIsSmall() {
        try (Seqs s = Seqs.open(dir);
                Arena arena = Arena.ofConfined()) {
            s.put(new byte[] {9}, new byte[] {1, 2, 3, 4, 5});
            MemorySegment small = arena.allocate(2);
            assertEquals(5, s.get(MemorySegment.ofArray(new byte[] {9}), small));
            assertEquals(0, small.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            MemorySegment big = arena.allocate(8);
            assertEquals(5, s.get(MemorySegment.ofArray(new byte[] {9}), big));
            assertEquals(5, big.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4));
            assertEquals(-1, s.get(MemorySegment.ofArray(new byte[] {8}), big));
            ByteBuffer dst = ByteBuffer.allocateDirect(16);
            assertEquals(5, s.get(ByteBuffer.wrap(new byte[] {9}), dst));
            assertEquals(0, dst.position());
            assertEquals(3, dst.get(2));
        }
    }

    @Test
    void everyCallOnAClosedStoreThrowsIllegalState() {
        Seqs s = Seqs.open(dir);
        s.put(new byte[] {1}, new byte[] {1});
        s.close();
        assertDoesNotThrow(s::close);
        byte[] k = {1};
        List<Executable> calls = List.of(
                () -> s.put(k, k),
                () -> s.get(k),
                () -> s.delete(k),
                s::resetEpoch,
                s::epoch,
                s::flush,
                s::checkpoint,
                s::stats,
                () -> s.write(new WriteBatch().put(k, k)),
                () -> s.put(MemorySegment.ofArray(k), MemorySegment.ofArray(k)),
                () -> s.get(MemorySegment.ofArray(k), MemorySegment.ofArray(new byte[4])));
        for (int i = 0; i < calls.size(); i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, calls.get(i), "call " + i);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void aSecondOpenFailsAtOnceNamingTheDirectory() throws Exception {
        try (Seqs _ = Seqs.open(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Seqs.open(dir));
            assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());

            // and from another process
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process p = new ProcessBuilder(
                            java,
                            "--sun-misc-unsafe-memory-access=deny",
                            "--illegal-native-access=deny",
                            "-cp",
                            System.getProperty("java.class.path"),
                            OpenProbe.class.getName(),
                            dir.toString())
                    .redirectErrorStream(true)
                    .start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the second process did not give up at once");
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(3, p.exitValue(), out);
            assertTrue(
                    out.contains("already open")
                            && out.contains(dir.toAbsolutePath().toString()),
                    out);
        }
        try (Seqs s = Seqs.open(dir)) {
            assertNull(s.get(new byte[] {1}), "the lock is released on close");
        }
    }

    /** Tries to open a store in another JVM; exit 3 when refused. */
    public static final class OpenProbe {
        public static void main(String[] args) {
            try (Seqs _ = Seqs.open(Path.of(args[0]))) {
                System.exit(0);
            } catch (IllegalStateException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }

    @Test
    void builderChecksEveryOptionAndRefusesReuse() {
        SeqsBuilder b = Seqs.builder(dir);
        assertThrows(IllegalArgumentException.class, () -> b.shards(3));
        assertThrows(IllegalArgumentException.class, () -> b.shards(0));
        assertThrows(IllegalArgumentException.class, () -> b.shards(2048));
        assertThrows(IllegalArgumentException.class, () -> b.segmentSize(1000));
        assertThrows(IllegalArgumentException.class, () -> b.segmentSize(2L << 30));
        assertThrows(IllegalArgumentException.class, () -> b.flushInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.checkpointInterval(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.expectedKeys(-1));
        assertThrows(
                IllegalArgumentException.class,
                () -> b.durability(null)); // one null policy: every null argument is an IllegalArgumentException
        b.shards(4).open().close();
        IllegalStateException e = assertThrows(IllegalStateException.class, b::open);
        assertTrue(e.getMessage().contains("already opened"));
        IllegalArgumentException wrongShards = assertThrows(
                IllegalArgumentException.class,
                () -> Seqs.builder(dir).shards(8).open());
        assertTrue(wrongShards.getMessage().contains("4 shards"), wrongShards.getMessage());
        try (Seqs s = Seqs.open(dir)) {
            assertEquals(4, s.stats().shards().size(), "an existing store keeps its shard count");
        }
    }

    @Test
    void epochSurvivesReopenAndResetDropsEverything() {
        try (Seqs s = Seqs.open(dir)) {
            assertEquals(1, s.epoch());
            for (int i = 0; i < 1000; i++) {
                s.put(("k" + i).getBytes(), new byte[100]);
            }
            s.resetEpoch();
            s.resetEpoch();
            assertEquals(3, s.epoch());
            assertEquals(0, s.stats().keys());
            assertNull(s.get("k1".getBytes()));
        }
        try (Seqs s = Seqs.open(dir)) {
            assertEquals(3, s.epoch());
            assertNull(s.get("k1".getBytes()));
        }
    }

    @Test
    void batchesAndPutAll() {
        try (Seqs s = Seqs.builder(dir).durability(Durability.SYNC).open()) {
            s.put("gone".getBytes(), new byte[] {1});
            s.write(new WriteBatch()
                    .put("a".getBytes(), new byte[] {1})
                    .put("b".getBytes(), new byte[] {2})
                    .delete("gone".getBytes())
                    .put("a".getBytes(), new byte[] {3}));
            s.putAll(java.util.Map.of("c".getBytes(), new byte[] {4}));
            assertArrayEquals(new byte[] {3}, s.get("a".getBytes()));
            assertArrayEquals(new byte[] {2}, s.get("b".getBytes()));
            assertArrayEquals(new byte[] {4}, s.get("c".getBytes()));
            assertNull(s.get("gone".getBytes()));
        }
    }
}
