package io.seqs;

/**
 * Creates the Micrometer instruments. Kept apart so that {@link Seqs} names no Micrometer type
 * and loads without Micrometer on the class path: this class is only touched when a registry
 * was given, which means Micrometer is there.
 */
final class MeterBinding {
    private MeterBinding() {}

    static Instruments bind(Config config, Seqs store, int shards) {
        return new MicrometerInstruments((io.micrometer.core.instrument.MeterRegistry) config.meterRegistry(),
                config.metricsName(), store, shards);
    }
}
