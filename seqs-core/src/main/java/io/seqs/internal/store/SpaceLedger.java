package io.seqs.internal.store;

/** What the other shards of an epoch have mapped for writing but not yet written. */
public interface SpaceLedger {
    long unwrittenBytesExcept(Shard asking);
}
