package io.seqs.internal.log;

import java.util.Arrays;

/**
 * Live and dead bytes of each segment of a shard's log, kept at the index of the segment's id
 * (its first window; the later windows of a segment spanning several stay zero). A record is
 * live while the index points at it; overwritten and deleted records and delete records are
 * dead. Reclamation reads these figures to choose segments, so they are exact, and checkpoints
 * persist them. Guarded by the shard lock.
 */
public final class SegmentSpace {
    private static final int INITIAL_WINDOWS = 8;

    private long[] live = new long[INITIAL_WINDOWS];
    private long[] dead = new long[INITIAL_WINDOWS];

    /** Makes room for segments with ids below {@code windows}. */
    public void ensureWindows(long windows) {
        if (windows > live.length) {
            int n = (int) Math.max(windows, live.length * 2L);
            live = Arrays.copyOf(live, n);
            dead = Arrays.copyOf(dead, n);
        }
    }

    public void addLive(long segmentId, long bytes) {
        live[(int) segmentId] += bytes;
    }

    public void addDead(long segmentId, long bytes) {
        dead[(int) segmentId] += bytes;
    }

    /** A live record of {@code bytes} in segment {@code segmentId} was overwritten or deleted. */
    public void moveLiveToDead(long segmentId, long bytes) {
        int id = (int) segmentId;
        live[id] -= bytes;
        dead[id] += bytes;
        assert live[id] >= 0 : "segment " + id + " has negative live bytes";
    }

    /** A reclaimed segment holds nothing any more. */
    public void clear(long segmentId) {
        live[(int) segmentId] = 0;
        dead[(int) segmentId] = 0;
    }

    public long live(long segmentId) {
        return live[(int) segmentId];
    }

    public long dead(long segmentId) {
        return dead[(int) segmentId];
    }

    /** Sum of the live bytes of the first {@code windows} windows. */
    public long totalLive(int windows) {
        return sum(live, windows);
    }

    /** Sum of the dead bytes of the first {@code windows} windows. */
    public long totalDead(int windows) {
        return sum(dead, windows);
    }

    /** The live figures of the first {@code windows} windows, for a checkpoint. */
    public long[] liveCopy(int windows) {
        return Arrays.copyOf(live, windows);
    }

    /** The dead figures of the first {@code windows} windows, for a checkpoint. */
    public long[] deadCopy(int windows) {
        return Arrays.copyOf(dead, windows);
    }

    /** Takes the figures a checkpoint kept, for the windows this shard's log has. */
    public void load(long[] checkpointLive, long[] checkpointDead) {
        assert checkpointLive.length == checkpointDead.length;
        for (int w = 0; w < checkpointLive.length && w < live.length; w++) {
            live[w] = checkpointLive[w];
            dead[w] = checkpointDead[w];
        }
    }

    private static long sum(long[] figures, int windows) {
        long total = 0;
        for (int w = 0; w < windows && w < figures.length; w++) {
            total += figures[w];
        }
        return total;
    }
}
