package io.seqs.kafka.failover;

import java.io.InputStream;
import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft Kafka cluster (combined broker and controller) for the failover test, run in
 * a child JVM of its own: the broker's code uses {@code sun.misc.Unsafe}, so its JVM runs with
 * {@code --sun-misc-unsafe-memory-access=allow}, while every JVM that runs seqs keeps the
 * project's strict flags. Prints {@code BOOTSTRAP=<servers>} once the broker is ready, and shuts
 * down when its standard input closes.
 */
public final class BrokerMain {
    private BrokerMain() {}

    /**
     * Runs the broker.
     *
     * @param args the directory for the broker's logs and metadata
     * @throws Exception when the cluster cannot be formatted, started or closed
     */
    public static void main(String[] args) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(Path.of(args[0]))
                .build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            System.out.println("BOOTSTRAP=" + cluster.bootstrapServers());
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) {
                // run until the parent closes our standard input (or dies)
            }
        } finally {
            cluster.close();
        }
    }
}
