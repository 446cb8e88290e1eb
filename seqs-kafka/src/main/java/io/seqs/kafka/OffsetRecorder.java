package io.seqs.kafka;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread per JVM that records committed changelog offsets for every seqs store: it
 * forces a store's log and then writes its offsets file, so that a commit returns without waiting
 * for the disk and a JVM with many stores runs one such thread, not one per store. The thread is
 * a daemon, started when there is work and ended after {@link #IDLE_SECONDS} without any.
 */
final class OffsetRecorder {
    /** Seconds the thread waits for more work before it ends. */
    static final long IDLE_SECONDS = 10;

    private static final ThreadPoolExecutor EXECUTOR =
            new ThreadPoolExecutor(0, 1, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                Thread t = new Thread(task, "seqs-kafka-offsets");
                t.setDaemon(true);
                return t;
            });

    private OffsetRecorder() {}

    /** Runs {@code task} on the recorder thread, after every task submitted before it. */
    static void submit(Runnable task) {
        EXECUTOR.execute(task);
    }
}
