package io.seqs.kafka;

import org.apache.kafka.streams.state.TimestampedBytesStore;

/**
 * A {@link SeqsKeyValueStore} whose values carry the record timestamp in front (Kafka's
 * timestamped format), so the DSL stores timestamps instead of dropping them through its
 * plain-to-timestamped adapter. The store itself treats values as opaque bytes.
 */
final class SeqsTimestampedKeyValueStore extends SeqsKeyValueStore implements TimestampedBytesStore {
    SeqsTimestampedKeyValueStore(String name, StoreSettings settings) {
        super(name, settings);
    }

    @Override
    String valueFormat() {
        return "timestamped";
    }
}
