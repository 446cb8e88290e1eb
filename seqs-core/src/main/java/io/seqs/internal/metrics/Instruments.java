package io.seqs.internal.metrics;

/** Where the store reports timed events beyond its own counters: nowhere, or a meter registry. */
public interface Instruments extends AutoCloseable {
    Instruments NONE = new Instruments() {};

    /** One sampled get latency; called by whoever drains the samples, never on the get's own thread. */
    default void get(long nanos) {}

    /** One sampled put latency; called by whoever drains the samples, never on the put's own thread. */
    default void put(long nanos) {}

    default void flush(long nanos) {}

    default void checkpoint(long nanos) {}

    default void reset(long nanos) {}

    default void recovery(long nanos) {}

    @Override
    default void close() {}
}
