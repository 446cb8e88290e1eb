package io.seqs.kafka;

import io.seqs.Durability;
import io.seqs.Seqs;
import io.seqs.SeqsBuilder;
import java.nio.file.Path;

/**
 * How each seqs store behind a Kafka Streams store is opened. A Kafka Streams instance opens one
 * store per task and per stateful operator, often hundreds per JVM, so the defaults are small:
 * two shards, 64 MiB segments, an index that grows from empty, and no background flush (the
 * changelog topic is the durable copy; {@code commit} forces the log before it records an
 * offset). Index checkpoints keep their default interval, which bounds the log a reopen after a
 * crash replays.
 *
 * @param shards shards per store, a power of two (see {@link SeqsBuilder#shards(int)})
 * @param segmentSize bytes per segment file (see {@link SeqsBuilder#segmentSize(long)})
 * @param expectedKeys keys to size the index for up front; 0 lets it grow
 */
record StoreSettings(int shards, long segmentSize, long expectedKeys) {
    /** Two shards, 64 MiB segments, a growing index. */
    static final StoreSettings DEFAULT = new StoreSettings(2, 64L << 20, 0);

    /**
     * Opens (or creates) the seqs store in {@code dir}.
     *
     * @throws io.seqs.SeqsException when the directory cannot be opened as a store
     * @throws IllegalStateException when the store is open already
     */
    Seqs open(Path dir) {
        return Seqs.builder(dir)
                .shards(shards)
                .segmentSize(segmentSize)
                .expectedKeys(expectedKeys)
                .durability(Durability.PROCESS)
                .open();
    }
}
