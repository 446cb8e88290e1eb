package io.seqs.internal.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.TestSeeds;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The table on its own: slot encoding, home slots, and rebuilding from slots alone. */
class HashIndexTest {
    @Test
    void slotsRoundTrip() {
        long position = (1L << 41) + 8 * 12345;
        long hash = 0xDEADBEEFCAFEL;
        long slot = HashIndex.slot(hash, position);
        assertEquals(position, HashIndex.position(slot));
        assertTrue(HashIndex.hashMatches(slot, hash));
        assertTrue(HashIndex.isEntry(slot));
        assertTrue(!HashIndex.isEntry(HashIndex.EMPTY) && !HashIndex.isEntry(HashIndex.TOMBSTONE));
        assertEquals(HashIndex.MAX_POSITION, HashIndex.position(HashIndex.slot(-1L, HashIndex.MAX_POSITION)));
    }

    @Test
    void presizedTablesSitAtTheirTargetLoad() {
        for (long keys : new long[] {1, 1000, 125_000, 1_250_000, 20_000_000}) {
            long cap = HashIndex.capacityFor(keys);
            assertTrue(cap >= HashIndex.MIN_CAPACITY && cap <= HashIndex.MAX_CAPACITY);
            if (keys > HashIndex.MIN_CAPACITY) {
                double bytesPerKey = cap * 8.0 / keys;
                assertTrue(bytesPerKey <= 10.3, keys + " keys: " + bytesPerKey + " bytes/key");
                assertTrue(keys + 1 <= cap * HashIndex.MAX_LOAD, "room for the expected keys without a rebuild");
            }
        }
    }

    /**
     * find, findForPut, insert, replace, remove, locate and pointsAt against a HashMap, with a log of
     * positions standing in for the records and keys whose hashes collide in the stored bits.
     */
    @Test
    void probesAgainstAModel() {
        long seed = TestSeeds.seed("HashIndexTest.probes");
        SplittableRandom rnd = new SplittableRandom(seed);
        java.util.Map<Long, byte[]> log = new java.util.HashMap<>(); // position -> key
        Set<Long> damaged = new HashSet<>();
        HashIndex.RecordKeys keys = new HashIndex.RecordKeys() {
            @Override
            public boolean keyEquals(long position, java.lang.foreign.MemorySegment key) {
                return java.util.Arrays.equals(log.get(position), key.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }

            @Override
            public boolean sound(long position) {
                return !damaged.contains(position);
            }
        };
        java.util.Map<String, Long> model = new java.util.HashMap<>(); // key -> position
        long next = 64;
        try (HashIndex idx = HashIndex.withCapacity(HashIndex.MIN_CAPACITY, null)) {
            for (int op = 0; op < 20_000; op++) {
                String name = "k" + rnd.nextInt(600);
                byte[] key = name.getBytes();
                java.lang.foreign.MemorySegment k = java.lang.foreign.MemorySegment.ofArray(key);
                long hash = name.hashCode() & 31; // few hash values: long probes through other keys' slots
                if (rnd.nextInt(4) == 0) {
                    long slot = idx.find(hash, k, keys);
                    assertEquals(model.containsKey(name), slot >= 0, "seed " + seed + ": find " + name);
                    if (slot >= 0) {
                        assertEquals((long) model.remove(name), HashIndex.position(idx.remove(slot)));
                    }
                } else if (!idx.needsRebuild() || model.containsKey(name)) {
                    long position = next;
                    next += 8 * (1 + rnd.nextInt(20));
                    log.put(position, key);
                    long slot = idx.findForPut(hash, k, keys);
                    if (slot >= 0) {
                        assertEquals(
                                (long) model.get(name),
                                HashIndex.position(idx.replace(slot, HashIndex.slot(hash, position))));
                    } else {
                        assertTrue(!model.containsKey(name), "seed " + seed + ": " + name + " present but not found");
                        idx.insert(slot, HashIndex.slot(hash, position));
                    }
                    model.put(name, position);
                }
                assertEquals(model.size(), idx.size, "seed " + seed);
            }
            for (int i = 0; i < 600; i++) {
                String name = "k" + i;
                long found = idx.locate(
                        name.hashCode() & 31, java.lang.foreign.MemorySegment.ofArray(name.getBytes()), keys, true);
                assertEquals(model.getOrDefault(name, -1L), found, "seed " + seed + ": locate " + name);
            }
            // pointsAt tells every record ever written from the latest ones, without reading a record
            for (var written : log.entrySet()) {
                String name = new String(written.getValue());
                boolean latest = written.getKey().equals(model.get(name));
                assertEquals(
                        latest,
                        idx.pointsAt(name.hashCode() & 31, written.getKey()),
                        "seed " + seed + ": pointsAt " + name + " at " + written.getKey());
            }
            // an absent key whose hash leads to a damaged record is reported, not taken for absence
            String present = model.keySet().iterator().next();
            long position = model.get(present);
            damaged.add(position);
            log.put(position, "changed on disk".getBytes());
            assertEquals(
                    -position - 2,
                    idx.locate(
                            present.hashCode() & 31,
                            java.lang.foreign.MemorySegment.ofArray(present.getBytes()),
                            keys,
                            true));
        }
    }

    @Test
    void rebuildsFromSlotsAloneKeepEveryEntryFindable() {
        long seed = TestSeeds.seed("HashIndexTest.rebuild");
        SplittableRandom rnd = new SplittableRandom(seed);
        HashIndex idx = HashIndex.withCapacity(HashIndex.MIN_CAPACITY, null);
        Set<Long> slots = new HashSet<>();
        int rebuilds = 0;
        for (int i = 0; i < 200_000; i++) {
            if (idx.needsRebuild()) {
                HashIndex next = idx.rebuilt();
                idx.close();
                idx = next;
                rebuilds++;
            }
            long slot = HashIndex.slot(rnd.nextLong(), 64 + 8L * i);
            idx.insertNew(slot);
            slots.add(slot);
        }
        assertTrue(rebuilds > 5, "grew " + rebuilds + " times");
        assertEquals(slots.size(), idx.size);
        assertTrue(idx.size <= idx.capacity * HashIndex.MAX_LOAD);
        for (long slot : slots) {
            long i = idx.bucket(slot >>> HashIndex.POSITION_BITS);
            boolean found = false;
            for (long probes = 0; probes < idx.capacity && idx.getPlain(i) != HashIndex.EMPTY; probes++) {
                if (idx.getPlain(i) == slot) {
                    found = true;
                    break;
                }
                i = idx.next(i);
            }
            assertTrue(found, "seed " + seed + ": slot " + Long.toHexString(slot) + " lost in a rebuild");
        }
        System.out.printf(
                "HashIndexTest: %d entries, %d slots, %.2f bytes/entry after %d rebuilds%n",
                idx.size, idx.capacity, idx.byteSize() / (double) idx.size, rebuilds);
        idx.close();
    }
}
