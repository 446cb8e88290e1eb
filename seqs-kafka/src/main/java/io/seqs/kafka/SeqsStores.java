package io.seqs.kafka;

import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/**
 * Factories of persistent Kafka Streams key-value stores kept in seqs, the counterpart of
 * Kafka's {@link org.apache.kafka.streams.state.Stores} for the three key-value formats.
 *
 * <p>Which one to use: with the DSL ({@code Materialized.as(...)}), use
 * {@link #timestampedKeyValueStore(String)}; Kafka wraps a plain store in an adapter that drops
 * every record timestamp (its own plain RocksDB store behaves the same). With
 * {@code dsl.store.format=HEADERS}, use {@link #timestampedKeyValueStoreWithHeaders(String)}.
 * For the Processor API with {@code Stores.keyValueStoreBuilder}, use {@link #keyValueStore(String)}.
 * To give every DSL key-value store to seqs, set {@code dsl.store.suppliers.class} to
 * {@link SeqsDslStoreSuppliers} instead.
 *
 * <p>Every store: point reads and writes, {@code all()} in no particular order, no range or
 * prefix queries ({@link UnsupportedOperationException}), keys of up to 65,534 bytes (the empty
 * key included), values of up to 64 MiB.
 */
public final class SeqsStores {
    private SeqsStores() {}

    /**
     * A persistent key-value store in seqs whose values are stored as given.
     *
     * @param name the store's name, also its directory's name under the task's state directory
     * @return a supplier of such stores
     * @throws NullPointerException when {@code name} is null
     */
    public static KeyValueBytesStoreSupplier keyValueStore(String name) {
        return new SeqsKeyValueBytesStoreSupplier(checked(name), StoreSettings.DEFAULT, SeqsKeyValueStore::new);
    }

    /**
     * A persistent key-value store in seqs in Kafka's timestamped format: the DSL keeps each
     * record's timestamp with its value.
     *
     * @param name the store's name, also its directory's name under the task's state directory
     * @return a supplier of such stores
     * @throws NullPointerException when {@code name} is null
     */
    public static KeyValueBytesStoreSupplier timestampedKeyValueStore(String name) {
        return new SeqsKeyValueBytesStoreSupplier(
                checked(name), StoreSettings.DEFAULT, SeqsTimestampedKeyValueStore::new);
    }

    /**
     * A persistent key-value store in seqs in Kafka's headers format: the DSL keeps each record's
     * timestamp and headers with its value.
     *
     * @param name the store's name, also its directory's name under the task's state directory
     * @return a supplier of such stores
     * @throws NullPointerException when {@code name} is null
     */
    public static KeyValueBytesStoreSupplier timestampedKeyValueStoreWithHeaders(String name) {
        return new SeqsHeadersKeyValueBytesStoreSupplier(checked(name), StoreSettings.DEFAULT);
    }

    private static String checked(String name) {
        if (name == null) {
            throw new NullPointerException("name cannot be null");
        }
        return name;
    }
}
