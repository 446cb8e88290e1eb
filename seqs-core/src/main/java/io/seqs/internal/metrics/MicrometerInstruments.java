package io.seqs.internal.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.seqs.SeqsStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The store's meters, {@code seqs.*}, tagged {@code name} (and {@code shard} where balance
 * matters). Counters and gauges are functions over the store's own figures, read through a
 * snapshot cached for a moment, so meters add no work to puts and gets; the timers of gets and
 * puts receive the store's latency samples when they are drained, once a second on the store's
 * maintenance thread and at every {@code stats()}, so no Micrometer code runs on an operation's
 * thread either. Meters hold the store weakly, like Micrometer's
 * cache binders. The only class of seqs that touches Micrometer, so the library runs without it.
 */
public final class MicrometerInstruments implements Instruments {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Timer get;
    private final Timer put;
    private final Timer flush;
    private final Timer checkpoint;
    private final Timer reset;
    private final Timer recovery;

    MicrometerInstruments(MeterRegistry registry, String name, StatsCache store, int shards) {
        this.registry = registry;
        Tags tags = Tags.of("name", name);
        get = timer("seqs.get", "get latency, sampled", tags, true);
        put = timer(
                "seqs.put",
                "put latency including any wait for the shard and, under SYNC, the force; sampled",
                tags,
                true);
        flush = timer("seqs.flush", "time to force every shard's log", tags, false);
        checkpoint = timer("seqs.checkpoint", "time to write every shard's index checkpoint", tags, false);
        reset = timer("seqs.reset", "time for resetEpoch to switch to an empty epoch", tags, false);
        recovery = timer("seqs.recovery", "time open took to recover the store", tags, false);

        storeMeters(tags, store);
        for (int i = 0; i < shards; i++) {
            shardMeters(tags, store, i);
        }
    }

    /** Counters and gauges of the whole store. */
    private void storeMeters(Tags tags, StatsCache store) {
        counter("seqs.records.written", "puts and deletes appended", "records", tags, store, s -> s.recordsWritten());
        counter("seqs.puts", "puts", "operations", tags, store, SeqsStats::puts);
        counter("seqs.deletes", "deletes of live keys", "operations", tags, store, SeqsStats::deletes);
        counter("seqs.gets", "gets", "operations", tags, store, SeqsStats::gets);
        counter(
                "seqs.bytes.logical",
                "key and value bytes handed to the store",
                "bytes",
                tags,
                store,
                SeqsStats::logicalBytes);
        counter(
                "seqs.bytes.written",
                "bytes written to files: records, headers, padding, checkpoints",
                "bytes",
                tags,
                store,
                SeqsStats::physicalBytes);
        counter(
                "seqs.recovery.dropped.records",
                "records dropped at open because the log was torn or corrupt",
                "records",
                tags,
                store,
                SeqsStats::recoveryDroppedRecords);
        counter(
                "seqs.recovery.dropped.bytes",
                "bytes dropped at open because the log was torn or corrupt",
                "bytes",
                tags,
                store,
                SeqsStats::recoveryDroppedBytes);
        gauge(
                "seqs.write.amplification",
                "bytes written over logical bytes",
                null,
                tags,
                store,
                SeqsStats::writeAmplification);
        gauge(
                "seqs.space.live.bytes",
                "bytes of records the index points at",
                "bytes",
                tags,
                store,
                SeqsStats::liveBytes);
        gauge(
                "seqs.space.dead.bytes",
                "bytes of overwritten and deleted records",
                "bytes",
                tags,
                store,
                SeqsStats::deadBytes);
        gauge("seqs.index.bytes", "off-heap bytes of the index tables", "bytes", tags, store, SeqsStats::indexBytes);
        gauge(
                "seqs.index.bytes.per.key",
                "index bytes per live key",
                "bytes",
                tags,
                store,
                SeqsStats::indexBytesPerKey);
        compressionAndReclaimMeters(tags, store);
        gauge("seqs.epoch", "current epoch", null, tags, store, SeqsStats::epoch);
    }

