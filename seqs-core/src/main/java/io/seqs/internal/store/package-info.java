/**
 * The engine: a store directory's epochs, each epoch's shards, and a shard's parts (log writer,
 * group commit, checkpointer, scan, recovery), with the grace period that lets memory be released
 * while readers take no lock.
 */
package io.seqs.internal.store;
