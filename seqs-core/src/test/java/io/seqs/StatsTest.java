package io.seqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The figures are right, not just present: they equal what known operations must produce. */
class StatsTest {
    @TempDir
    Path dir;

    private SeqsBuilder builder() {
        return Seqs.builder(dir)
                .compression(Compression.NONE)
                .shards(2)
                .segmentSize(64 << 10)
                .checkpointInterval(Duration.ZERO)
                .durability(Durability.PROCESS)
                .latencySampleEvery(1);
    }

    static byte[] key(int i) {
        return ("key-" + i).getBytes();
    }

    @Test
    void countsAndBytesEqualWhatWasWritten() {
        long logical = 0;
        long recordBytes = 0;
        try (Seqs s = builder().open()) {
            for (int i = 0; i < 1000; i++) {
                byte[] v = new byte[i % 300];
                s.put(key(i), v);
                logical += key(i).length + v.length;
                recordBytes += RecordDescriptor.recordLength(key(i).length, v.length);
            }
            SeqsStats st = s.stats();
            assertEquals(1000, st.puts());
            assertEquals(1000, st.recordsWritten());
            assertEquals(1000, st.keys());
            assertEquals(logical, st.logicalBytes());
            long segments = st.shards().stream().mapToLong(ShardStats::segments).sum();
            assertEquals(recordBytes + segments * SegmentDescriptor.HEADER_LENGTH, st.physicalBytes());
            assertEquals((double) st.physicalBytes() / logical, st.writeAmplification(), 1e-9);
            assertEquals(recordBytes, st.liveBytes());
            assertEquals(0, st.deadBytes());
            assertEquals(st.indexBytes() / 1000.0, st.indexBytesPerKey(), 1e-9);

            // Overwrite 100 keys: their old records turn dead.
            long overwritten = 0;
            for (int i = 0; i < 100; i++) {
                overwritten += RecordDescriptor.recordLength(key(i).length, i % 300);
                s.put(key(i), new byte[10]);
            }
            // Delete 50 others: their records and the delete records are dead.
            long deleted = 0;
            for (int i = 500; i < 550; i++) {
                deleted += RecordDescriptor.recordLength(key(i).length, i % 300)
                        + RecordDescriptor.recordLength(key(i).length, 0);
                assertTrue(s.delete(key(i)));
            }
            for (int i = 0; i < 10; i++) {
                assertNotNull(s.get(key(i)));
                assertNull(s.get(key(100_000 + i)));
            }
            SeqsStats after = s.stats();
            assertEquals(overwritten + deleted, after.deadBytes());
            assertEquals(950, after.keys());
            assertEquals(1100, after.puts());
            assertEquals(50, after.deletes());
            assertEquals(20, after.gets());
            assertEquals(10, after.getHits());
            assertEquals(20, after.getLatency().samples());
            assertEquals(20, after.recentGetLatency().samples());
            assertEquals(1100, after.putLatency().samples());
            assertTrue(after.getLatency().p99Nanos() > 0);
            assertEquals(0, s.stats().recentGetLatency().samples(), "nothing since the previous snapshot");
            assertEquals(
                    after.keys(),
                    after.shards().stream().mapToLong(ShardStats::keys).sum());
            assertTrue(after.toString().contains("write amplification"));
        }
        try (Seqs s = builder().open()) {
            SeqsStats st = s.stats();
            assertEquals(950, st.keys(), "keys after reopen");
            assertEquals(0, st.puts(), "counters start at open");
            assertTrue(st.shards().stream().allMatch(ShardStats::recoveredFromCheckpoint));
            assertEquals(0, st.recoveryReplayedRecords());
            long live = st.liveBytes();
            long dead = st.deadBytes();
            assertTrue(live > 0 && dead > 0);
            s.put(key(1), new byte[1]);
            s.resetEpoch();
            SeqsStats reset = s.stats();
            assertEquals(0, reset.keys());
            assertEquals(0, reset.liveBytes() + reset.deadBytes());
            assertEquals(1, reset.puts(), "counters carry across a reset");
            assertEquals(1, reset.resets());
            assertTrue(reset.lastResetNanos() > 0);
        }
    }

