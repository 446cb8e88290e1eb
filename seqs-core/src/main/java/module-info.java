/**
 * seqs, an embedded store of the latest value per key. The module exports only {@code io.seqs},
 * the API; the engine's packages ({@code io.seqs.internal.*}) are closed to other modules.
 *
 * <p>Micrometer is optional: the meters exist only when a registry is given to the builder, and
 * then Micrometer is on the path. Native access, when granted with
 * {@code --enable-native-access=io.seqs}, lets the store reserve disk space with
 * {@code fallocate}; without it, a free-space check with a margin is used instead.
 */
// micrometer.core and org.lz4.java are automatic modules whose names are declared in their manifests (a stable name,
// not one derived from a file name). SeqsBuilder.meterRegistry takes its MeterRegistry, yet the
// requirement is not transitive: an application that passes a registry requires Micrometer
// itself, and one that does not compiles and runs without it.
@SuppressWarnings("requires-automatic")
module io.seqs {
    requires com.dynatrace.hash4j;
    requires org.lz4.java;
    requires static micrometer.core;

    exports io.seqs;
}