    /** What compression and reclamation do and cost. */
    private void compressionAndReclaimMeters(Tags tags, StatsCache store) {
        counter(
                "seqs.compression.input.bytes",
                "value bytes offered to the compressor",
                "bytes",
                tags,
                store,
                SeqsStats::compressionInputBytes);
        counter(
                "seqs.compression.output.bytes",
                "bytes stored for the values offered to the compressor",
                "bytes",
                tags,
                store,
                SeqsStats::compressionOutputBytes);
        storeTimer(
                "seqs.compression",
                "time spent compressing values (estimated from samples)",
                tags,
                store,
                SeqsStats::compressionInputs,
                SeqsStats::compressionNanos);
        storeTimer(
                "seqs.decompression",
                "time spent decompressing values (estimated from samples)",
                tags,
                store,
                SeqsStats::decompressions,
                SeqsStats::decompressionNanos);
        counter(
                "seqs.reclaim.segments",
                "segment files reclaimed",
                "segments",
                tags,
                store,
                SeqsStats::reclaimedSegments);
        counter(
                "seqs.reclaim.bytes.freed",
                "bytes of the segment files reclaimed",
                "bytes",
                tags,
                store,
                SeqsStats::reclaimedBytes);
        counter(
                "seqs.reclaim.bytes.copied",
                "bytes reclamation copied to the log's tail",
                "bytes",
                tags,
                store,
                SeqsStats::reclaimCopiedBytes);
        storeTimer(
                "seqs.reclaim",
                "time spent reclaiming segments",
                tags,
                store,
                SeqsStats::reclaimedSegments,
                SeqsStats::reclaimNanos);
    }

    /** A timer over a count and a total time the store keeps itself. */
    private void storeTimer(
            String name,
            String description,
            Tags tags,
            StatsCache store,
            ToLongFunction<SeqsStats> count,
            ToLongFunction<SeqsStats> nanos) {
        meters.add(FunctionTimer.builder(
                        name,
                        store,
                        s -> count.applyAsLong(s.get()),
                        s -> nanos.applyAsLong(s.get()),
                        TimeUnit.NANOSECONDS)
                .description(description)
                .tags(tags)
                .register(registry));
    }

    /** Gauges, counters and timers of one shard, tagged with its index, to show the balance. */
    private void shardMeters(Tags tags, StatsCache store, int shard) {
        Tags shardTags = tags.and("shard", Integer.toString(shard));
        gauge(
                "seqs.keys",
                "live keys",
                "keys",
                shardTags,
                store,
                st -> st.shards().get(shard).keys());
        gauge(
                "seqs.index.load",
                "occupied index slots over all slots",
                null,
                shardTags,
                store,
                st -> st.shards().get(shard).indexLoadFactor());
        counter(
                "seqs.shard.records.written",
                "puts and deletes appended to the shard",
                "records",
                shardTags,
                store,
                st -> st.shards().get(shard).puts() + st.shards().get(shard).deletes());
        counter(
                "seqs.shard.bytes.logical",
                "key and value bytes handed to the shard",
                "bytes",
                shardTags,
                store,
                st -> st.shards().get(shard).logicalBytes());
        meters.add(FunctionTimer.builder(
                        "seqs.shard.wait",
                        store,
                        s -> s.get().shards().get(shard).lockWaits(),
                        s -> s.get().shards().get(shard).lockWaitNanos(),
                        TimeUnit.NANOSECONDS)
                .description("time writers waited for the shard's lock")
                .tags(shardTags)
                .register(registry));
        meters.add(FunctionTimer.builder(
                        "seqs.shard.write",
                        store,
                        s -> s.get().shards().get(shard).puts()
                                + s.get().shards().get(shard).deletes(),
                        s -> s.get().shards().get(shard).writeNanos(),
                        TimeUnit.NANOSECONDS)
                .description("time writers held the shard's lock to append and index (estimated from samples)")
                .tags(shardTags)
                .register(registry));
    }

    private Timer timer(String name, String description, Tags tags, boolean percentiles) {
        Timer.Builder b = Timer.builder(name).description(description).tags(tags);
        if (percentiles) {
            b.publishPercentiles(0.5, 0.99, 0.999).publishPercentileHistogram();
        }
        Timer t = b.register(registry);
        meters.add(t);
        return t;
    }

    private void counter(
            String name, String description, String unit, Tags tags, StatsCache store, ToDoubleFunction<SeqsStats> f) {
        meters.add(FunctionCounter.builder(name, store, s -> f.applyAsDouble(s.get()))
                .description(description)
                .baseUnit(unit)
                .tags(tags)
                .register(registry));
    }

    private void gauge(
            String name, String description, String unit, Tags tags, StatsCache store, ToDoubleFunction<SeqsStats> f) {
        meters.add(Gauge.builder(name, store, s -> f.applyAsDouble(s.get()))
                .description(description)
                .baseUnit(unit)
                .tags(tags)
                .register(registry));
    }

    @Override
    public void get(long nanos) {
        get.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void put(long nanos) {
        put.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void flush(long nanos) {
        flush.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void checkpoint(long nanos) {
        checkpoint.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void reset(long nanos) {
        reset.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void recovery(long nanos) {
        recovery.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Removes the meters, so a closed store leaves nothing behind in a shared registry. */
    @Override
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
