package io.seqs;

/**
 * What a completed write survives. See the durability table in {@code docs/operations.md}.
 *
 * <ul>
 *   <li>{@link #PROCESS}: a completed write is in the page cache; it survives the process being
 *       killed, and a power loss only once {@link Seqs#flush()} has returned after it.
 *   <li>{@link #PERIODIC}: as PROCESS, plus a background flusher forces the log every
 *       {@code flushInterval}, so a power loss loses at most the writes of the last interval.
 *   <li>{@link #SYNC}: a write returns only once it is on stable storage; concurrent writers of a
 *       shard share one force (group commit).
 * </ul>
 */
public enum Durability {
    /**
     * Completed writes survive the process being killed; a power loss keeps what the last {@link Seqs#flush()} forced.
     */
    PROCESS,
    /** As {@link #PROCESS}, and the log is forced in the background every {@code flushInterval}. */
    PERIODIC,
    /** A write returns once it is on stable storage (concurrent writers of a shard share one force). */
    SYNC
}
