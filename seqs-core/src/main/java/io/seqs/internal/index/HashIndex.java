package io.seqs.internal.index;

import io.seqs.CapacityExceededException;
import io.seqs.internal.fs.FileUtil;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.function.LongPredicate;

/**
 * One shard's open-addressing hash table, off-heap: {@code capacity} 8-byte slots with linear
 * probing. A slot holds the low {@link #HASH_BITS} bits of the key's XXH3 hash and the log
 * position of the key's latest record divided by 8:
 *
 * <pre>
 *  63            39 38                                    0
 *  +---------------+---------------------------------------+
 *  | hash (25 bit) |  log position / 8 (39 bit)            |
 *  +---------------+---------------------------------------+
 * </pre>
 *
 * <p>{@link #EMPTY} (0) ends a probe; {@link #TOMBSTONE} (1) marks a deleted entry and does not.
 * No record lives at log positions 0 or 8 (segment headers are there), so neither value is a
 * real entry. A key's home slot is {@code (hash25 * capacity) >>> 25} (a multiply-shift range
 * reduction), so the capacity need not be a power of two: a table pre-sized for an expected
 * number of keys sits at its target load, and a table grows by half rather than doubling. The home
 * slot is a function of the stored hash bits alone, so a table can be rebuilt at any size from
 * its own slots without reading a single key from the log, up to {@link #MAX_CAPACITY} slots.
 *
 * <p>Concurrency: one writer (the shard's lock holder) and any number of readers. Every slot
 * changes by a single 64-bit release store, so a reader sees an entry either before or after an
 * update, never torn; a reader that acquires a slot also sees the record it points to.
 */
public final class HashIndex implements AutoCloseable {
    static final int HASH_BITS = 25;
    static final int POSITION_BITS = 64 - HASH_BITS;
    static final long POSITION_MASK = (1L << POSITION_BITS) - 1;
    static final long HASH_MASK = (1L << HASH_BITS) - 1;
    /** Largest log position a slot can address: 4 TiB per shard and epoch. */
    public static final long MAX_POSITION = (POSITION_MASK << 3);

    static final long MIN_CAPACITY = 1024;
    public static final long MAX_CAPACITY = 1L << HASH_BITS;
    static final long EMPTY = 0L;
    static final long TOMBSTONE = 1L;
    static final int SLOT_BYTES = 8;
    /** Load above which the table is rebuilt (counting tombstones): 10 bytes per key when reached. */
    static final double MAX_LOAD = 0.8;
    /** A growing table is rebuilt this much larger. */
    public static final double GROWTH = 1.5;
    /** Pre-sized tables leave this much room beyond the expected keys. */
    static final double PRESIZE_SLACK = 1.02;
    /** At {@link #MAX_CAPACITY} the table may fill up to here before puts are refused. */
    public static final double MAX_LOAD_AT_MAX_CAPACITY = 0.95;

    /** Slots are little-endian on every platform, so a checkpoint is the table's bytes as they are. */
    private static final ValueLayout.OfLong SLOT_LAYOUT =
            ValueLayout.JAVA_LONG.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private static final VarHandle SLOT = SLOT_LAYOUT.varHandle();

    private final Arena arena;
    public final MemorySegment slots;
    public final long capacity;
    /** Live entries. Written by the writer only. */
    public long size;
    /** Tombstones. Written by the writer only. */
    public long tombstones;

    private HashIndex(long capacity, Path scratchDir) {
        this(capacity, Arena.ofShared(), scratchDir);
    }

    private HashIndex(long capacity, Arena arena, Path scratchDir) {
        assert capacity >= MIN_CAPACITY && capacity <= MAX_CAPACITY : capacity;
        this.arena = arena;
        this.slots = FileUtil.allocateZeroed(arena, capacity * SLOT_BYTES, scratchDir);
        this.capacity = capacity;
    }

    /**
     * A small table in memory the garbage collector frees ({@link Arena#ofAuto()}), for
     * concurrency tests that make millions of them; {@link #close()} must not be called on it.
     */
    static HashIndex collectable() {
        return new HashIndex(MIN_CAPACITY, Arena.ofAuto(), null);
    }

