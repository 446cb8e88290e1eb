/**
 * The seqs API: an embedded store of the latest value per key.
 *
 * <p>{@link io.seqs.Seqs} is the store: put, get and delete by key (from byte arrays, or without
 * copying from {@link java.lang.foreign.MemorySegment}s and {@link java.nio.ByteBuffer}s), batches,
 * a whole-store {@code forEach}, and {@code resetEpoch}, which drops every key at once.
 * {@link io.seqs.SeqsBuilder} sets its options; {@link io.seqs.Durability} says what a completed
 * write survives. {@link io.seqs.SeqsStats}, {@link io.seqs.ShardStats} and
 * {@link io.seqs.LatencyStats} are snapshots of its figures. Every failure the store reports is a
 * {@link io.seqs.SeqsException}: {@link io.seqs.CorruptionException} for bytes on disk that fail
 * their checks, {@link io.seqs.DiskFullException} and {@link io.seqs.CapacityExceededException};
 * a bad argument is an {@link java.lang.IllegalArgumentException} and a call on a closed store
 * an {@link java.lang.IllegalStateException}.
 *
 * {@snippet file="io/seqs/ApiExamplesTest.java" region="basics"}
 */
package io.seqs;
