package io.seqs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DSL topologies over seqs stores in Kafka's {@link TopologyTestDriver}: aggregations, joins,
 * record caching on and off, timestamps and headers kept. {@link FallbackTopologyTest} covers
 * the stores {@link SeqsDslStoreSuppliers} hands to Kafka's RocksDB stores.
 */
final class TopologyTest {
    private static final Instant START = Drivers.START;

    @TempDir
    Path stateDir;

    private Properties config(boolean caching) {
        return Drivers.config(stateDir, caching);
    }

    private Set<String> seqsStores() {
        return Drivers.seqsStores(stateDir);
    }

    private static TestInputTopic<String, String> input(TopologyTestDriver driver, String topic) {
        return Drivers.input(driver, topic);
    }

    private static TestOutputTopic<String, String> output(TopologyTestDriver driver, String topic) {
        return Drivers.output(driver, topic);
    }

    @ParameterizedTest(name = "caching {0}")
    @ValueSource(booleans = {false, true})
    void countReduceAndAggregate(boolean caching) {
        StreamsBuilder builder = new StreamsBuilder();
        KGroupedStream<String, String> grouped = builder.stream(
                        "words", Consumed.with(Serdes.String(), Serdes.String()))
                .groupBy((k, word) -> word);
        grouped.count(Materialized.as("counts"));
        grouped.reduce((a, b) -> b, Materialized.as("latest"));
        grouped.aggregate(() -> "", (word, v, agg) -> agg + v.length(), Materialized.as("lengths"));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config(caching))) {
            TestInputTopic<String, String> words = input(driver, "words");
            for (String w : "a b a c a b".split(" ")) {
                words.pipeInput("k", w);
            }
            KeyValueStore<String, ValueAndTimestamp<Long>> counts = driver.getTimestampedKeyValueStore("counts");
            assertEquals(3L, counts.get("a").value());
            assertEquals(2L, counts.get("b").value());
            assertEquals(1L, counts.get("c").value());
            assertEquals(3, counts.approximateNumEntries());
            assertEquals(
                    "111",
                    driver.<String, ValueAndTimestamp<String>>getTimestampedKeyValueStore("lengths")
                            .get("a")
                            .value());
            assertEquals(
                    "b",
                    driver.<String, ValueAndTimestamp<String>>getTimestampedKeyValueStore("latest")
                            .get("b")
                            .value());
            assertEquals(Set.of("counts", "latest", "lengths"), seqsStores());
        }
    }

    @Test
    void cogroup() {
        StreamsBuilder builder = new StreamsBuilder();
        KGroupedStream<String, String> clicks =
                builder.<String, String>stream("clicks").groupByKey();
        KGroupedStream<String, String> views =
                builder.<String, String>stream("views").groupByKey();
        clicks.<String>cogroup((k, v, agg) -> agg + "c")
                .cogroup(views, (k, v, agg) -> agg + "v")
                .aggregate(() -> "", Materialized.as("activity"));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config(false))) {
            input(driver, "clicks").pipeInput("u", "x");
            input(driver, "views").pipeInput("u", "x");
            input(driver, "clicks").pipeInput("u", "x");
            assertEquals(
                    "cvc",
                    driver.<String, ValueAndTimestamp<String>>getTimestampedKeyValueStore("activity")
                            .get("u")
                            .value());
            assertTrue(seqsStores().contains("activity"));
        }
    }

    @ParameterizedTest(name = "caching {0}")
    @ValueSource(booleans = {false, true})
    void streamTableTableTableAndGlobalTableJoins(boolean caching) {
        StreamsBuilder builder = new StreamsBuilder();
        KTable<String, String> users = builder.table("users", Materialized.as("users"));
        KTable<String, String> regions = builder.table("regions", Materialized.as("regions"));
        GlobalKTable<String, String> countries = builder.globalTable("countries", Materialized.as("countries"));
        KStream<String, String> orders = builder.stream("orders");
        orders.join(users, (order, user) -> order + "@" + user).to("orders-with-user");
        users.join(regions, (user, region) -> user + "/" + region).toStream().to("user-regions");
        orders.join(countries, (k, order) -> order, (order, country) -> order + ":" + country)
                .to("orders-with-country");
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config(caching))) {
            input(driver, "users").pipeInput("u1", "ann");
            input(driver, "regions").pipeInput("u1", "eu");
            input(driver, "countries").pipeInput("o-1", "fr");
            input(driver, "orders").pipeInput("u1", "o-1");
            input(driver, "orders").pipeInput("nobody", "o-2");
            driver.advanceWallClockTime(Duration.ofSeconds(60));
            assertEquals(
                    KeyValue.pair("u1", "o-1@ann"),
                    output(driver, "orders-with-user").readKeyValue());
            assertTrue(output(driver, "orders-with-user").isEmpty());
            assertEquals(
                    KeyValue.pair("u1", "ann/eu"),
                    output(driver, "user-regions").readKeyValuesToList().getLast());
            assertEquals(
                    KeyValue.pair("u1", "o-1:fr"),
                    output(driver, "orders-with-country").readKeyValue());
            assertEquals(Set.of("users", "regions", "countries"), seqsStores());
        }
    }

    @Test
    void timestampedStoreKeepsRecordTimestamps() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table(
                "prices",
                Materialized.<String, String>as(SeqsStores.timestampedKeyValueStore("prices"))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.String()));
        builder.table(
                "plain-prices",
                Materialized.<String, String>as(SeqsStores.keyValueStore("plain-prices"))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.String()));
        Properties config = config(false);
        config.remove(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config)) {
            input(driver, "prices").pipeInput("apple", "3", START.plusSeconds(42));
            input(driver, "plain-prices").pipeInput("apple", "3", START.plusSeconds(42));
            ValueAndTimestamp<String> kept =
                    driver.<String, String>getTimestampedKeyValueStore("prices").get("apple");
            assertEquals("3", kept.value());
            assertEquals(START.plusSeconds(42).toEpochMilli(), kept.timestamp());
            ValueAndTimestamp<String> lost = driver.<String, String>getTimestampedKeyValueStore("plain-prices")
                    .get("apple");
            assertEquals("3", lost.value());
            assertEquals(-1L, lost.timestamp(), "a plain store loses the timestamp through Kafka's adapter");
        }
    }

    @Test
    void headersStoreKeepsTimestamps() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table(
                "prices",
                Materialized.<String, String>as(SeqsStores.timestampedKeyValueStoreWithHeaders("prices"))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.String()));
        Properties config = config(false);
        config.put(StreamsConfig.DSL_STORE_FORMAT_CONFIG, StreamsConfig.DSL_STORE_FORMAT_HEADERS);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config)) {
            input(driver, "prices").pipeInput("apple", "3", START.plusSeconds(7));
            var kept = driver.<String, String>getTimestampedKeyValueStoreWithHeaders("prices")
                    .get("apple");
            assertEquals("3", kept.value());
            assertEquals(START.plusSeconds(7).toEpochMilli(), kept.timestamp());
            assertEquals(Set.of("prices"), seqsStores());
        }
    }

    @Test
    void dslStoreFormatHeadersGetsTheHeadersStore() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table("prices", Materialized.as("prices"));
        Properties config = config(false);
        config.put(StreamsConfig.DSL_STORE_FORMAT_CONFIG, StreamsConfig.DSL_STORE_FORMAT_HEADERS);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config)) {
            input(driver, "prices").pipeInput("apple", "3", START.plusSeconds(9));
            var kept = driver.<String, String>getTimestampedKeyValueStoreWithHeaders("prices")
                    .get("apple");
            assertEquals("3", kept.value());
            assertEquals(START.plusSeconds(9).toEpochMilli(), kept.timestamp());
            assertEquals(Set.of("prices"), seqsStores());
        }
    }

    @Test
    void emptyKeysAndDeletesThroughTheCache() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table("t", Materialized.<String, String>as(SeqsStores.timestampedKeyValueStore("t")));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), config(true))) {
            input(driver, "t").pipeInput("", "empty key");
            input(driver, "t").pipeInput("k", "v");
            input(driver, "t").pipeInput("k", (String) null);
            KeyValueStore<String, ValueAndTimestamp<String>> store = driver.getTimestampedKeyValueStore("t");
            assertEquals("empty key", store.get("").value());
            assertNull(store.get("k"));
        }
    }
}
