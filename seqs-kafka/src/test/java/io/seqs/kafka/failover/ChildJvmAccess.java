package io.seqs.kafka.failover;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Lets tests of other packages run a main class in a child JVM until it prints a line, then kill it. */
public final class ChildJvmAccess {
    private ChildJvmAccess() {}

    /**
     * Starts {@code main}, waits for a standard-output line starting with {@code line}, then kills
     * the JVM with SIGKILL.
     *
     * @throws InterruptedException when interrupted while waiting
     * @throws AssertionError when the line does not come in time
     */
    public static void runUntilLineThenKill(
            Class<?> main, List<String> jvmFlags, List<String> args, String line, Duration timeout, Path stderr)
            throws InterruptedException {
        ChildJvm child = ChildJvm.start(main, jvmFlags, args, stderr);
        try {
            child.awaitLine(line, timeout);
        } finally {
            child.kill();
        }
    }
}
