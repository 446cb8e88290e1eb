package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random operations against a {@link HashMap} model: every get, through every API form, must
 * agree with the model, across segment rolls, index rebuilds, checkpoints, resets and reopens.
 */
class ModelTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "shards={0} ops={1} durability={2}")
    @CsvSource({"1, 100000, PROCESS", "2, 200000, PERIODIC", "8, 40000, SYNC"})
    void agreesWithHashMap(int shards, int ops, Durability durability) {
        agreesWithHashMap(shards, ops, durability, Compression.LZ4);
    }

    @ParameterizedTest(name = "shards={0} ops={1} durability={2} uncompressed")
    @CsvSource({"2, 60000, PERIODIC"})
    void agreesWithHashMapUncompressed(int shards, int ops, Durability durability) {
        agreesWithHashMap(shards, ops, durability, Compression.NONE);
    }

    private void agreesWithHashMap(int shards, int ops, Durability durability, Compression compression) {
        long seed = TestSeeds.seed(
                "ModelTest shards=" + shards + " durability=" + durability + " compression=" + compression);
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<Key, byte[]> model = new HashMap<>();
        int keySpace = 1 + rnd.nextInt(3000, 12000);
        long expectedEpoch = 1;
        Seqs store = open(shards, durability, compression);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(200 << 10);
            for (int op = 0; op < ops; op++) {
                String where = "seed " + seed + ", op " + op;
                int dice = rnd.nextInt(1000);
                byte[] key = key(rnd.nextInt(keySpace));
                if (dice < 450) {
                    byte[] value = value(rnd);
                    switch (rnd.nextInt(3)) {
                        case 0 -> store.put(key, value);
                        case 1 -> store.put(offHeap(arena, key), offHeap(arena, value));
                        default ->
                            store.put(
                                    ByteBuffer.wrap(key),
                                    ByteBuffer.allocateDirect(value.length)
                                            .put(value)
                                            .flip());
                    }
                    model.put(new Key(key), value);
                } else if (dice < 860) {
                    byte[] expected = model.get(new Key(key));
                    switch (rnd.nextInt(2)) {
                        case 0 -> assertArrayEquals(expected, store.get(key), where);
                        default -> {
                            long n = store.get(offHeap(arena, key), dst);
                            if (expected == null) {
                                assertEquals(-1, n, where);
                            } else {
                                assertEquals(expected.length, n, where);
                                assertArrayEquals(expected, dst.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), where);
                            }
                        }
                    }
                } else if (dice < 975) {
                    boolean had = model.remove(new Key(key)) != null;
                    boolean removed = rnd.nextBoolean() ? store.delete(key) : store.delete(offHeap(arena, key));
                    assertEquals(had, removed, where);
                } else if (dice < 985) {
                    store.flush();
                } else if (dice < 990) {
                    store.checkpoint();
                } else if (dice < 991) {
                    store.close();
                    store = open(shards, durability, compression);
                    assertEquals(expectedEpoch, store.epoch(), where);
                    assertEquals(model.size(), store.stats().keys(), where);
                } else if (dice < 992 && rnd.nextInt(2) == 0) {
                    store.reclaim(); // besides the background's, at a point the seed fixes
                } else if (dice < 992 && rnd.nextInt(4) == 0) {
                    store.resetEpoch();
                    expectedEpoch++;
                    model.clear();
                    assertEquals(expectedEpoch, store.epoch(), where);
                } else {
                    WriteBatch batch = new WriteBatch();
                    for (int i = rnd.nextInt(1, 20); i > 0; i--) {
                        byte[] k = key(rnd.nextInt(keySpace));
                        if (rnd.nextInt(4) == 0) {
                            batch.delete(k);
                            model.remove(new Key(k));
                        } else {
                            byte[] v = value(rnd);
                            batch.put(k, v);
                            model.put(new Key(k), v);
                        }
                    }
                    store.write(batch);
                }
            }
            // Everything, once more, after a final reopen.
            store.close();
            store = open(shards, durability, compression);
            for (int k = 0; k < keySpace; k++) {
                byte[] key = key(k);
                assertArrayEquals(
                        model.get(new Key(key)), store.get(key), "seed " + seed + ", final check of key " + k);
            }
            SeqsStats stats = store.stats();
            assertEquals(model.size(), stats.keys(), "seed " + seed);
            System.out.println(stats);
        } finally {
            store.close();
        }
    }

    private Seqs open(int shards, Durability durability, Compression compression) {
        return Seqs.builder(dir)
                .compression(compression)
                .shards(shards)
                .segmentSize(64 << 10)
                .durability(durability)
                .flushInterval(Duration.ofMillis(5))
                .checkpointInterval(Duration.ofMillis(50))
                .open();
    }

    static byte[] key(int k) {
        return ("market-" + (k % 7) + ":sku-" + k).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Mostly small values, some empty, a few larger than a 64 KiB segment; half of them
     * compressible (a few distinct bytes in runs), so that records of both kinds mix.
     */
    static byte[] value(SplittableRandom rnd) {
        int size = switch (rnd.nextInt(100)) {
            case 0 -> rnd.nextInt(64 << 10, 150 << 10);
            case 1, 2 -> 0;
            default -> rnd.nextInt(1, 2000);
        };
        byte[] v = new byte[size];
        if (rnd.nextBoolean()) {
            rnd.nextBytes(v);
        } else {
            for (int i = 0; i < size; ) {
                byte b = (byte) ('a' + rnd.nextInt(4));
                for (int run = rnd.nextInt(1, 12); run > 0 && i < size; run--) {
                    v[i++] = b;
                }
            }
        }
        return v;
    }

    static MemorySegment offHeap(Arena arena, byte[] bytes) {
        MemorySegment seg = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return seg.asSlice(0, bytes.length);
    }

    record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
