package io.seqs.kafka;

import java.util.Map;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslSessionParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

/**
 * Gives the DSL's key-value stores to seqs and everything a hash store cannot serve to Kafka's
 * own RocksDB stores. Set {@code dsl.store.suppliers.class} to this class.
 *
 * <p>seqs serves: KTable materialization, count, reduce, aggregate, cogroup, stream-table,
 * table-table and GlobalKTable joins, interactive get and approximateNumEntries. Kafka's RocksDB
 * stores serve: window and session stores, the foreign-key join's subscription store (it reads
 * key ranges) and the stream-stream left and outer join's shared store (it reads in key order);
 * the last two are told apart by the names the DSL gives them ({@link OrderedStoreNames}).
 * Versioned stores are never asked of a {@code DslStoreSuppliers}; they stay Kafka's.
 */
public final class SeqsDslStoreSuppliers implements DslStoreSuppliers {
    private final DslStoreSuppliers kafka = new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers();

    /** Creates the suppliers; Kafka Streams does so from {@code dsl.store.suppliers.class}. */
    public SeqsDslStoreSuppliers() {}

    /**
     * Passes the configuration on to Kafka's suppliers.
     *
     * @param configs the application's configuration
     */
    @Override
    public void configure(Map<String, ?> configs) {
        kafka.configure(configs);
    }

    /**
     * A seqs store in the format asked for, or Kafka's RocksDB store for a store the DSL reads
     * in key order.
     *
     * @param params the store's name and format
     * @return the store's supplier
     * @throws IllegalArgumentException when the format is one this class does not know (a newer Kafka's)
     */
    @Override
    public KeyValueBytesStoreSupplier keyValueStore(DslKeyValueParams params) {
        if (OrderedStoreNames.needsKeyOrder(params.name())) {
            return kafka.keyValueStore(params);
        }
        return switch (params.dslStoreFormat()) {
            case PLAIN -> SeqsStores.keyValueStore(params.name());
            case TIMESTAMPED -> SeqsStores.timestampedKeyValueStore(params.name());
            case HEADERS -> SeqsStores.timestampedKeyValueStoreWithHeaders(params.name());
            default ->
                throw new IllegalArgumentException(
                        "store " + params.name() + ": unknown store format " + params.dslStoreFormat());
        };
    }

    /**
     * Kafka's RocksDB window store: a window store reads time ranges.
     *
     * @param params the store's parameters
     * @return Kafka's supplier
     */
    @Override
    public WindowBytesStoreSupplier windowStore(DslWindowParams params) {
        return kafka.windowStore(params);
    }

    /**
     * Kafka's RocksDB session store: a session store reads time ranges.
     *
     * @param params the store's parameters
     * @return Kafka's supplier
     */
    @Override
    public SessionBytesStoreSupplier sessionStore(DslSessionParams params) {
        return kafka.sessionStore(params);
    }
}
