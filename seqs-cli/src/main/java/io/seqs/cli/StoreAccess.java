package io.seqs.cli;

import io.seqs.Seqs;
import io.seqs.SeqsException;
import io.seqs.cli.format.ManifestFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How commands reach a store without changing it: a read-only open through the public API, or,
 * for commands that read the files themselves, the same shared lock a read-only open takes.
 */
public final class StoreAccess {
    static final String LOCK_FILE = "seqs.lock";

    private StoreAccess() {}

    /**
     * Opens a store read-only.
     *
     * @param dir the store directory
     * @param checkpoints the checkpoint directory, or null for the default
     * @return the open store
     * @throws CliException when it is not a store or a writer holds it
     */
    public static Seqs openReadOnly(Path dir, Path checkpoints) {
        requireStore(dir);
        try {
            var builder = Seqs.builder(dir).readOnly(true);
            if (checkpoints != null) {
                builder.checkpointDirectory(checkpoints);
            }
            return builder.open();
        } catch (IllegalStateException e) {
            throw locked(dir);
        } catch (SeqsException e) {
            throw new CliException(ExitCode.FAILED, e.getMessage() + (e.getCause() != null ? ": " + e.getCause() : ""));
        }
    }

    /**
     * Takes the shared lock a read-only open takes, so that no writer opens the store while its
     * files are read. Nothing is created: a store without a lock file is read unlocked.
     *
     * @param dir the store directory
     * @return the lock, or null when the store has no lock file
     * @throws CliException when it is not a store or a writer holds it
     */
    public static FileLock lockShared(Path dir) {
        requireStore(dir);
        Path lockFile = dir.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return null;
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.READ);
            FileLock lock = ch.tryLock(0, Long.MAX_VALUE, true);
            if (lock == null) {
                ch.close();
                throw locked(dir);
            }
            return lock;
        } catch (OverlappingFileLockException e) {
            close(ch);
            throw locked(dir);
        } catch (IOException e) {
            close(ch);
            throw new CliException(ExitCode.FAILED, "cannot lock " + lockFile + ": " + e);
        }
    }

    /**
     * Releases a lock from {@link #lockShared} and closes its channel.
     *
     * @param lock the lock, or null
     */
    public static void release(FileLock lock) {
        if (lock != null) {
            close(lock.channel());
        }
    }

    /**
     * Refuses a directory that holds no store.
     *
     * @param dir the directory
     * @throws CliException when it is missing or holds neither a manifest nor an epoch directory
     */
    public static void requireStore(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CliException(ExitCode.FAILED, "no store in " + dir + ": the directory does not exist");
        }
        boolean looksLikeStore = Files.exists(dir.resolve(ManifestFile.NAME)) || Files.exists(dir.resolve(LOCK_FILE));
        if (!looksLikeStore) {
            throw new CliException(
                    ExitCode.FAILED, "no store in " + dir + ": it has neither MANIFEST nor " + LOCK_FILE);
        }
    }

    private static CliException locked(Path dir) {
        return new CliException(
                ExitCode.LOCKED,
                "store " + dir + " is open by a writer elsewhere (" + LOCK_FILE
                        + " is held for writing); stop that process, or run this on a copy of the directory");
    }

    private static void close(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was written through it
            }
        }
    }
}
