package io.seqs.kafka;

import org.apache.kafka.streams.state.HeadersBytesStore;

/**
 * A {@link SeqsKeyValueStore} whose values carry the record's headers and timestamp (Kafka's
 * headers format, {@code dsl.store.format=HEADERS}). The store itself treats values as opaque bytes.
 */
final class SeqsHeadersKeyValueStore extends SeqsKeyValueStore implements HeadersBytesStore {
    SeqsHeadersKeyValueStore(String name, StoreSettings settings) {
        super(name, settings);
    }

    @Override
    String valueFormat() {
        return "headers";
    }
}
