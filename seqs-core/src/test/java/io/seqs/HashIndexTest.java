package io.seqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        System.out.printf("HashIndexTest: %d entries, %d slots, %.2f bytes/entry after %d rebuilds%n",
                idx.size, idx.capacity, idx.byteSize() / (double) idx.size, rebuilds);
        idx.close();
    }
}
