package io.seqs.internal.store;

import io.seqs.internal.fs.IoThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One store's background work — periodic flushes, checkpoints and meter updates, and the
 * deletion of old epochs — run on threads shared by every store in the JVM, so that a process
 * holding a hundred stores (a Kafka Streams instance with many tasks) runs a handful of threads,
 * not two hundred.
 *
 * <p>Periodic tasks run on a scheduler of {@link #SCHEDULER_THREADS} threads. Deletions run on
 * seqs' shared I/O pool (threads made on demand, ended when idle), one after the other per store:
 * a store's deletions form a chain, and {@link #close} waits for the chain to end.
 */
public final class Background {
    /** Threads that run every store's periodic tasks. */
    public static final int SCHEDULER_THREADS = 2;

    private static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();

    private final List<ScheduledFuture<?>> periodic = new ArrayList<>();
    /** The end of this store's chain of deletions. */
    private CompletableFuture<Void> deletions = CompletableFuture.completedFuture(null);
    /** The long task started last by {@link #everyOffloaded}, done or not. */
    private CompletableFuture<Void> offloaded = CompletableFuture.completedFuture(null);

    private boolean closed;

    private static ScheduledThreadPoolExecutor scheduler() {
        ScheduledThreadPoolExecutor s =
                new ScheduledThreadPoolExecutor(SCHEDULER_THREADS, IoThreads.factory("seqs-maintenance"));
        s.setRemoveOnCancelPolicy(true);
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return s;
    }

    /** Runs {@code task} every {@code periodMillis}, first after one period, until {@link #close}. */
    public synchronized void every(long periodMillis, Runnable task) {
        assert periodMillis > 0 : periodMillis;
        if (!closed) {
            periodic.add(SCHEDULER.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Starts {@code task} on seqs' I/O pool every {@code periodMillis} unless its previous run is
     * still going, until {@link #close}: for work that may take seconds (reclamation), which must
     * not hold up the scheduler's flushes and checkpoints.
     */
    public synchronized void everyOffloaded(long periodMillis, Runnable task) {
        every(periodMillis, () -> {
            synchronized (this) {
                if (!closed && offloaded.isDone()) {
                    offloaded = CompletableFuture.runAsync(task, IoThreads.pool());
                }
            }
        });
    }

    /**
     * Runs {@code task} after this store's earlier deletions, off the caller's thread. A task that
     * fails (it should log and return) does not keep the ones after it from running.
     */
    public synchronized void delete(Runnable task) {
        deletions = deletions.exceptionally(failed -> null).thenRunAsync(task, IoThreads.pool());
    }

    /** Stops the periodic tasks (one running now finishes on its own). */
    public synchronized void stopPeriodic() {
        closed = true;
        for (ScheduledFuture<?> f : periodic) {
            f.cancel(false);
        }
        periodic.clear();
    }

    /**
     * Stops the periodic tasks and waits up to {@code waitMillis} for this store's deletions,
     * without reacting to interrupts (an interrupt the caller had or received is kept).
     *
     * @return false when deletions were still running at the deadline
     */
    public boolean close(long waitMillis) {
        stopPeriodic();
        CompletableFuture<Void> pending;
        synchronized (this) {
            pending = CompletableFuture.allOf(deletions, offloaded.exceptionally(failed -> null));
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        try {
            for (; ; ) {
                try {
                    pending.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true; // the caller's to keep; closing goes on
                } catch (TimeoutException e) {
                    return false;
                } catch (ExecutionException e) {
                    return true; // each deletion logs its own failure
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
