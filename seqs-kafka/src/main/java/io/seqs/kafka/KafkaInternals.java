package io.seqs.kafka;

import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.ChangelogRecordDeserializationHelper;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.internals.StoreQueryUtils;

/**
 * Every use of Kafka Streams' internal packages in this module, so that a Kafka upgrade that
 * moves them breaks this one class: the batching restore callback (Kafka's own persistent stores
 * restore through it, receiving whole {@link ConsumerRecord}s with null values for deletes) and
 * the helpers that serve basic IQv2 queries and track a store's position.
 */
final class KafkaInternals {
    private KafkaInternals() {}

    /** A restore callback that hands Kafka's restore batches to {@code restoreBatch} whole. */
    static StateRestoreCallback batchingRestoreCallback(
            Consumer<Collection<ConsumerRecord<byte[], byte[]>>> restoreBatch) {
        return (RecordBatchingStateRestoreCallback) restoreBatch::accept;
    }

    /** Serves the queries Kafka serves for every store (position and collect-execution-info queries). */
    static <R> QueryResult<R> handleBasicQueries(
            Query<R> query,
            PositionBound bound,
            QueryConfig config,
            StateStore store,
            Position position,
            StateStoreContext context) {
        return StoreQueryUtils.handleBasicQueries(query, bound, config, store, position, context);
    }

    /**
     * Whether the application tracks IQv2 position vectors in its changelog records' headers
     * (an internal setting, off unless set).
     */
    static boolean consistencyEnabled(Map<String, Object> appConfigs) {
        return StreamsConfig.InternalConfig.getBoolean(
                appConfigs, StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED, false);
    }

    /**
     * Checks a changelog record's headers and, when positions are tracked, merges the position
     * they carry into {@code position}: what Kafka's own stores do for each record they restore.
     */
    static void updatePositionFromChangelog(
            ConsumerRecord<byte[], byte[]> record, boolean consistencyEnabled, Position position) {
        ChangelogRecordDeserializationHelper.applyChecksAndUpdatePosition(record, consistencyEnabled, position);
    }

    /** Advances {@code position} to the record being processed, when there is one. */
    static void updatePosition(Position position, StateStoreContext context) {
        StoreQueryUtils.updatePosition(position, context);
    }
}
