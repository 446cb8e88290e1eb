package io.seqs;

/** What the other shards of an epoch have mapped for writing but not yet written. */
interface SpaceLedger {
    long unwrittenBytesExcept(Shard asking);
}
