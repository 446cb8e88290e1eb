package io.seqs.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/** Settings and helpers shared by the {@link TopologyTestDriver} tests. */
final class Drivers {
    static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

    private Drivers() {}

    /** An application using {@link SeqsDslStoreSuppliers}, String serdes, record caching on or off. */
    static Properties config(Path stateDir, boolean caching) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, SeqsDslStoreSuppliers.class);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, caching ? 10L << 20 : 0L);
        p.put("processing.exception.handler.global.enabled", true);
        return p;
    }

    /** An input topic whose records are a second apart from {@link #START}. */
    static TestInputTopic<String, String> input(TopologyTestDriver driver, String topic) {
        return driver.createInputTopic(
                topic, new StringSerializer(), new StringSerializer(), START, Duration.ofSeconds(1));
    }

    /** An output topic of String keys and values. */
    static TestOutputTopic<String, String> output(TopologyTestDriver driver, String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer());
    }

    /** Names of the stores kept in seqs: the directories under a task's {@code seqs/} directory. */
    static Set<String> seqsStores(Path stateDir) {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(Files::isDirectory)
                    .filter(p -> p.getParent() != null
                            && p.getParent().getFileName().toString().equals(SeqsKeyValueStore.STATE_SUBDIR))
                    .map(p -> p.getFileName().toString())
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the stores kept in Kafka's RocksDB stores. */
    static Set<String> rocksDbStores(Path stateDir) {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(Files::isDirectory)
                    .filter(p -> p.getParent() != null
                            && p.getParent().getFileName().toString().equals("rocksdb"))
                    .map(p -> p.getFileName().toString())
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of every directory under {@code stateDir}. */
    static Set<String> directoryNames(Path stateDir) {
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
