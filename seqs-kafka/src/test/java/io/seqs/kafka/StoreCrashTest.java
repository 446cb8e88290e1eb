package io.seqs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.seqs.kafka.failover.ChildJvmAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store killed with SIGKILL after a commit and more writes ({@link StoreCrashMain}, in a child
 * JVM with the project's strict flags), then reopened in this JVM (strict flags too).
 */
final class StoreCrashTest {
    private static final List<String> STRICT =
            List.of("--sun-misc-unsafe-memory-access=deny", "--illegal-native-access=deny");

    @TempDir
    Path stateDir;

    private KeyValueStore<Bytes, byte[]> crashThenReopen(String guarantee, CapturingContext reopenContext)
            throws Exception {
        ChildJvmAccess.runUntilLineThenKill(
                StoreCrashMain.class,
                STRICT,
                List.of(stateDir.toString(), guarantee),
                "READY",
                Duration.ofSeconds(60),
                stateDir.resolve("child.err"));
        KeyValueStore<Bytes, byte[]> store = SeqsStores.keyValueStore("crash").get();
        store.init(reopenContext, store);
        return store;
    }

    @Test
    void atLeastOnceKeepsTheCommittedOffsetAndNeverLessDataThanItCovers() throws Exception {
        KeyValueStore<Bytes, byte[]> store =
                crashThenReopen(StreamsConfig.AT_LEAST_ONCE, CapturingContext.atLeastOnce(stateDir));
        try {
            assertEquals((long) StoreCrashMain.COMMITTED, store.committedOffset(StoreCrashMain.PARTITION));
            for (int i = 0; i < StoreCrashMain.COMMITTED; i++) {
                assertNotNull(store.get(StoreCrashMain.key(i)), "key " + i + " is covered by the committed offset");
            }
        } finally {
            store.close();
        }
    }

    @Test
    void exactlyOnceEmptiesTheStoreAndReportsNoOffset() throws Exception {
        KeyValueStore<Bytes, byte[]> store =
                crashThenReopen(StreamsConfig.EXACTLY_ONCE_V2, CapturingContext.exactlyOnce(stateDir));
        try {
            assertNull(store.committedOffset(StoreCrashMain.PARTITION));
            assertEquals(0, store.approximateNumEntries());
        } finally {
            store.close();
        }
    }
}
