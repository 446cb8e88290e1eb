package io.seqs.kafka.failover;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the counting application's output topic from the start, committed records only. */
final class OutputReader implements AutoCloseable {
    private final KafkaConsumer<String, Long> consumer;

    OutputReader(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions =
                List.of(new TopicPartition(CountingApp.OUTPUT, 0), new TopicPartition(CountingApp.OUTPUT, 1));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Polls once and records the last count of every key seen. */
    void pollInto(Map<String, Long> last) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> last.put(r.key(), r.value()));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
