package io.seqs.kafka;

import java.util.Objects;
import java.util.function.BiFunction;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/** Supplies plain or timestamped seqs key-value stores; see {@link SeqsStores}. */
sealed class SeqsKeyValueBytesStoreSupplier implements KeyValueBytesStoreSupplier
        permits SeqsHeadersKeyValueBytesStoreSupplier {
    /** The metrics scope of every seqs store. */
    static final String METRICS_SCOPE = "seqs";

    private final String name;
    private final StoreSettings settings;
    private final BiFunction<String, StoreSettings, SeqsKeyValueStore> factory;

    SeqsKeyValueBytesStoreSupplier(
            String name, StoreSettings settings, BiFunction<String, StoreSettings, SeqsKeyValueStore> factory) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return factory.apply(name, settings);
    }

    @Override
    public String metricsScope() {
        return METRICS_SCOPE;
    }
}
