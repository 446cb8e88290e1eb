package io.seqs.kafka;

import io.seqs.Compression;
import io.seqs.Durability;
import io.seqs.Seqs;
import io.seqs.SeqsBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigException;

/**
 * How each seqs store behind a Kafka Streams store is opened. A Kafka Streams instance opens one
 * store per task and per stateful operator, often hundreds per JVM, so the defaults are small:
 * two shards, 64 MiB segments, an index that grows from empty, and no background flush (the
 * changelog topic is the durable copy; {@code commit} forces the log before it records an
 * offset). Index checkpoints keep their default interval, which bounds the log a reopen after a
 * crash replays.
 *
 * <p>The application's configuration may change the defaults for every seqs store it opens:
 * {@value #SHARDS_CONFIG}, {@value #SEGMENT_BYTES_CONFIG}, {@value #EXPECTED_KEYS_CONFIG} (per
 * store, that is per task and operator), {@value #COMPRESSION_CONFIG} and
 * {@value #RECLAIM_THRESHOLD_CONFIG}. The shard count applies to stores created from then on
 * (seqs keeps an existing store's count); the segment size to an existing store's next epoch;
 * compression to the values written from then on.
 *
 * @param shards shards per store, a power of two (see {@link SeqsBuilder#shards(int)})
 * @param segmentSize bytes per segment file (see {@link SeqsBuilder#segmentSize(long)})
 * @param expectedKeys keys to size the index for up front; 0 lets it grow
 * @param compression how values are stored (see {@link SeqsBuilder#compression(Compression)})
 * @param reclaimThreshold dead fraction past which a segment is reclaimed, 0 for never (see
 *     {@link SeqsBuilder#reclaimThreshold(double)})
 */
record StoreSettings(
        int shards, long segmentSize, long expectedKeys, Compression compression, double reclaimThreshold) {
    /** Shards per store, a power of two in 1..1024. */
    static final String SHARDS_CONFIG = "seqs.store.shards";
    /** Bytes per segment file, a multiple of 4096 in 64 KiB..1 GiB. */
    static final String SEGMENT_BYTES_CONFIG = "seqs.store.segment.bytes";
    /** Keys each store's index is sized for when created; 0 lets it grow. */
    static final String EXPECTED_KEYS_CONFIG = "seqs.store.expected.keys";
    /** How values are stored: NONE or LZ4. */
    static final String COMPRESSION_CONFIG = "seqs.store.compression";
    /** Dead fraction past which a sealed segment is reclaimed: 0 (never) or 0.05..0.95. */
    static final String RECLAIM_THRESHOLD_CONFIG = "seqs.store.reclaim.threshold";

    /** Two shards, 64 MiB segments, a growing index, seqs' own compression and reclamation defaults. */
    static final StoreSettings DEFAULT =
            new StoreSettings(2, 64L << 20, 0, SeqsBuilder.DEFAULT_COMPRESSION, SeqsBuilder.DEFAULT_RECLAIM_THRESHOLD);

    /**
     * These settings with the application's {@code seqs.store.*} settings applied.
     *
     * @throws ConfigException when a setting is not a number
     */
    StoreSettings withOverrides(Map<String, Object> configs) {
        long n = setting(configs, SHARDS_CONFIG, (long) shards, Long::parseLong, "not a whole number");
        if (n < 1 || n > SeqsBuilder.MAX_SHARDS) {
            throw new ConfigException(SHARDS_CONFIG, n, "must be a power of two in 1.." + SeqsBuilder.MAX_SHARDS);
        }
        return new StoreSettings(
                (int) n,
                setting(configs, SEGMENT_BYTES_CONFIG, segmentSize, Long::parseLong, "not a whole number"),
                setting(configs, EXPECTED_KEYS_CONFIG, expectedKeys, Long::parseLong, "not a whole number"),
                setting(
                        configs,
                        COMPRESSION_CONFIG,
                        compression,
                        v -> Compression.valueOf(v.toUpperCase(Locale.ROOT)),
                        "must be NONE or LZ4"),
                setting(configs, RECLAIM_THRESHOLD_CONFIG, reclaimThreshold, Double::parseDouble, "not a number"));
    }

    /**
     * The application's value of {@code key}, parsed, or {@code fallback} when it sets none.
     *
     * @throws ConfigException naming the setting when {@code parse} refuses the value
     */
    private static <T> T setting(
            Map<String, Object> configs, String key, T fallback, Function<String, T> parse, String expected) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return parse.apply(value.toString().trim());
        } catch (IllegalArgumentException e) { // NumberFormatException too
            throw new ConfigException(key, value, expected);
        }
    }

    /**
     * Opens (or creates) the seqs store in {@code dir}.
     *
     * @throws ConfigException when a setting is out of seqs' range (the message names it)
     * @throws io.seqs.SeqsException when the directory cannot be opened as a store
     * @throws IllegalStateException when the store is open already
     * @throws IOException when the directory cannot be listed
     */
    Seqs open(Path dir) throws IOException {
        SeqsBuilder builder;
        try {
            builder = Seqs.builder(dir)
                    .segmentSize(segmentSize)
                    .expectedKeys(expectedKeys)
                    .compression(compression)
                    .reclaimThreshold(reclaimThreshold)
                    .durability(Durability.PROCESS);
            if (isNew(dir)) {
                builder.shards(shards); // an existing store keeps its shard count; asking for another fails
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid seqs.store.* setting for the store in " + dir + ": " + e.getMessage());
        }
        return builder.open();
    }

    private static boolean isNew(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
