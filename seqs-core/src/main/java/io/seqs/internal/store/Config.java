package io.seqs.internal.store;

import io.seqs.Compression;
import io.seqs.Durability;
import io.seqs.SeqsBuilder;
import java.nio.file.Path;
import java.time.Duration;

/** The options a store runs with, validated by {@link SeqsBuilder}. */
public record Config(
        Path directory,
        Path checkpointDirectory,
        int shards,
        boolean shardsExplicit,
        long segmentSize,
        Durability durability,
        Duration flushInterval,
        Duration checkpointInterval,
        long expectedKeys,
        long freeSpaceMarginBytes,
        boolean verifyChecksums,
        int latencySampleEvery,
        // an io.micrometer.core.instrument.MeterRegistry, or null; typed Object so Micrometer stays optional
        Object meterRegistry,
        String metricsName,
        // open without changing a byte on disk: no repair, no manifest, no checkpoint, no write
        boolean readOnly,
        Compression compression,
        // dead fraction past which a sealed segment is reclaimed; 0 = never
        double reclaimThreshold,
        long reclaimBytesPerSecond) {}