    @Test
    void metersFollowTheStore() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Seqs s = builder().meterRegistry(registry).metricsName("products").open()) {
            for (int i = 0; i < 500; i++) {
                s.put(key(i), new byte[100]);
            }
            s.delete(key(1));
            for (int i = 0; i < 300; i++) {
                s.get(key(i));
            }
            s.flush();
            s.checkpoint();
            s.resetEpoch();
            SeqsStats st = s.stats();
            assertEquals(
                    501,
                    registry.get("seqs.records.written")
                            .tag("name", "products")
                            .functionCounter()
                            .count());
            assertEquals(
                    st.logicalBytes(),
                    registry.get("seqs.bytes.logical").functionCounter().count());
            assertEquals(
                    st.physicalBytes(),
                    registry.get("seqs.bytes.written").functionCounter().count());
            assertEquals(300, registry.get("seqs.get").timer().count());
            assertEquals(500, registry.get("seqs.put").timer().count());
            assertEquals(1, registry.get("seqs.reset").timer().count());
            assertEquals(1, registry.get("seqs.recovery").timer().count());
            assertTrue(registry.get("seqs.flush").timer().count() >= 1);
            assertTrue(registry.get("seqs.checkpoint").timer().count() >= 1);
            assertEquals(2.0, registry.get("seqs.epoch").gauge().value());
            List<Gauge> keys = new ArrayList<>(registry.get("seqs.keys").gauges());
            assertEquals(2, keys.size(), "one per shard");
            assertNotNull(registry.get("seqs.shard.wait").tag("shard", "1").functionTimer());
            assertNotNull(registry.get("seqs.write.amplification").gauge());
            assertNotNull(registry.get("seqs.index.bytes.per.key").gauge());
            assertNotNull(registry.get("seqs.space.live.bytes").gauge());
            assertNotNull(registry.get("seqs.space.dead.bytes").gauge());
            assertNotNull(registry.get("seqs.recovery.dropped.records").functionCounter());
            Timer get = registry.get("seqs.get").timer();
            assertTrue(get.totalTime(TimeUnit.NANOSECONDS) > 0);
            FunctionCounter dropped =
                    registry.get("seqs.recovery.dropped.records").functionCounter();
            assertEquals(0, dropped.count());
        }
        assertTrue(registry.getMeters().isEmpty(), "close removes the store's meters: " + registry.getMeters());
    }

    /** Samples reach the registry's timers without anyone calling stats(): the store drains them itself. */
    @Test
    void timersFillInTheBackground() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Seqs s = builder().meterRegistry(registry).open()) {
            for (int i = 0; i < 200; i++) {
                s.put(key(i), new byte[10]);
                s.get(key(i));
            }
            Timer put = registry.get("seqs.put").timer();
            Timer get = registry.get("seqs.get").timer();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((put.count() < 200 || get.count() < 200) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(200, put.count(), "put samples drained by the store");
            assertEquals(200, get.count(), "get samples drained by the store");
            assertTrue(get.max(TimeUnit.NANOSECONDS) > 0);
        }
    }

    @Test
    void runsWithoutMicrometerOnTheClassPath() throws Exception {
        String classPath = System.getProperty("java.class.path");
        StringBuilder withoutMicrometer = new StringBuilder();
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (!entry.contains("micrometer")) {
                withoutMicrometer.append(entry).append(java.io.File.pathSeparator);
            }
        }
        assertTrue(classPath.contains("micrometer"), "the test class path has Micrometer to remove");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(
                        java,
                        "--sun-misc-unsafe-memory-access=deny",
                        "--illegal-native-access=deny",
                        "-cp",
                        withoutMicrometer.toString(),
                        NoMicrometerProbe.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ok 1"), out);
    }

    /** Uses the whole API in a JVM without Micrometer. */
    public static final class NoMicrometerProbe {
        public static void main(String[] args) {
            try {
                Class.forName("io.micrometer.core.instrument.MeterRegistry");
                System.out.println("Micrometer is on the class path");
                System.exit(2);
            } catch (ClassNotFoundException expected) {
                // as intended
            }
            try (Seqs s =
                    Seqs.builder(Path.of(args[0])).durability(Durability.SYNC).open()) {
                s.put("a".getBytes(), new byte[] {1});
                s.flush();
                s.checkpoint();
                s.resetEpoch();
                s.put("a".getBytes(), new byte[] {1});
                System.out.println(s.stats());
                System.out.println("ok " + s.get("a".getBytes())[0]);
            }
        }
    }
}