    /**
     * An empty table of {@code capacity} slots; lazily zeroed when {@code scratchDir} is given
     * (see {@link FileUtil#allocateZeroed}), zeroed up front otherwise.
     */
    static HashIndex withCapacity(long capacity, Path scratchDir) {
        return new HashIndex(capacity, scratchDir);
    }

    /**
     * An empty table big enough to hold {@code keys} entries below the maximum load, whose
     * memory costs nothing until keys arrive (see {@link FileUtil#allocateZeroed}).
     *
     * @param scratchDir the store's directory, for the sparse file that backs a large table
     *     when native access is not enabled
     */
    public static HashIndex forKeys(long keys, Path scratchDir) {
        return new HashIndex(capacityFor(keys), scratchDir);
    }

    public static long capacityFor(long keys) {
        long wanted = (long) Math.ceil(keys * PRESIZE_SLACK / MAX_LOAD) + 1;
        return Math.max(MIN_CAPACITY, Math.min(MAX_CAPACITY, wanted));
    }

    public static long slot(long hash, long position) {
        assert (position & 7) == 0 && position >= 16 && position <= MAX_POSITION : position;
        return ((hash & HASH_MASK) << POSITION_BITS) | (position >>> 3);
    }

    public static long position(long slot) {
        return (slot & POSITION_MASK) << 3;
    }

    static boolean hashMatches(long slot, long hash) {
        return (slot >>> POSITION_BITS) == (hash & HASH_MASK);
    }

    public static boolean isEntry(long slot) {
        return slot != EMPTY && slot != TOMBSTONE;
    }

    /** The home slot of a hash: its low 25 bits scaled to the capacity. */
    long bucket(long hash) {
        return ((hash & HASH_MASK) * capacity) >>> HASH_BITS;
    }

    /** The value of the home slot of {@code hash}, read without ordering: for warming the cache before a probe. */
    public long homeSlot(long hash) {
        return getPlain(bucket(hash));
    }

    long next(long index) {
        long n = index + 1;
        return n == capacity ? 0 : n;
    }

    /** Reader's view of a slot: an acquire load. */
    long getAcquire(long index) {
        return (long) SLOT.getAcquire(slots, index * SLOT_BYTES);
    }

    /** Writer's view of a slot: the writer is the only one to store, so a plain load suffices. */
    public long getPlain(long index) {
        return slots.getAtIndex(SLOT_LAYOUT, index);
    }

    /**
     * Copies {@code count} slots starting at {@code from} into {@code dst} in one bulk read. Loops
     * over whole tables (checkpoint validation at open, rebuilds) read through this rather than
     * slot by slot: at open that code has not been compiled yet, and an interpreted memory-segment
     * access per slot costs hundreds of nanoseconds, a plain array element a few.
     */
    public void copySlots(long from, long[] dst, int count) {
        assert from >= 0 && count >= 0 && from + count <= capacity && count <= dst.length
                : from + "+" + count + " of " + capacity;
        MemorySegment.copy(slots, SLOT_LAYOUT, from * SLOT_BYTES, dst, 0, count);
    }

    /**
     * Writes {@code count} slots of {@code src} from {@code srcIndex} to slot {@code from} on, in a table not yet
     * shared.
     */
    void putSlots(long from, long[] src, int srcIndex, int count) {
        assert from >= 0 && count >= 0 && from + count <= capacity && srcIndex + count <= src.length
                : from + "+" + count + " of " + capacity;
        MemorySegment.copy(src, srcIndex, slots, SLOT_LAYOUT, from * SLOT_BYTES, count);
    }

    /** Slots read per {@link #copySlots} call by whole-table loops: 32 KiB, cache-sized. */
    public static final int SCAN_CHUNK = 4096;

    /** Publishes a slot: a release store, so that the record it points to is visible first. */
    public void setRelease(long index, long value) {
        SLOT.setRelease(slots, index * SLOT_BYTES, value);
    }

    // ---- probes ---------------------------------------------------------------------------

    /** The log's side of a probe: whether the record at a log position holds a key, and whether it is sound. */
    public interface RecordKeys {
        boolean keyEquals(long position, MemorySegment key);

