package io.seqs.kafka.failover;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One instance of {@link CountingApp}, run in a child JVM by the failover test so that it can be
 * killed with SIGKILL. It runs with the project's strict JVM flags, like every JVM running seqs.
 * Prints {@code RUNNING} each time the instance reaches the running state.
 */
public final class StreamsMain {
    private StreamsMain() {}

    /**
     * Runs the instance until the process is killed.
     *
     * @param args bootstrap servers, state directory, processing guarantee
     * @throws InterruptedException never in practice: the process is killed
     */
    public static void main(String[] args) throws InterruptedException {
        KafkaStreams streams =
                new KafkaStreams(CountingApp.topology(), CountingApp.config(args[0], Path.of(args[1]), args[2]));
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                System.out.println("RUNNING");
                System.out.flush();
            }
        });
        streams.start();
        new CountDownLatch(1).await();
    }
}
