package io.seqs;

/**
 * A shard's index or its log address space is full for the current epoch. Nothing was written;
 * the store keeps working for reads, deletes and updates of keys it holds. Reset the epoch, or
 * create the store with more shards.
 */
public final class CapacityExceededException extends SeqsException {
    /** Serialized form version. */
    private static final long serialVersionUID = 1L;

    /**
     * Reports a full index or log address space; the store throws this, applications normally
     * only catch it.
     *
     * @param message which shard, which limit, and what to do
     */
    public CapacityExceededException(String message) {
        super(message);
    }
}
