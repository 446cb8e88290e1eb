package io.seqs.internal.store;

import io.seqs.internal.fs.Failpoints;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.index.CheckpointFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes one shard's index checkpoints. The index is copied under the shard's lock (a memory
 * copy, {@link Shard#snapshotForCheckpoint}); the log up to the position the copy covers is
 * forced and the file written without it, then all but the two newest checkpoints are deleted. A
 * checkpoint is never newer than the durable log: recovery trusts the log it covers.
 */
final class Checkpointer {
    /** Checkpoints kept: the newest, and one to fall back to when the newest is damaged. */
    static final int KEPT = 2;

    private final Shard shard;
    private final GroupCommit groupCommit;
    private final Path checkpointDir;
    /** One checkpoint of a shard at a time (the maintenance thread and callers may race). */
    private final ReentrantLock checkpointLock = new ReentrantLock();

    Checkpointer(Shard shard, GroupCommit groupCommit) {
        this.shard = shard;
        this.groupCommit = groupCommit;
        this.checkpointDir = shard.checkpointDir;
    }

    /** The lock a checkpoint holds; the shard takes it to release its mappings while none runs. */
    ReentrantLock checkpointLock() {
        return checkpointLock;
    }

    /**
     * Writes a checkpoint covering the log up to the current tail; does nothing when nothing was
     * written since the last one.
     *
     * @return bytes written, 0 when skipped
     */
    long checkpoint() throws IOException {
        checkpointLock.lock();
        try (Arena scratch = Arena.ofShared()) { // the file is written on a thread of seqs' own
            long start = System.nanoTime();
            CheckpointFile.Snapshot snapshot = shard.snapshotForCheckpoint(scratch);
            if (snapshot == null) {
                return 0;
            }
            groupCommit.syncTo(snapshot.coveredPosition());
            Failpoints.hit("checkpoint.after-log-sync");
            if (!Files.isDirectory(checkpointDir)) {
                LogWriter.createDirectory(checkpointDir);
                FileUtil.fsyncDirectory(checkpointDir.getParent());
            }
            long bytes = CheckpointFile.write(checkpointDir, snapshot);
            Failpoints.hit("checkpoint.before-prune");
            CheckpointFile.deleteAllBut(checkpointDir, KEPT);
            shard.checkpointWritten(snapshot.coveredPosition(), bytes, System.nanoTime() - start);
            return bytes;
        } finally {
            checkpointLock.unlock();
        }
    }
}
