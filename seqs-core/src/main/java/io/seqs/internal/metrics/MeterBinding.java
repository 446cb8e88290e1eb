package io.seqs.internal.metrics;

import io.seqs.internal.store.Config;

/**
 * Creates the Micrometer instruments. Kept apart so that {@code Seqs} names no Micrometer type
 * and loads without Micrometer on the class path: this class is only touched when a registry
 * was given, which means Micrometer is there.
 */
public final class MeterBinding {
    private MeterBinding() {}

    public static Instruments bind(Config config, StatsCache store, int shards) {
        return new MicrometerInstruments(
                (io.micrometer.core.instrument.MeterRegistry) config.meterRegistry(),
                config.metricsName(),
                store,
                shards);
    }
}