        boolean sound(long position);
    }

    /**
     * Writer's probe: whether the entry of the key whose hash is {@code hash} points at the record
     * at {@code position}, that is, whether that record is its key's latest. Reads no record: an
     * entry equal to {@code slot(hash, position)} can only be the entry of the key stored there,
     * so a scan of the log can tell live records from dead ones without a random read of the
     * latest record of each dead one.
     */
    public boolean pointsAt(long hash, long position) {
        long wanted = slot(hash, position);
        long i = bucket(hash);
        for (long probes = 0; probes < capacity; probes++) {
            long s = getPlain(i);
            if (s == EMPTY) {
                return false;
            }
            if (s == wanted) {
                return true;
            }
            i = next(i);
        }
        return false;
    }

    /** Writer's probe (plain loads; the writer is the only one to store): the slot holding the key, or -1. */
    public long find(long hash, MemorySegment key, RecordKeys log) {
        return probe(hash, key, log, false);
    }

    /**
     * Writer's probe for a delete: the slot holding the key; or, when no intact record of the key
     * is found, the first slot whose hash bits match and whose record fails its checks (it may be
     * this key's record damaged on disk, and a get would report it rather than the delete); or -1.
     */
    public long findForDelete(long hash, MemorySegment key, RecordKeys log) {
        return probe(hash, key, log, true);
    }

    /** The writer's probes: the key's slot, else (with {@code damagedCounts}) the first damaged hash match, else -1. */
    private long probe(long hash, MemorySegment key, RecordKeys log, boolean damagedCounts) {
        long i = bucket(hash);
        long damaged = -1;
        for (long probes = 0; probes < capacity; probes++) {
            long s = getPlain(i);
            if (s == EMPTY) {
                break;
            }
            if (s != TOMBSTONE && hashMatches(s, hash)) {
                if (log.keyEquals(position(s), key)) {
                    return i;
                }
                if (damagedCounts && damaged < 0 && !log.sound(position(s))) {
                    damaged = i;
                }
            }
            i = next(i);
        }
        return damaged;
    }

    /**
     * Writer's probe for a put: the slot holding the key, or when the key is absent
     * {@code -(slot to fill) - 1}, the slot being the first tombstone on the way or the empty
     * slot that ended the probe. The table must have room ({@link #needsRebuild()} false).
     */
    public long findForPut(long hash, MemorySegment key, RecordKeys log) {
        long i = bucket(hash);
        long firstTombstone = -1;
        for (long probes = 0; probes < capacity; probes++) {
            long s = getPlain(i);
            if (s == EMPTY) {
                return -(firstTombstone >= 0 ? firstTombstone : i) - 1;
            }
            if (s == TOMBSTONE) {
                if (firstTombstone < 0) {
                    firstTombstone = i;
                }
            } else if (hashMatches(s, hash) && log.keyEquals(position(s), key)) {
                return i;
            }
            i = next(i);
        }
        assert firstTombstone >= 0 : "probe went round a full table";
        return -firstTombstone - 1;
    }

    /** Publishes a new entry for a key a slot holds (a release store); returns the slot's old value. */
    public long replace(long slotIndex, long slotValue) {
        long old = getPlain(slotIndex);
        assert isEntry(old) && isEntry(slotValue) : old + " -> " + slotValue;
        setRelease(slotIndex, slotValue);
        return old;
    }

    /** Publishes an entry in the free slot {@link #findForPut} returned as {@code -(slot) - 1}. */
    public void insert(long freeSlot, long slotValue) {
        long i = -freeSlot - 1;
        long old = getPlain(i);
        assert !isEntry(old) && isEntry(slotValue) : old + " -> " + slotValue;
        if (old == TOMBSTONE) {
            tombstones--;
        }
        setRelease(i, slotValue);
        size++;
    }

    /** Replaces the entry of a slot with a tombstone; returns the old entry. */
    public long remove(long slotIndex) {
        long old = getPlain(slotIndex);
        assert isEntry(old) : old;
        setRelease(slotIndex, TOMBSTONE);
        size--;
        tombstones++;
        return old;
    }

