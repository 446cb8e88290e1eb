package io.seqs.kafka.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failover on a real broker: two instances of {@link CountingApp} with one standby replica, one
 * in this JVM and one in a child JVM; the child is killed with SIGKILL and this instance's
 * standby takes over with exact counts, under exactly-once and at-least-once.
 *
 * <p>JVMs: this one and the child instance run seqs, so both run with the project's strict flags
 * ({@code --sun-misc-unsafe-memory-access=deny --illegal-native-access=deny}). The broker
 * ({@link BrokerMain}) runs in a third JVM with {@code --sun-misc-unsafe-memory-access=allow},
 * because the broker's own code uses {@code sun.misc.Unsafe} (and logs stack traces under deny).
 *
 * <p>Counts are exact under at-least-once too because the kill happens once the first half of
 * the input is processed and committed; records in flight at a crash would be counted twice,
 * which at-least-once allows.
 */
final class FailoverTest {
    private static final List<String> STRICT =
            List.of("--sun-misc-unsafe-memory-access=deny", "--illegal-native-access=deny");
    private static final int KEYS = 20;
    private static final int PER_KEY_PER_PHASE = 50;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE})
    void standbyTakesOverWithExactCounts(String guarantee) throws Exception {
        try (ChildJvm broker = ChildJvm.start(
                BrokerMain.class,
                List.of("--sun-misc-unsafe-memory-access=allow"),
                List.of(dir.resolve("broker").toString()),
                dir.resolve("broker.err"))) {
            String bootstrap = broker.awaitLine("BOOTSTRAP=", TIMEOUT).substring("BOOTSTRAP=".length());
            createTopics(bootstrap);
            AtomicLong restoredAfterKill = new AtomicLong();
            try (ChildJvm other = ChildJvm.start(
                            StreamsMain.class,
                            STRICT,
                            List.of(bootstrap, dir.resolve("state-b").toString(), guarantee),
                            dir.resolve("streams-b.err"));
                    KafkaStreams local = new KafkaStreams(
                            CountingApp.topology(), CountingApp.config(bootstrap, dir.resolve("state-a"), guarantee))) {
                local.setGlobalStateRestoreListener(new CountingRestoreListener(restoredAfterKill));
                local.start();
                other.awaitLine("RUNNING", TIMEOUT);
                awaitOneActiveAndOneStandby(local, other);

                produce(bootstrap, 0);
                awaitOutput(bootstrap, PER_KEY_PER_PHASE, other);
                Thread.sleep(1_000); // a few commit intervals: everything processed is committed
                restoredAfterKill.set(0);
                other.kill();

                produce(bootstrap, 1);
                awaitLocalStore(local, 2 * PER_KEY_PER_PHASE);
                assertEquals(2, activeTasks(local), "this instance took over both tasks");
                System.out.println("FailoverTest " + guarantee + ": " + restoredAfterKill.get()
                        + " changelog records restored at takeover");
                assertTrue(
                        restoredAfterKill.get() < PER_KEY_PER_PHASE,
                        "the standby held the state, so takeover restores almost nothing, not the "
                                + "hundreds of records of the partition's changelog: " + restoredAfterKill.get());
            }
        }
    }

    private static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(
                            new NewTopic(CountingApp.INPUT, 2, (short) 1),
                            new NewTopic(CountingApp.OUTPUT, 2, (short) 1)))
                    .all()
                    .get();
        }
    }

    private static void produce(String bootstrap, int phase) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < PER_KEY_PER_PHASE; i++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(new ProducerRecord<>(CountingApp.INPUT, "key-" + k, "phase-" + phase));
                }
            }
            producer.flush();
        }
    }

    private static void awaitOneActiveAndOneStandby(KafkaStreams local, ChildJvm other) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (local.state() == KafkaStreams.State.RUNNING && activeTasks(local) == 1 && standbyTasks(local) == 1) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "no balanced assignment with a standby within " + TIMEOUT + "; other instance:\n" + other.stderrTail());
    }

    private static int activeTasks(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream()
                .mapToInt(t -> t.activeTasks().size())
                .sum();
    }

    private static int standbyTasks(KafkaStreams streams) {
        return streams.metadataForLocalThreads().stream()
                .mapToInt(t -> t.standbyTasks().size())
                .sum();
    }

    /** Waits until the output topic's last count of every key is {@code expected}. */
    private static void awaitOutput(String bootstrap, long expected, ChildJvm other) throws InterruptedException {
        Map<String, Long> last = new HashMap<>();
        try (OutputReader reader = new OutputReader(bootstrap)) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                reader.pollInto(last);
                if (last.size() == KEYS && last.values().stream().allMatch(c -> c == expected)) {
                    return;
                }
            }
        }
        throw new AssertionError("output counts did not reach " + expected + " within " + TIMEOUT + ": " + last
                + "; other instance:\n" + other.stderrTail());
    }

    /** Waits until this instance's store holds every key with count {@code expected}, and checks none overshoots. */
    private static void awaitLocalStore(KafkaStreams local, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, Long> seen = Map.of();
        while (System.nanoTime() < deadline) {
            seen = localCounts(local);
            seen.values().forEach(c -> assertTrue(c <= expected, "a count ran past " + expected + ": " + c));
            if (seen.size() == KEYS && seen.values().stream().allMatch(c -> c == expected)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "this instance's counts did not reach " + expected + " within " + TIMEOUT + ": " + seen);
    }

    private static Map<String, Long> localCounts(KafkaStreams local) {
        Map<String, Long> out = new HashMap<>();
        try {
            ReadOnlyKeyValueStore<String, Long> store = local.store(StoreQueryParameters.fromNameAndType(
                    CountingApp.STORE, QueryableStoreTypes.<String, Long>keyValueStore()));
            try (var it = store.all()) {
                it.forEachRemaining(kv -> out.put(kv.key, kv.value));
            }
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            // rebalancing: try again
        }
        return out;
    }

    /** Counts the records restored into this instance's stores. */
    private record CountingRestoreListener(AtomicLong restored) implements StateRestoreListener {
        @Override
        public void onRestoreStart(
                TopicPartition partition, String storeName, long startingOffset, long endingOffset) {}

        @Override
        public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
            restored.addAndGet(numRestored);
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {}
    }
}
