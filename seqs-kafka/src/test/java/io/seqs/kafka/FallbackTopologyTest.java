package io.seqs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.ValueTimestampHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DSL stores a hash store cannot serve, which {@link SeqsDslStoreSuppliers} hands to Kafka's
 * RocksDB stores: the foreign-key join's subscription store, the stream-stream outer join's
 * shared store and window stores.
 *
 * <p>RocksDB loads a JNI library, which {@code --illegal-native-access=deny} refuses unless
 * native access is granted, so this class runs in a JVM of its own with the project's strict
 * flags plus {@code --enable-native-access=ALL-UNNAMED} (see the module's pom); every other test
 * JVM of the module runs with the strict flags alone.
 */
final class FallbackTopologyTest {
    private static final Instant START = Drivers.START;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void requireNativeAccess() {
        assumeTrue(
                FallbackTopologyTest.class.getModule().isNativeAccessEnabled(),
                "RocksDB needs native access: run in the rocksdb-fallback surefire execution");
    }

    private Properties config(boolean caching) {
        return Drivers.config(stateDir, caching);
    }

    private Set<String> seqsStores() {
        return Drivers.seqsStores(stateDir);
    }

    private Set<String> rocksDbStores() {
        return Drivers.rocksDbStores(stateDir);
    }

    private static TestInputTopic<String, String> input(TopologyTestDriver driver, String topic) {
        return Drivers.input(driver, topic);
    }

    private static TestOutputTopic<String, String> output(TopologyTestDriver driver, String topic) {
        return Drivers.output(driver, topic);
    }

    @Test
    void foreignKeyJoinSubscriptionStoreFallsBackToKafkasStore() {
        StreamsBuilder builder = new StreamsBuilder();
        KTable<String, String> orders = builder.table("orders", Materialized.as("orders")); // value: product id
        KTable<String, String> products = builder.table("products", Materialized.as("products"));
        orders.join(
                        products,
                        order -> order,
                        (order, product) -> order + "=" + product,
                        Materialized.as("orders-with-product"))
                .toStream()
                .to("joined", Produced.with(Serdes.String(), Serdes.String()));
        Topology topology = builder.build();
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, config(false))) {
            input(driver, "products").pipeInput("p1", "pen");
            input(driver, "orders").pipeInput("o1", "p1");
            input(driver, "orders").pipeInput("o2", "p1");
            input(driver, "products").pipeInput("p1", "pencil");
            Map<String, String> joined = output(driver, "joined").readKeyValuesToMap();
            assertEquals(Map.of("o1", "p1=pencil", "o2", "p1=pencil"), joined);
            Set<String> rocks = rocksDbStores();
            assertTrue(
                    rocks.stream().anyMatch(OrderedStoreNames::needsKeyOrder),
                    "subscription store in RocksDB: " + rocks);
            assertTrue(
                    seqsStores().containsAll(Set.of("orders", "products", "orders-with-product")),
                    "seqs: " + seqsStores());
            assertFalse(seqsStores().stream().anyMatch(OrderedStoreNames::needsKeyOrder));
        }
    }

    @Test
    void streamStreamOuterJoinAndWindowsFallBackToKafkasStores() {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, String> left = builder.stream("left");
        KStream<String, String> right = builder.stream("right");
        left.outerJoin(
                        right,
                        (l, r) -> l + "+" + r,
                        JoinWindows.ofTimeDifferenceAndGrace(Duration.ofSeconds(5), Duration.ZERO))
                .to("outer");
        left.groupByKey()
                .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
                .count(Materialized.as("per-minute"));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config(false))) {
            input(driver, "left").pipeInput("a", "L", START);
            input(driver, "right").pipeInput("a", "R", START.plusSeconds(1));
            input(driver, "left").pipeInput("lonely", "L", START.plusSeconds(2));
            input(driver, "left").pipeInput("tick", "L", START.plusSeconds(30)); // closes the lonely record's window
            Map<String, String> outer = output(driver, "outer").readKeyValuesToMap();
            assertEquals("L+R", outer.get("a"));
            assertEquals("L+null", outer.get("lonely"));
            assertTrue(seqsStores().isEmpty(), "no key-value store here suits a hash store: " + seqsStores());
            assertTrue(
                    Drivers.directoryNames(stateDir).contains("per-minute"),
                    "the window store is Kafka's segmented RocksDB store");
            Set<String> rocks = rocksDbStores();
            assertTrue(
                    rocks.stream().anyMatch(OrderedStoreNames::needsKeyOrder),
                    "shared join store in RocksDB: " + rocks);
        }
    }

    @Test
    void headersStoreHoldsWhatKafkasOwnHeadersStoreHolds() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table(
                "prices",
                Materialized.<String, String>as(SeqsStores.timestampedKeyValueStoreWithHeaders("seqs-prices"))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.String()));
        builder.table(
                "prices-too",
                Materialized.<String, String>as(Stores.persistentTimestampedKeyValueStoreWithHeaders("kafka-prices"))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.String()));
        Properties config = config(false);
        config.put(StreamsConfig.DSL_STORE_FORMAT_CONFIG, StreamsConfig.DSL_STORE_FORMAT_HEADERS);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config)) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("source", "feed".getBytes(StandardCharsets.UTF_8));
            for (String topic : List.of("prices", "prices-too")) {
                input(driver, topic).pipeInput(new TestRecord<>("apple", "3", headers, START.plusSeconds(7)));
            }
            ValueTimestampHeaders<String> seqs = driver.<String, String>getTimestampedKeyValueStoreWithHeaders(
                            "seqs-prices")
                    .get("apple");
            ValueTimestampHeaders<String> kafka = driver.<String, String>getTimestampedKeyValueStoreWithHeaders(
                            "kafka-prices")
                    .get("apple");
            assertEquals(kafka, seqs);
            assertEquals(START.plusSeconds(7).toEpochMilli(), seqs.timestamp());
        }
    }

    @Test
    void namedLeftJoinSharedStoreFallsBackToo() {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, String> left = builder.stream("left");
        KStream<String, String> right = builder.stream("right");
        left.leftJoin(
                        right,
                        (l, r) -> l + "+" + r,
                        JoinWindows.ofTimeDifferenceAndGrace(Duration.ofSeconds(5), Duration.ZERO),
                        StreamJoined.<String, String, String>as("pairs").withStoreName("pairs"))
                .to("joined");
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config(false))) {
            input(driver, "left").pipeInput("lonely", "L", START);
            input(driver, "left").pipeInput("tick", "L", START.plusSeconds(30));
            assertEquals("L+null", output(driver, "joined").readKeyValuesToMap().get("lonely"));
            Set<String> rocks = rocksDbStores();
            assertTrue(
                    rocks.stream().anyMatch(n -> n.startsWith("pairs") && OrderedStoreNames.needsKeyOrder(n)),
                    "in RocksDB: " + rocks);
            assertTrue(seqsStores().isEmpty(), "seqs: " + seqsStores());
        }
    }
}
