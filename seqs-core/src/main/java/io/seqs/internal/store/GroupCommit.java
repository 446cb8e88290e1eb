package io.seqs.internal.store;

import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.log.Segment;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes one shard's log durable: forces the mapped bytes written since the last force, and the
 * directories whose entries new files added. Callers that want the same or an earlier position
 * durable while a force runs wait for it and share it (group commit), so under SYNC many writers
 * pay for one force. The force runs without the shard's lock: writers go on appending meanwhile.
 */
final class GroupCommit {
    private final Shard shard;
    private final ReentrantLock shardLock;
    private final LogWriter log;
    private final ShardCounters counters;
    private final Path dir;
    private final long windowSize;
    /** One force at a time; also held while the shard releases its mappings. */
    private final ReentrantLock syncLock = new ReentrantLock();
    /** Log position up to which every record has been forced to stable storage. */
    private volatile long durable;

    GroupCommit(Shard shard, ReentrantLock shardLock, LogWriter log, ShardCounters counters) {
        this.shard = shard;
        this.shardLock = shardLock;
        this.log = log;
        this.counters = counters;
        this.dir = shard.dir;
        this.windowSize = shard.windowSize;
    }

    /** After recovery: what the newest checkpoint covered is known to be durable. */
    void startAt(long durablePosition) {
        durable = durablePosition;
    }

    /** Log position up to which every record is on stable storage. */
    long durable() {
        return durable;
    }

    /** The lock a force holds; the shard takes it to release its mappings while no force runs. */
    ReentrantLock syncLock() {
        return syncLock;
    }

    /** Forces every record below {@code target} to stable storage; concurrent callers share one force. */
    void syncTo(long target) {
        if (durable >= target) {
            return;
        }
        syncLock.lock();
        try {
            if (durable >= target) {
                return;
            }
            forceAll();
        } finally {
            syncLock.unlock();
        }
    }

    /** Forces everything written so far. */
    void flush() {
        syncLock.lock();
        try {
            forceAll();
        } finally {
            syncLock.unlock();
        }
    }

    private void forceAll() {
        assert syncLock.isHeldByCurrentThread();
        long start = System.nanoTime();
        long from = durable;
        long upTo;
        boolean[] dirty;
        Segment[] windows;
        shardLock.lock();
        try {
            if (shard.isReleased()) {
                return;
            }
            upTo = log.tail();
            dirty = log.takeDirtyDirectories();
            windows = shard.segmentTable().windows();
        } finally {
            shardLock.unlock();
        }
        boolean syncDirectory = dirty[0];
        boolean syncEpochDirectory = dirty[1];
        if (upTo <= from && !syncDirectory) {
            return;
        }
        try {
            forceRange(windows, from, upTo);
            if (syncEpochDirectory) {
                FileUtil.fsyncDirectory(dir.getParent()); // the shard directory's own entry
            }
            if (syncDirectory) {
                FileUtil.fsyncDirectory(dir);
            }
        } catch (IllegalStateException e) {
            if (shard.isReleased()) {
                return; // the epoch was dropped meanwhile; nothing of it needs to last
            }
            throw e;
        }
        durable = Math.max(durable, upTo);
        counters.flushes.increment();
        counters.flushNanos.add(System.nanoTime() - start);
    }

    private void forceRange(Segment[] windows, long from, long to) {
        if (to <= from) {
            return;
        }
        long first = from / windowSize;
        long last = Math.min(windows.length - 1, (to - 1) / windowSize);
        Segment previous = null;
        for (long w = first; w <= last; w++) {
            Segment seg = windows[(int) w];
            if (seg == null || seg == previous) {
                continue;
            }
            previous = seg;
            long start = Math.max(from, seg.base) - seg.base;
            long end = Math.min(to, seg.limit()) - seg.base;
            if (end > start) {
                seg.map.asSlice(start, end - start).force();
            }
        }
    }
}
