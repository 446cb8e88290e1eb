package io.seqs.internal.store;

import io.seqs.SeqsException;
import io.seqs.internal.format.Manifest;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.fs.IoThreads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The shards of one epoch, and where their files live. */
public final class Epoch implements SpaceLedger {
    public final long number;
    public final Path dir;
    public final Path checkpointDir;
    public final Shard[] shards;
    private final int shardShift;

    private Epoch(long number, Path dir, Path checkpointDir, Shard[] shards) {
        assert Integer.bitCount(shards.length) == 1;
        this.number = number;
        this.dir = dir;
        this.checkpointDir = checkpointDir;
        this.shards = shards;
        this.shardShift = 64 - Integer.numberOfTrailingZeros(shards.length);
    }

    public static String dirName(long epoch) {
        return String.format("epoch-%010d", epoch);
    }

    /** Epoch number of a directory name, or -1. */
    static long parseDirName(String name) {
        if (!name.startsWith("epoch-") || name.length() != 16) {
            return -1;
        }
        try {
            return Long.parseLong(name, 6, 16, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Opens (recovers) every shard of an epoch, in parallel.
     *
     * @param syncStoreDirectory whether to force the store directory when the epoch directory is
     *     new; a reset skips it because its manifest write forces that directory right after
     */
    public static Epoch open(
            Config config, Manifest manifest, Epoch previous, boolean syncStoreDirectory, ReadGate gate) {
        Path dir = config.directory().resolve(dirName(manifest.epoch()));
        Path checkpointDir = config.checkpointDirectory().resolve(dirName(manifest.epoch()));
        int n = manifest.shardCount();
        // Shard directories are created by the shards when they first write (a segment, a
        // checkpoint): a reset makes two directories whatever the shard count.
        boolean created = !config.readOnly() && (!Files.isDirectory(dir) || !Files.isDirectory(checkpointDir));
        if (created) {
            try {
                Files.createDirectories(dir);
                Files.createDirectories(checkpointDir);
            } catch (java.io.IOException e) {
                throw new SeqsException(
                        "cannot create the directories of epoch " + manifest.epoch() + " in " + config.directory(), e);
            }
        }
        Shard[] shards = new Shard[n];
        Epoch epoch = new Epoch(manifest.epoch(), dir, checkpointDir, shards);
        int threads = Math.min(n, Math.max(1, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, IoThreads.factory("seqs-recovery"));
        List<Future<Shard>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int shard = i;
                futures.add(pool.submit(() -> Shard.open(
                        config,
                        dir,
                        checkpointDir,
                        manifest.epoch(),
                        shard,
                        n,
                        manifest.windowSize(),
                        manifest.generation(),
                        epoch,
                        previous != null ? previous.shards[shard].counters() : new ShardCounters(),
                        gate)));
            }
            awaitShards(futures, shards, dir);
        } finally {
            pool.shutdownNow();
        }
        if (created) {
            // Make the new directories' entries durable: the epoch directories in the store and
            // checkpoint directories (a shard makes its own entry durable when it creates it).
            FileUtil.fsyncDirectory(config.checkpointDirectory());
            if (syncStoreDirectory) {
                FileUtil.fsyncDirectory(config.directory());
            }
        }
        return epoch;
    }

    /**
     * Waits for every shard's recovery, keeping an interrupt of the caller's for the caller; when
     * one failed, releases those that opened and throws the first failure with the others
     * suppressed.
     */
    private static void awaitShards(List<Future<Shard>> futures, Shard[] shards, Path dir) {
        int n = shards.length;
        RuntimeException failure = null;
        boolean interrupted = false;
        for (int i = 0; i < n; i++) {
            for (; ; ) {
                try {
                    shards[i] = futures.get(i).get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException re
                            ? re
                            : new SeqsException("cannot open shard " + i + " of " + dir, e.getCause());
                    if (failure == null) {
                        failure = cause;
                    } else {
                        failure.addSuppressed(cause);
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // the caller's to keep; opening goes on
                    continue;
                }
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            for (Shard s : shards) {
                if (s != null) {
                    s.retire(false);
                    s.release();
                }
            }
            throw failure;
        }
    }

    @Override
    public long unwrittenBytesExcept(Shard asking) {
        long total = 0;
        for (Shard s : shards) {
            if (s != null && s != asking) {
                total += s.unwrittenBytes();
            }
        }
        return total;
    }

    public Shard shard(long hash) {
        return shards.length == 1 ? shards[0] : shards[(int) (hash >>> shardShift)];
    }
}
