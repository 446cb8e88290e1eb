/**
 * seqs as a Kafka Streams key-value state store: {@link io.seqs.kafka.SeqsStores} for a single
 * store, {@link io.seqs.kafka.SeqsDslStoreSuppliers} for every store the DSL creates.
 */
package io.seqs.kafka;
