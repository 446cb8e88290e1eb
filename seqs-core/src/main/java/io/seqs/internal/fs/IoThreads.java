package io.seqs.internal.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads of seqs' own, and the file-system steps callers hand to them.
 *
 * <p>A {@link java.nio.channels.FileChannel} is interruptible: if the thread using it is
 * interrupted, the channel closes and the call fails with {@code ClosedByInterruptException},
 * even when the operation itself completed (a {@code map} that succeeded is then lost to the
 * caller). A caller's thread may be interrupted at any moment, by the caller, for the caller's
 * reasons. So the few file-system steps a caller's call can need (a new segment file and its
 * mapping, a checkpoint file, a directory fsync, the manifest) run on a thread seqs owns and
 * nobody interrupts, while the caller waits for them without reacting to interrupts and gets
 * its thread back with the interrupt status it had or received meanwhile. Those steps are rare
 * (a segment roll, a checkpoint), so the hand-off costs nothing that shows; steps started on a
 * thread of seqs' own run where they are.
 *
 * <p>The pool is shared by every store in the JVM: threads are made when steps wait for one and
 * end after {@link #IDLE_SECONDS} of idleness, so a JVM with a hundred stores does not keep a
 * hundred I/O threads.
 */
public final class IoThreads {
    /** Idle time after which a pool thread ends. */
    static final long IDLE_SECONDS = 30;

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, IDLE_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), factory("seqs-io"));

    private IoThreads() {}

    /** A thread of seqs' own: never interrupted by seqs, and file steps started on it run in place. */
    static final class Own extends Thread {
        Own(Runnable task, String name) {
            super(task, name);
            setDaemon(true);
        }
    }

    /** A factory of daemon {@link Own} threads named {@code name-N}. */
    public static ThreadFactory factory(String name) {
        return task -> new Own(task, name + "-" + NEXT.incrementAndGet());
    }

    /** The shared pool, for work of seqs' own that no caller waits for (old epochs' deletion). */
    public static java.util.concurrent.Executor pool() {
        return POOL;
    }

    /** Whether the calling thread is one of seqs' own. */
    static boolean onOwnThread() {
        return Thread.currentThread() instanceof Own;
    }

    /**
     * Runs {@code step} on a thread of seqs' own (in place when already on one) and returns its
     * result. The caller waits without reacting to interrupts; an interrupt it had or received
     * meanwhile is set again before this returns or throws.
     */
    static <T> T run(FileUtil.IoStep<T> step) throws IOException {
        if (onOwnThread()) {
            return step.run();
        }
        Future<T> result = POOL.submit(step::run);
        boolean interrupted = false;
        try {
            for (; ; ) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the caller's to keep; the step goes on and is waited for
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static IOException rethrow(Throwable cause) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        throw new UncheckedIOException(new IOException(cause));
    }
}
