package io.seqs.kafka;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;

/**
 * A state store context for store-level tests: Kafka's {@link MockProcessorContext} with the
 * restore callback a store registers kept, so a test can feed it changelog batches as Kafka
 * Streams' restore consumer would (through Kafka's internal batching callback, the one the
 * store registers).
 */
final class CapturingContext implements StateStoreContext {
    static final String CHANGELOG = "app-store-changelog";

    private final MockProcessorContext<Object, Object> processorContext;
    private final StateStoreContext delegate;
    private StateRestoreCallback restoreCallback;

    private CapturingContext(Properties config, Path stateDir) {
        this.processorContext = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
        this.delegate = processorContext.getStateStoreContext();
    }

    /** A context for an at-least-once application whose state lives under {@code stateDir}. */
    static CapturingContext atLeastOnce(Path stateDir) {
        return with(stateDir, Map.of());
    }

    /** A context for an exactly-once application whose state lives under {@code stateDir}. */
    static CapturingContext exactlyOnce(Path stateDir) {
        return with(stateDir, Map.of(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2));
    }

    /** A context with the given settings on top of an application id and bootstrap servers. */
    static CapturingContext with(Path stateDir, Map<String, String> settings) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        config.putAll(settings);
        return new CapturingContext(config, stateDir);
    }

    /** Sets the metadata of the record "being processed", which moves the store's position. */
    void setRecord(String topic, int partition, long offset) {
        processorContext.setRecordMetadata(topic, partition, offset);
    }

    /** Hands {@code records} to the store's restore callback as one batch, as the restore consumer does. */
    void restore(List<ConsumerRecord<byte[], byte[]>> records) {
        if (restoreCallback == null) {
            throw new IllegalStateException("no store registered a restore callback");
        }
        ((RecordBatchingStateRestoreCallback) restoreCallback).restoreBatch(records);
    }

    /**
     * Whether the registered callback takes whole batches of changelog records, as Kafka's own persistent stores do.
     */
    boolean batching() {
        return restoreCallback instanceof RecordBatchingStateRestoreCallback;
    }

    /** A changelog record of partition 0; a null value is a delete. */
    static ConsumerRecord<byte[], byte[]> changelogRecord(long offset, byte[] key, byte[] value) {
        return new ConsumerRecord<>(CHANGELOG, 0, offset, key, value);
    }

    /** Changelog records of consecutive offsets from {@code firstOffset}. */
    static List<ConsumerRecord<byte[], byte[]>> changelog(
            long firstOffset, Collection<Map.Entry<byte[], byte[]>> entries) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long offset = firstOffset;
        for (Map.Entry<byte[], byte[]> e : entries) {
            out.add(changelogRecord(offset++, e.getKey(), e.getValue()));
        }
        return out;
    }

    @Override
    public void register(StateStore store, StateRestoreCallback callback) {
        this.restoreCallback = callback;
        delegate.register(store, callback);
    }

    @Override
    public void register(StateStore store, StateRestoreCallback callback, CommitCallback onCommit) {
        this.restoreCallback = callback;
        delegate.register(store, callback, onCommit);
    }

    @Override
    public String applicationId() {
        return delegate.applicationId();
    }

    @Override
    public TaskId taskId() {
        return delegate.taskId();
    }

    @Override
    public Optional<RecordMetadata> recordMetadata() {
        return delegate.recordMetadata();
    }

    @Override
    public Serde<?> keySerde() {
        return delegate.keySerde();
    }

    @Override
    public Serde<?> valueSerde() {
        return delegate.valueSerde();
    }

    @Override
    public File stateDir() {
        return delegate.stateDir();
    }

    @Override
    public StreamsMetrics metrics() {
        return delegate.metrics();
    }

    @Override
    public Map<String, Object> appConfigs() {
        return delegate.appConfigs();
    }

    @Override
    public Map<String, Object> appConfigsWithPrefix(String prefix) {
        return delegate.appConfigsWithPrefix(prefix);
    }
}
