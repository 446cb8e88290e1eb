package io.seqs.internal.store;

import static io.seqs.internal.format.RecordDescriptor.HEADER_LENGTH;

import io.seqs.internal.format.ReclaimedDescriptor;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.fs.Failpoints;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.index.CheckpointFile;
import io.seqs.internal.log.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reclaims a shard's sealed segments whose dead fraction passed the threshold: copies their live
 * records to the log's tail, commits the move with a checkpoint, leaves a marker where the
 * segment was ({@link ReclaimedDescriptor}) and deletes the file.
 *
 * <p>The steps, each safe to stop after (a crash test halts the process at each one):
 *
 * <ol>
 *   <li>Copy, in short turns of the shard's lock: a put record the index still points at is
 *       appended anew (same stored bytes, this session's generation, a new CRC) and the index
 *       entry moved to it; as writers hold the same lock, a put racing the move either came
 *       first (the record is no longer the latest and is not copied) or comes after (and wins).
 *       A delete record whose key is still absent is copied too, unless the segment is the
 *       log's first: older segments may hold a put of the key that it must keep hiding. Readers
 *       find the key at the old place or the new one, both mapped. A crash here leaves copies
 *       that replay as the latest records of their keys, which they are.
 *   <li>Checkpoint (it forces the log first), then delete every older checkpoint: those may
 *       point into the segment. A crash here leaves the segment in place, all of it dead.
 *   <li>Write the marker atomically. From here on the segment is gone: recovery deletes a
 *       segment file it finds beside its marker.
 *   <li>Take the segment out of the window table, wait out readers that may still be in it
 *       ({@link ReadGate}), unmap and delete the file.
 * </ol>
 *
 * <p>Runs on a background thread of the store; one reclamation at a time per shard.
 */
public final class Reclaimer {
    private static final System.Logger LOG = System.getLogger("io.seqs");
    /** Records copied in one turn of the shard's lock at most. */
    static final int TURN_RECORDS = 64;
    /** Bytes copied in one turn of the shard's lock at most. */
    static final long TURN_BYTES = 256 << 10;
    /** Segments reclaimed under one checkpoint at most. */
    static final int BATCH_SEGMENTS = 64;
    /** Live bytes copied under one checkpoint at most (a batch stops after the segment that passes it). */
    static final long BATCH_LIVE_BYTES = 256L << 20;
    /** Pause after a turn during which writers queued for the lock: ingest goes first. */
    static final long YIELD_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final Shard shard;
    private final ReentrantLock lock;
    /** One reclamation of the shard at a time (the background's, or a caller's). */
    private final ReentrantLock reclaimLock = new ReentrantLock();
    /** Segments found damaged while copying; not tried again. Guarded by {@link #reclaimLock}. */
    private final java.util.Set<Long> damagedSegments = new java.util.HashSet<>();
    /** What {@link #copyLive} returns for a segment with a damaged record. */
    private static final long DAMAGED = -2;

    Reclaimer(Shard shard, ReentrantLock lock) {
        this.shard = shard;
        this.lock = lock;
    }

    /** Spreads a store's reclamation copies over time: at most {@code bytesPerSecond}. */
    public static final class Pacer {
        private final long bytesPerSecond;
        private long next = System.nanoTime();

        public Pacer(long bytesPerSecond) {
            this.bytesPerSecond = bytesPerSecond;
        }

        /** Accounts {@code bytes} copied and sleeps when ahead of the rate. */
        void copied(long bytes) {
            long now = System.nanoTime();
            long until;
            synchronized (this) { // shards may be reclaimed by more than one thread (a caller's and the background's)
                next = Math.max(next, now - TimeUnit.MILLISECONDS.toNanos(100)) // a burst of 100 ms at most
                        + (long) (bytes * 1e9 / bytesPerSecond);
                until = next;
            }
            if (until > now) {
                LockSupport.parkNanos(until - now);
            }
        }
    }

    /**
     * Reclaims a batch of sealed segments whose dead fraction is at or above {@code threshold},
     * the most dead first.
     *
     * @return true when segments were reclaimed; false when none qualified or the shard was
     *     retired, released or scanned meanwhile (it is tried again later)
     * @throws IOException when the checkpoint or the marker cannot be written
     */
    boolean reclaimOne(double threshold, Pacer pacer) throws IOException {
        reclaimLock.lock();
        try {
            return reclaimOneLocked(threshold, pacer);
        } finally {
            reclaimLock.unlock();
        }
    }

    private boolean reclaimOneLocked(double threshold, Pacer pacer) throws IOException {
        long start = System.nanoTime();
        List<Segment> victims = choose(threshold);
        if (victims.isEmpty()) {
            return false;
        }
        List<Segment> copied = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        for (Segment victim : victims) {
            long end = copyLive(victim, pacer);
            if (end == DAMAGED) {
                continue; // left as it is, and out of later batches
            }
            if (end < 0) {
                return false; // retired or released
            }
            copied.add(victim);
            ends.add(end);
        }
        if (copied.isEmpty()) {
            return false;
        }
        victims = copied;
        long[] recordsEnds = ends.stream().mapToLong(Long::longValue).toArray();
        Failpoints.hit("reclaim.after-copy");
        ReentrantLock checkpointLock = shard.checkpointLock();
        checkpointLock.lock();
        long commitStart = System.nanoTime();
        try {
            shard.checkpoint();
            Failpoints.hit("reclaim.after-checkpoint");
            // older checkpoints may point into the segments; the newest was taken after the copies
            CheckpointFile.deleteAllBut(shard.checkpointDir, 1);
            if (Files.isDirectory(shard.checkpointDir)) {
                FileUtil.fsyncDirectory(shard.checkpointDir);
            }
        } finally {
            checkpointLock.unlock();
        }
        shard.reclaimCommitted(System.nanoTime() - commitStart);
        return remove(victims, recordsEnds, start);
    }

    /**
     * The sealed segments whose dead fraction is at least {@code threshold}, most dead first, up
     * to {@link #BATCH_SEGMENTS} of them and {@link #BATCH_LIVE_BYTES} of live bytes to copy: one
     * checkpoint commits them all.
     */
    private List<Segment> choose(double threshold) {
        lock.lock();
        try {
            List<Segment> chosen = new ArrayList<>();
            if (shard.isRetired() || shard.isReleased()) {
                return chosen;
            }
            Segment active = shard.log().active();
            for (Segment seg : shard.segmentTable().list()) {
                long live = shard.space().live(seg.id);
                long dead = shard.space().dead(seg.id);
                if (seg != active
                        && live + dead > 0
                        && dead >= threshold * (live + dead)
                        && !damagedSegments.contains(seg.id)) {
                    chosen.add(seg);
                }
            }
            chosen.sort(Comparator.comparingDouble(seg -> (double) shard.space().live(seg.id)
                    / (shard.space().live(seg.id) + shard.space().dead(seg.id))));
            long live = 0;
            int n = 0;
            while (n < chosen.size() && n < BATCH_SEGMENTS) {
                live += shard.space().live(chosen.get(n).id);
                n++;
                if (live >= BATCH_LIVE_BYTES) {
                    break;
                }
            }
            List<Segment> batch = new ArrayList<>(chosen.subList(0, n));
            batch.sort(Comparator.comparingLong(seg -> seg.id));
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies the segment's live records to the tail, a turn of the lock at a time.
     *
     * @return the log position where the segment's records end, -1 when the shard was retired
     *     meanwhile, {@link #DAMAGED} when a record failed its checks
     */
    private long copyLive(Segment seg, Pacer pacer) {
        long off = SegmentDescriptor.HEADER_LENGTH;
        for (; ; ) {
            long copied = 0;
            boolean writersWaited;
            lock.lock();
            try {
                if (shard.isRetired() || shard.isReleased()) {
                    return -1;
                }
                boolean first = shard.segmentTable().get(0) == seg;
                for (int n = 0; n < TURN_RECORDS && copied < TURN_BYTES; n++) {
                    if (off + HEADER_LENGTH > seg.length || RecordDescriptor.isEnd(seg.map, off)) {
                        return seg.base + off;
                    }
                    long length = RecordDescriptor.plausibleLength(seg.map, off, seg.length);
                    if (length < 0 || !shard.sound(seg.base + off)) {
                        // damaged on disk since it was written: copying it would give it a fresh CRC
                        return damaged(seg, off);
                    }
                    int keyLength = RecordDescriptor.keyLength(seg.map, off);
                    int stored = RecordDescriptor.storedLength(seg.map, off);
                    byte type = RecordDescriptor.type(seg.map, off);
                    if (type == RecordDescriptor.TYPE_PUT && shard.isLatest(seg, off, keyLength)) {
                        copied += shard.moveRecord(seg, off, keyLength, stored, length);
                    } else if (type == RecordDescriptor.TYPE_DELETE && !first) {
                        copied += shard.carryTombstone(seg, off, keyLength, length);
                    }
                    off += length;
                }
                writersWaited = lock.hasQueuedThreads();
            } finally {
                lock.unlock();
            }
            if (copied > 0) {
                pacer.copied(copied);
            }
            if (writersWaited) {
                LockSupport.parkNanos(YIELD_NANOS);
            }
        }
    }

    /**
     * Gives up on a segment with a damaged record: it stays as it is (a get of the damaged record
     * reports the damage; the next open cuts the log there) and is not tried again this session.
     */
    private long damaged(Segment seg, long off) {
        damagedSegments.add(seg.id);
        LOG.log(
                System.Logger.Level.WARNING,
                "not reclaiming {0}: the record at offset {1} is damaged (the file changed on disk after it was "
                        + "written)",
                seg.path,
                off);
        return DAMAGED;
    }

    /** Steps 3 and 4, segment by segment: the marker, then the segment out of the table, unmapped and deleted. */
    private boolean remove(List<Segment> victims, long[] recordsEnds, long start) throws IOException {
        ReentrantLock scanLock = shard.scanLock();
        if (!scanLock.tryLock()) {
            return false; // a scan walks the segments in order; the dead segments go next time
        }
        try {
            for (int i = 0; i < victims.size(); i++) {
                Segment seg = victims.get(i);
                long previousEnd;
                lock.lock();
                try {
                    if (shard.isRetired() || shard.isReleased()) {
                        return false;
                    }
                    assert shard.space().live(seg.id) == 0 : seg + " still has live bytes after its records moved";
                    previousEnd = SegmentDescriptor.read(seg.map, seg.path, seg.length)
                            .previousEnd();
                } finally {
                    lock.unlock();
                }
                ReclaimedDescriptor.Marker marker = new ReclaimedDescriptor.Marker(
                        shard.index,
                        shard.epoch,
                        shard.shardCount,
                        seg.windowCount(),
                        seg.id,
                        shard.windowSize,
                        previousEnd,
                        recordsEnds[i]);
                FileUtil.writeAtomically(
                        shard.dir.resolve(ReclaimedDescriptor.fileName(seg.id)),
                        ReclaimedDescriptor.encode(marker),
                        "reclaim.marker");
                if (!shard.unlink(seg)) {
                    return false; // released meanwhile: the marker stands, reopening finishes the job
                }
                Failpoints.hit("reclaim.before-delete");
                Files.deleteIfExists(seg.path);
                shard.reclaimed(seg, i == victims.size() - 1 ? System.nanoTime() - start : 0);
                LOG.log(System.Logger.Level.DEBUG, "reclaimed segment {0} ({1} bytes)", seg.path, seg.length);
            }
            return true;
        } finally {
            scanLock.unlock();
        }
    }
}
