package io.seqs.internal.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Tells the releaser of memory when no lock-free reader can still be inside it: a grace period.
 *
 * <p>Readers take no lock, so off-heap memory they may be reading (an index table replaced by a
 * rebuild, the mappings of a shard dropped by a reset or close) must not be released while one
 * of them is inside it. Closing a shared {@link java.lang.foreign.Arena} under a reader would
 * not corrupt anything (the FFM runtime fails the access) but it would deliver an asynchronous
 * exception to the reader's thread, and HotSpot sets that thread's interrupt status when it does:
 * a caller would get its thread back interrupted by a {@code get} it never asked to interrupt.
 *
 * <p>The protocol is the read indicator of Ramalhete and Correia's Left-Right: two sets of
 * striped counters and a phase bit. A reader reads the phase, increments its stripe of that
 * phase's counters, reads the shared state, and decrements the same counter when done. A
 * releaser first makes the memory unreachable (publishes the new table, or marks the shard
 * released), then calls {@link #awaitReaders()}: it waits for the other phase's counters to
 * drain, flips the phase, and waits for the old phase's counters to drain. A reader that
 * incremented a counter after the releaser saw it empty read the shared state after the memory
 * became unreachable, so it cannot be using it. Every access here is a volatile access, so they
 * all fall into one total order, which the argument needs.
 *
 * <p>Cost to a reader: two uncontended atomic additions on a cache line of its own stripe, no
 * allocation. Stripes are chosen by thread id; two threads sharing a stripe only share a cache
 * line, never correctness.
 */
public final class ReadGate {
    /** Longs per stripe: a stripe owns 128 bytes, two cache lines, so neighbours never share one. */
    private static final int STRIDE = 16;
    /** Stripes per phase: a power of two at least four per processor, at most 256. */
    static final int STRIPES = Integer.highestOneBit(Math.min(
            256, Math.max(4, 4 * Runtime.getRuntime().availableProcessors()) * 2 - 1));

    private static final int STRIPE_MASK = STRIPES - 1;
    /** Spins before a waiting releaser starts to yield, then to sleep briefly between checks. */
    private static final int SPINS = 1_000;

    private static final int YIELDS = 1_000;
    private static final long PARK_NANOS = 50_000;

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        assert Integer.bitCount(STRIPES) == 1 && STRIPES >= 4 && STRIPES <= 256 : STRIPES;
    }

    /** Phase p, stripe s lives at {@code ((p * STRIPES) + s) * STRIDE}. */
    private final long[] counts = new long[2 * STRIPES * STRIDE];

    private volatile int phase;

    /**
     * Announces a reader. Pass the returned ticket to {@link #exit(int)} exactly once, in a
     * {@code finally} block, after the last access to shared memory.
     */
    int enter() {
        int index = ((phase * STRIPES) + (int) (Thread.currentThread().threadId() & STRIPE_MASK)) * STRIDE;
        COUNT.getAndAdd(counts, index, 1L);
        return index;
    }

    /** Ends a read begun by {@link #enter()}. */
    void exit(int ticket) {
        long before = (long) COUNT.getAndAdd(counts, ticket, -1L);
        assert before > 0 : "read gate stripe " + ticket + " underflow";
    }

    /**
     * Returns once every reader that may have seen memory made unreachable before the call has
     * left. Releasers are serialized; readers are never blocked. Keeps the caller's interrupt
     * status as it was and is not cut short by it.
     */
    synchronized void awaitReaders() {
        int old = phase;
        int next = old ^ 1;
        awaitEmpty(next);
        phase = next;
        awaitEmpty(old);
    }

    private void awaitEmpty(int p) {
        for (int s = 0; s < STRIPES; s++) {
            int index = ((p * STRIPES) + s) * STRIDE;
            for (int tries = 0; (long) COUNT.getVolatile(counts, index) != 0; tries++) {
                if (tries < SPINS) {
                    Thread.onSpinWait();
                } else if (tries < SPINS + YIELDS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(PARK_NANOS); // returns at once when interrupted; the status is left alone
                }
            }
        }
    }

    /** Readers inside the gate now, for tests and assertions; a racy sum. */
    long readersInside() {
        long total = 0;
        for (int i = 0; i < counts.length; i += STRIDE) {
            total += (long) COUNT.getVolatile(counts, i);
        }
        return total;
    }
}
