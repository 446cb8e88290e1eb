package io.seqs.internal.fs;

import io.seqs.SeqsException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may open a store: one writer, or any number of read-only openers in other processes. A
 * writer holds an exclusive lock on the store's lock file, a reader a shared one; the lock is
 * released on close or when the process ends (SIGKILL too), so there is never a stale lock to
 * remove. Within one JVM a directory is opened once at a time: closing a second channel on the
 * lock file would drop this process's lock on it (POSIX semantics), so the JVM's own registry is
 * checked before the file is touched.
 */
public final class StoreLock implements AutoCloseable {
    /** The lock file in the store directory. */
    public static final String FILE = "seqs.lock";

    private static final Set<Path> OPEN_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final Path directory;
    private final Path key;
    private final FileLock lock;

    private StoreLock(Path directory, Path key, FileLock lock) {
        this.directory = directory;
        this.key = key;
        this.lock = lock;
    }

    /**
     * Locks the store in {@code directory}, which exists.
     *
     * @param shared true for a read-only opener, false for the writer
     * @throws IllegalStateException when the store is open in this process, or in another in a
     *     way that excludes this one
     * @throws SeqsException when the lock file cannot be opened or locked
     */
    public static StoreLock acquire(Path directory, boolean shared) {
        Path key;
        try {
            key = directory.toRealPath();
        } catch (IOException e) {
            throw new SeqsException("cannot resolve store directory " + directory, e);
        }
        if (!OPEN_IN_THIS_JVM.add(key)) {
            throw new IllegalStateException("store directory " + directory + " is already open in this process");
        }
        try {
            FileLock lock = FileUtil.uninterruptibly(() -> tryLock(directory.resolve(FILE), shared));
            if (lock == null) {
                throw new IllegalStateException("store directory " + directory + " is already open in another process"
                        + (shared ? " for writing" : ""));
            }
            return new StoreLock(directory, key, lock);
        } catch (IOException e) {
            OPEN_IN_THIS_JVM.remove(key);
            throw new SeqsException("cannot lock store directory " + directory, e);
        } catch (RuntimeException | Error e) {
            OPEN_IN_THIS_JVM.remove(key);
            throw e;
        }
    }

    /** The lock, or null (its channel closed) when another process holds a conflicting one. */
    private static FileLock tryLock(Path file, boolean shared) throws IOException {
        FileChannel ch = shared
                ? FileChannel.open(file, StandardOpenOption.READ)
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock held = ch.tryLock(0, Long.MAX_VALUE, shared);
            if (held == null) {
                ch.close();
            }
            return held;
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Releases the lock and closes its channel.
     *
     * @throws SeqsException when the lock cannot be released; the directory is free in this JVM all the same
     */
    @Override
    public void close() {
        try {
            lock.release();
            lock.acquiredBy().close();
        } catch (IOException e) {
            throw new SeqsException("cannot release the lock of " + directory, e);
        } finally {
            OPEN_IN_THIS_JVM.remove(key);
        }
    }
}
