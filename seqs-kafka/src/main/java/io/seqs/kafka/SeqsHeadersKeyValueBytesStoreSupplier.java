package io.seqs.kafka;

import org.apache.kafka.streams.state.HeadersBytesStoreSupplier;

/**
 * Supplies seqs key-value stores in Kafka's headers format. It carries the
 * {@link HeadersBytesStoreSupplier} mark, which is how the DSL knows to build a headers store
 * around it; see {@link SeqsStores}.
 */
final class SeqsHeadersKeyValueBytesStoreSupplier extends SeqsKeyValueBytesStoreSupplier
        implements HeadersBytesStoreSupplier {
    SeqsHeadersKeyValueBytesStoreSupplier(String name, StoreSettings settings) {
        super(name, settings, SeqsHeadersKeyValueStore::new);
    }
}
