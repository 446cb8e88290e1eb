package io.seqs.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Opens a store, writes {@value #COMMITTED} keys, commits changelog offset {@value #COMMITTED},
 * writes {@value #COMMITTED} more keys without committing, prints {@code READY} and waits to be
 * killed. Run by {@link StoreCrashTest} in a child JVM with the project's strict flags.
 */
public final class StoreCrashMain {
    static final int COMMITTED = 1_000;
    static final TopicPartition PARTITION = new TopicPartition(CapturingContext.CHANGELOG, 0);

    private StoreCrashMain() {}

    /**
     * Runs until killed.
     *
     * @param args the state directory and the processing guarantee
     * @throws InterruptedException never in practice: the process is killed
     * @throws IOException when the offsets file cannot be read
     */
    public static void main(String[] args) throws InterruptedException, IOException {
        Path stateDir = Path.of(args[0]);
        CapturingContext context = StreamsConfig.EXACTLY_ONCE_V2.equals(args[1])
                ? CapturingContext.exactlyOnce(stateDir)
                : CapturingContext.atLeastOnce(stateDir);
        KeyValueStore<Bytes, byte[]> store = SeqsStores.keyValueStore("crash").get();
        store.init(context, store);
        for (int i = 0; i < 2 * COMMITTED; i++) {
            store.put(key(i), ("value-" + i).getBytes(StandardCharsets.UTF_8));
            if (i == COMMITTED - 1) {
                store.commit(Map.of(PARTITION, (long) COMMITTED));
            }
        }
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(args[1])) {
            // the commit's offsets are recorded by the recorder thread: wait for them before the kill
            SeqsKeyValueStoreTest.awaitRecorded(
                    stateDir.resolve(SeqsKeyValueStore.STATE_SUBDIR)
                            .resolve("crash")
                            .resolve(OffsetsFile.NAME),
                    " 0 " + COMMITTED + "\n",
                    "the committed offset");
        }
        System.out.println("READY");
        System.out.flush();
        new CountDownLatch(1).await();
    }

    static Bytes key(int i) {
        return Bytes.wrap(("key-" + i).getBytes(StandardCharsets.UTF_8));
    }
}