    /**
     * Reader's probe (acquire loads, any number of readers beside the writer): the log position
     * of the key's latest record, or -1 when absent. With {@code checkDamage}, an absent key whose
     * hash bits lead to a record that fails its checks returns {@code -(that position) - 2}: it
     * may be this key's record with a damaged key, and "absent" would be a silent loss.
     */
    public long locate(long hash, MemorySegment key, RecordKeys log, boolean checkDamage) {
        long i = bucket(hash);
        long damaged = -1;
        for (long probes = 0; probes < capacity; probes++) {
            long s = getAcquire(i);
            if (s == EMPTY) {
                break;
            }
            if (s != TOMBSTONE && hashMatches(s, hash)) {
                long position = position(s);
                if (log.keyEquals(position, key)) {
                    return position;
                }
                if (damaged < 0 && checkDamage && !log.sound(position)) {
                    damaged = position;
                }
            }
            i = next(i);
        }
        return damaged >= 0 ? -damaged - 2 : -1;
    }

    /** True when one more entry would push the table past its load limit. */
    public boolean needsRebuild() {
        double limit = capacity == MAX_CAPACITY ? MAX_LOAD_AT_MAX_CAPACITY : MAX_LOAD;
        return size + tombstones + 1 > (long) (capacity * limit);
    }

    /**
     * A new table holding this one's entries without tombstones: {@link #GROWTH} times bigger
     * when the live entries alone fill more than two thirds of the load limit, else the same size.
     *
     * @throws CapacityExceededException when the table is at its maximum size and full
     */
    public HashIndex rebuilt() {
        long newCapacity = capacity;
        if (size + 1 > (long) (capacity * MAX_LOAD * 2 / 3)) {
            newCapacity = Math.min(MAX_CAPACITY, (long) Math.ceil(capacity * GROWTH));
        }
        if (newCapacity == capacity
                && size + 1 > (long) (capacity * (capacity == MAX_CAPACITY ? MAX_LOAD_AT_MAX_CAPACITY : MAX_LOAD))) {
            throw new CapacityExceededException("a shard's index holds " + size + " keys in " + capacity
                    + " slots and cannot grow further; reset the epoch or create the store with more shards");
        }
        return copyInto(newCapacity);
    }

    /**
     * A new table holding this one's entries, sized for {@code keys} (at least for the entries it
     * holds and one more): a table grown ahead of a known load instead of step by step, or cut
     * down to what it holds.
     */
    public HashIndex rebuiltFor(long keys) {
        return copyInto(capacityFor(Math.max(keys, size + 1)));
    }

    private HashIndex copyInto(long newCapacity) {
        HashIndex next = new HashIndex(newCapacity, null);
        forEachEntry(slot -> {
            next.insertNew(slot);
            return true;
        });
        assert next.size == size : next.size + " != " + size;
        return next;
    }

    /**
     * Hands every entry's slot value (hash bits and log position) to {@code visitor}, in slot
     * order, reading the table {@link #SCAN_CHUNK} slots at a time; stops early when the visitor
     * returns false. Only for a table no writer changes meanwhile.
     *
     * @return true when every entry was visited
     */
    public boolean forEachEntry(LongPredicate visitor) {
        long[] chunk = new long[SCAN_CHUNK];
        for (long base = 0; base < capacity; base += SCAN_CHUNK) {
            int count = (int) Math.min(SCAN_CHUNK, capacity - base);
            copySlots(base, chunk, count);
            for (int j = 0; j < count; j++) {
                if (isEntry(chunk[j]) && !visitor.test(chunk[j])) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Inserts an entry known to be absent into a table that is not yet shared. */
    void insertNew(long slotValue) {
        long i = bucket(slotValue >>> POSITION_BITS);
        while (getPlain(i) != EMPTY) {
            i = next(i);
        }
        slots.setAtIndex(SLOT_LAYOUT, i, slotValue);
        size++;
    }

    public long byteSize() {
        return capacity * SLOT_BYTES;
    }

    @Override
    public void close() {
        arena.close();
    }
}
