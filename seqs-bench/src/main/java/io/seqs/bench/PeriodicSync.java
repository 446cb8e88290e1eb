package io.seqs.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The other engines' equivalent of seqs' PERIODIC durability: a daemon thread that makes the
 * engine's writes durable once a second. A failing sync is the engine closing; the phase's own
 * flush forces everything anyway, so the sync is expected to swallow it.
 */
final class PeriodicSync implements AutoCloseable {
    private static final long PERIOD_SECONDS = 1;
    private static final long STOP_WAIT_SECONDS = 10;

    private final ScheduledExecutorService thread;

    PeriodicSync(String threadName, Runnable sync) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(sync, PERIOD_SECONDS, PERIOD_SECONDS, TimeUnit.SECONDS);
    }

    /** Stops the thread and waits for a sync in progress, at most {@value #STOP_WAIT_SECONDS} s. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
