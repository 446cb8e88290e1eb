package io.seqs.kafka;

import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.HeadersBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Supplies seqs key-value stores in Kafka's headers format. It carries the
 * {@link HeadersBytesStoreSupplier} mark, which is how the DSL knows to build a headers store
 * around it; see {@link SeqsStores}.
 */
final class SeqsHeadersKeyValueBytesStoreSupplier implements KeyValueBytesStoreSupplier, HeadersBytesStoreSupplier {
    private final String name;
    private final StoreSettings settings;

    SeqsHeadersKeyValueBytesStoreSupplier(String name, StoreSettings settings) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return new SeqsHeadersKeyValueStore(name, settings);
    }

    @Override
    public String metricsScope() {
        return SeqsKeyValueBytesStoreSupplier.METRICS_SCOPE;
    }
}
