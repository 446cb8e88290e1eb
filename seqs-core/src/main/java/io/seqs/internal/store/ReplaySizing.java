package io.seqs.internal.store;

import io.seqs.internal.index.HashIndex;
import io.seqs.internal.index.Zeros;
import java.lang.foreign.MemorySegment;
import java.util.function.LongSupplier;

/**
 * Sizes a shard's index for a replay of its log. Left to itself, an index that recovery fills
 * from a log with no checkpoint grows by {@link HashIndex#GROWTH} a step at a time, rehashing
 * every entry at each step: a dozen rebuilds for a shard of a hundred thousand keys, a third of
 * the time of a recovery on this project's machine. Instead, when the table fills up, the keys
 * the whole replay will leave are estimated from what the replay has read so far (new keys per
 * byte) and the bytes it has still to read, and the table is rebuilt for them at once.
 *
 * <p>An estimate only changes sizes, never what the index holds. It cannot run far ahead: one
 * step grows the table at most {@link #MAX_STEP} times, and a table the rest of the log did not
 * fill to half is cut down after the replay ({@link #fit}).
 */
final class ReplaySizing {
    /** Most a table grows in one rebuild on an estimate (the first is made from a short prefix of the log). */
    static final long MAX_STEP = 32;
    /** A table grown on an estimate is cut down after the replay when it has over this many times the room needed. */
    static final long FIT_SLACK = 2;
    /** The page the end of a segment's records is looked for by: unwritten space reads as zero pages. */
    static final long PAGE = 4096;

    private final long keysAtStart;
    /**
     * Estimates the bytes of records the replay reads; asked once, and only when the table fills
     * up (a replay after a checkpoint seldom grows the index, and the estimate reads pages).
     */
    private final LongSupplier replayBytesEstimate;
    /** The estimate, once asked for; -1 before. */
    private long replayBytes = -1;

    private boolean grown;

    ReplaySizing(long keysAtStart, LongSupplier replayBytesEstimate) {
        assert keysAtStart >= 0 : keysAtStart;
        this.keysAtStart = keysAtStart;
        this.replayBytesEstimate = replayBytesEstimate;
    }

    /**
     * Where the records of a segment probably end: the first page at or after {@code from},
     * found by bisection, that is all zero. Space a writer reserved but never reached is zero, so
     * this never lies more than a page past the true end; a value with a zero page inside it can
     * make it lie short, which only makes the estimate smaller. Reads about log2(length / page)
     * pages.
     */
    static long recordsEnd(MemorySegment map, long from, long length) {
        assert 0 <= from && from <= length && length <= map.byteSize() : from + ".." + length;
        long lo = from;
        long hi = length;
        while (hi - lo > PAGE) {
            long mid = ((lo + hi) >>> 1) & -PAGE;
            if (mid <= lo) {
                break;
            }
            if (Zeros.allZero(map, mid, Math.min(length, mid + PAGE))) {
                hi = mid;
            } else {
                lo = mid + PAGE;
            }
        }
        return Math.max(from, Math.min(hi, length));
    }

    /** The keys the replay is expected to leave, extrapolated from the keys the first {@code replayed} bytes added. */
    long expectedKeys(long keysNow, long replayed) {
        if (replayed <= 0 || keysNow <= keysAtStart) {
            return keysNow;
        }
        if (replayBytes < 0) {
            replayBytes = replayBytesEstimate.getAsLong();
            assert replayBytes >= 0 : replayBytes;
        }
        if (replayed >= replayBytes) {
            return keysNow;
        }
        double newKeysPerByte = (double) (keysNow - keysAtStart) / replayed;
        return keysNow + (long) Math.ceil(newKeysPerByte * (replayBytes - replayed));
    }

    /**
     * Called when the index is about to rebuild, after {@code replayed} bytes: rebuilds it for the
     * expected keys when they are more than one growth step would hold; otherwise the usual step
     * follows.
     */
    void grow(Shard shard, long replayed) {
        HashIndex idx = shard.index();
        long keys = Math.min(expectedKeys(idx.size, replayed), idx.size * MAX_STEP);
        if (HashIndex.capacityFor(keys) > idx.capacity * HashIndex.GROWTH) {
            shard.resizeIndex(keys);
            grown = true;
        }
    }

    /**
     * After the replay: a table grown on an estimate that the log did not bear out (it held
     * rewrites of keys rather than new ones) is cut down to one growth step beyond its keys, and
     * never below what the store was sized for ({@code presizedKeys}).
     */
    void fit(Shard shard, long presizedKeys) {
        HashIndex idx = shard.index();
        if (grown && idx.capacity > HashIndex.capacityFor(Math.max(presizedKeys, idx.size)) * FIT_SLACK) {
            shard.resizeIndex(Math.max(presizedKeys, (long) Math.ceil(idx.size * HashIndex.GROWTH)));
        }
    }
}
