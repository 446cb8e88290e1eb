package io.seqs.kafka;

import static io.seqs.kafka.CapturingContext.CHANGELOG;
import static io.seqs.kafka.CapturingContext.changelogRecord;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.internals.ChangelogRecordDeserializationHelper;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.PositionSerde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on its own: restore, offsets under both guarantees, close and reopen, limits. */
final class SeqsKeyValueStoreTest {
    private static final TopicPartition PARTITION = new TopicPartition(CHANGELOG, 0);
    private static final TopicPartition OTHER = new TopicPartition(CHANGELOG, 1);

    @TempDir
    Path stateDir;

    private final List<KeyValueStore<Bytes, byte[]>> opened = new ArrayList<>();

    @AfterEach
    void closeStores() {
        opened.forEach(KeyValueStore::close);
    }

    private KeyValueStore<Bytes, byte[]> open(CapturingContext context) {
        KeyValueStore<Bytes, byte[]> store = SeqsStores.keyValueStore("store").get();
        store.init(context, store);
        opened.add(store);
        return store;
    }

    private static Bytes key(String s) {
        return Bytes.wrap(s.getBytes(UTF_8));
    }

    private static byte[] value(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void registersABatchingRestoreCallbackAndRestoresPutsAndDeletes() {
        CapturingContext context = CapturingContext.atLeastOnce(stateDir);
        KeyValueStore<Bytes, byte[]> store = open(context);
        assertTrue(context.batching());

        context.restore(List.of(
                changelogRecord(0, value("a"), value("1")),
                changelogRecord(1, value("b"), value("2")),
                changelogRecord(2, value("a"), value("3")),
                changelogRecord(3, value("b"), null),
                changelogRecord(4, new byte[0], value("empty key"))));

        assertArrayEquals(value("3"), store.get(key("a")));
        assertNull(store.get(key("b")));
        assertArrayEquals(value("empty key"), store.get(Bytes.wrap(new byte[0])));
        assertEquals(2, store.approximateNumEntries());
    }

    @Test
    void restoreMovesTheQueryPositionToWhatTheChangelogHeadersCarry() {
        CapturingContext context = CapturingContext.with(
                stateDir, Map.of(StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED, "true"));
        KeyValueStore<Bytes, byte[]> store = open(context);
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Position at = Position.emptyPosition().withComponent("input", 0, 40L + i);
            RecordHeaders headers = new RecordHeaders();
            headers.add(ChangelogRecordDeserializationHelper.CHANGELOG_VERSION_HEADER_RECORD_CONSISTENCY);
            headers.add(new RecordHeader(
                    ChangelogRecordDeserializationHelper.CHANGELOG_POSITION_HEADER_KEY,
                    PositionSerde.serialize(at).array()));
            batch.add(new ConsumerRecord<>(
                    CHANGELOG,
                    0,
                    i,
                    0L,
                    TimestampType.CREATE_TIME,
                    -1,
                    -1,
                    value("k" + i),
                    value("v" + i),
                    headers,
                    Optional.empty()));
        }
        context.restore(batch);
        assertEquals(Position.emptyPosition().withComponent("input", 0, 42L), store.getPosition());
        assertArrayEquals(value("v2"), store.get(key("k2")));
    }

    @Test
    void aDirectoryOfOneValueFormatIsNotOpenedAsAnother() {
        KeyValueStore<Bytes, byte[]> plain = open(CapturingContext.atLeastOnce(stateDir));
        plain.put(key("a"), value("1"));
        plain.close();
        KeyValueStore<Bytes, byte[]> timestamped =
                SeqsStores.timestampedKeyValueStore("store").get();
        CapturingContext context = CapturingContext.atLeastOnce(stateDir);
        ProcessorStateException e =
                assertThrows(ProcessorStateException.class, () -> timestamped.init(context, timestamped));
        assertTrue(e.getMessage().contains("holds plain values but was opened as a timestamped store"), e.getMessage());
        assertArrayEquals(
                value("1"), open(CapturingContext.atLeastOnce(stateDir)).get(key("a")), "untouched");
    }

    @Test
    void restoresLargeBatchesLastWriteWinning() {
        CapturingContext context = CapturingContext.atLeastOnce(stateDir);
        KeyValueStore<Bytes, byte[]> store = open(context);
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            batch.add(changelogRecord(i, value("k" + (i % 2_500)), value("v" + i)));
        }
        context.restore(batch);
        assertEquals(2_500, store.approximateNumEntries());
        assertArrayEquals(value("v9999"), store.get(key("k2499")));
        assertArrayEquals(value("v8749"), store.get(key("k1249")));
    }

    @Test
    void managesItsOwnOffsetsAndIsPersistent() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        assertTrue(managesOffsets(store));
        assertTrue(store.persistent());
        assertTrue(store.isOpen());
        assertNull(store.committedOffset(PARTITION));
    }

    @SuppressWarnings("deprecation")
    private static boolean managesOffsets(KeyValueStore<Bytes, byte[]> store) {
        return store.managesOffsets();
    }

    @Test
    void commitKeepsUnknownAsGivenClearsOnNullAndClearsAllOnAnEmptyMap() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.commit(Map.of(PARTITION, 10L, OTHER, 20L));
        assertEquals(10L, store.committedOffset(PARTITION));
        assertEquals(20L, store.committedOffset(OTHER));

        store.commit(Map.of(PARTITION, -4L));
        assertEquals(-4L, store.committedOffset(PARTITION), "-4 (unknown) is kept as given");
        assertEquals(20L, store.committedOffset(OTHER), "a partition not named keeps its offset");

        Map<TopicPartition, Long> clearOne = new HashMap<>();
        clearOne.put(OTHER, null);
        store.commit(clearOne);
        assertNull(store.committedOffset(OTHER));
        assertEquals(-4L, store.committedOffset(PARTITION));

        store.commit(Map.of(PARTITION, 30L, OTHER, 31L));
        store.commit(Map.of());
        assertNull(store.committedOffset(PARTITION), "an empty map clears every offset");
        assertNull(store.committedOffset(OTHER));
    }

    @Test
    void offsetsAndDataSurviveCloseAndReopenUnderAtLeastOnce() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.put(key("a"), value("1"));
        store.commit(Map.of(PARTITION, 5L));
        store.put(key("b"), value("2"));
        store.close();
        assertFalse(store.isOpen());

        KeyValueStore<Bytes, byte[]> reopened = open(CapturingContext.atLeastOnce(stateDir));
        assertEquals(5L, reopened.committedOffset(PARTITION), "the offset committed, never one ahead of it");
        assertArrayEquals(value("1"), reopened.get(key("a")));
        assertArrayEquals(
                value("2"),
                reopened.get(key("b")),
                "at-least-once keeps writes after the commit; replay overwrites them");
    }

    @Test
    void unknownOffsetSurvivesReopen() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.commit(Map.of(PARTITION, -4L));
        store.close();
        assertEquals(-4L, open(CapturingContext.atLeastOnce(stateDir)).committedOffset(PARTITION));
    }

    @Test
    void exactlyOnceStoreClosedRightAfterACommitKeepsDataAndOffsets() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.exactlyOnce(stateDir));
        store.put(key("a"), value("1"));
        store.commit(Map.of(PARTITION, 7L));
        store.close();

        KeyValueStore<Bytes, byte[]> reopened = open(CapturingContext.exactlyOnce(stateDir));
        assertEquals(7L, reopened.committedOffset(PARTITION));
        assertArrayEquals(value("1"), reopened.get(key("a")));
    }

    @Test
    void exactlyOnceStoreWithWritesAfterItsLastCommitIsEmptiedOnReopen() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.exactlyOnce(stateDir));
        store.put(key("a"), value("1"));
        store.commit(Map.of(PARTITION, 7L));
        store.put(key("b"), value("maybe aborted"));
        store.close();

        KeyValueStore<Bytes, byte[]> reopened = open(CapturingContext.exactlyOnce(stateDir));
        assertNull(
                reopened.committedOffset(PARTITION), "no offset: Kafka Streams restores the store from the changelog");
        assertNull(reopened.get(key("a")));
        assertNull(reopened.get(key("b")));
        assertEquals(0, reopened.approximateNumEntries());
    }

    @Test
    void exactlyOnceDoesNotTrustAStoreLeftOpenUnderAtLeastOnce() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.put(key("a"), value("1"));
        store.commit(Map.of(PARTITION, 3L));
        store.put(key("b"), value("2"));
        store.close();

        KeyValueStore<Bytes, byte[]> reopened = open(CapturingContext.exactlyOnce(stateDir));
        assertNull(reopened.committedOffset(PARTITION));
        assertEquals(0, reopened.approximateNumEntries());
    }

    @Test
    void atLeastOnceRecordsOffsetsOnceTheyMoveFarEnoughAndNeverAheadOfTheData() throws IOException {
        Path file = stateDir.resolve("seqs/store").resolve(OffsetsFile.NAME);
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.commit(Map.of(PARTITION, 100L));
        awaitRecorded(file, "offset " + CHANGELOG + " 0 100", "a new partition is recorded");
        long delta = SeqsKeyValueStore.OFFSET_DELTA_FOR_RECORDING;
        store.put(key("a"), value("1"));
        store.commit(Map.of(PARTITION, 100L + delta - 1));
        assertEquals(100L + delta - 1, store.committedOffset(PARTITION), "committed in memory");
        assertTrue(Files.readString(file).contains("offset " + CHANGELOG + " 0 100\n"), "not recorded yet");
        store.commit(Map.of(PARTITION, 100L + delta));
        awaitRecorded(file, "offset " + CHANGELOG + " 0 " + (100L + delta), "recorded");
        store.commit(Map.of(PARTITION, -4L));
        awaitRecorded(file, "offset " + CHANGELOG + " 0 -4", "unknown is recorded at once");
        store.commit(Map.of(PARTITION, 7L, OTHER, 8L));
        awaitRecorded(file, " 1 8", "a partition added is recorded at once");
        store.close();
        KeyValueStore<Bytes, byte[]> reopened = open(CapturingContext.atLeastOnce(stateDir));
        assertEquals(7L, reopened.committedOffset(PARTITION), "close records what was committed last");
        assertArrayEquals(value("1"), reopened.get(key("a")));
    }

    @Test
    void commitsRacingTheRecorderAndACloseRecordTheLastOffsetAndNeverLoseData() throws IOException {
        // every commit moves far enough to be recorded, so the recorder thread is busy while
        // more puts, commits and finally the close arrive
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        long delta = SeqsKeyValueStore.OFFSET_DELTA_FOR_RECORDING;
        int commits = 200;
        for (int i = 1; i <= commits; i++) {
            store.put(key("k" + i), value("v" + i));
            store.commit(Map.of(PARTITION, i * delta));
        }
        store.close();
        KeyValueStore<Bytes, byte[]> reopened = open(CapturingContext.atLeastOnce(stateDir));
        try {
            assertEquals(commits * delta, reopened.committedOffset(PARTITION), "close records the last commit");
            for (int i = 1; i <= commits; i++) {
                assertArrayEquals(value("v" + i), reopened.get(key("k" + i)), "k" + i);
            }
        } finally {
            reopened.close();
        }
    }

    @Test
    void atLeastOnceCommitRecordsOffsetsOnDiskAtOnceWhileExactlyOnceWaitsForClose() throws IOException {
        Path file = stateDir.resolve("seqs/store").resolve(OffsetsFile.NAME);
        KeyValueStore<Bytes, byte[]> alos = open(CapturingContext.atLeastOnce(stateDir));
        alos.commit(Map.of(PARTITION, 11L));
        awaitRecorded(file, "offset " + CHANGELOG + " 0 11", "recorded after the commit, by the recorder thread");
        alos.close();

        KeyValueStore<Bytes, byte[]> eos = open(CapturingContext.exactlyOnce(stateDir));
        eos.commit(Map.of(PARTITION, 12L));
        String whileOpen = Files.readString(file);
        assertTrue(whileOpen.contains("state open"));
        assertFalse(whileOpen.contains(" 12"));
        eos.close();
        assertTrue(Files.readString(file).contains("offset " + CHANGELOG + " 0 12"));
        assertTrue(Files.readString(file).contains("state closed"));
    }

    @Test
    void rejectsTransactionalStateStores() {
        CapturingContext context =
                CapturingContext.with(stateDir, Map.of(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true"));
        KeyValueStore<Bytes, byte[]> store = SeqsStores.keyValueStore("store").get();
        ConfigException e = assertThrows(ConfigException.class, () -> store.init(context, store));
        assertTrue(e.getMessage().contains("store"), e.getMessage());
        assertFalse(store.isOpen());
    }

    @Test
    void acceptsTransactionalStateStoresSetToFalse() {
        CapturingContext context =
                CapturingContext.with(stateDir, Map.of(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "false"));
        assertTrue(open(context).isOpen());
    }

    @Test
    void aDamagedOffsetsFileFailsTheOpenNamingTheFile() throws IOException {
        open(CapturingContext.atLeastOnce(stateDir)).close();
        Path file = stateDir.resolve("seqs/store").resolve(OffsetsFile.NAME);
        Files.writeString(file, Files.readString(file).replace("state closed", "state closes"));
        KeyValueStore<Bytes, byte[]> store = SeqsStores.keyValueStore("store").get();
        ProcessorStateException e = assertThrows(
                ProcessorStateException.class, () -> store.init(CapturingContext.atLeastOnce(stateDir), store));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        // the seqs store was closed again: a fixed file opens
        Files.delete(file);
        assertTrue(open(CapturingContext.atLeastOnce(stateDir)).isOpen());
    }

    @Test
    void closeClosesOpenIterators() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.put(key("a"), value("1"));
        KeyValueIterator<Bytes, byte[]> iterator = store.all();
        store.close();
        assertThrows(InvalidStateStoreException.class, iterator::hasNext);
        iterator.close();
    }

    @Test
    void aClosedStoreRefusesCalls() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.close();
        store.close(); // twice is fine
        assertThrows(InvalidStateStoreException.class, () -> store.get(key("a")));
        assertThrows(InvalidStateStoreException.class, () -> store.put(key("a"), value("1")));
        assertThrows(InvalidStateStoreException.class, store::all);
        assertThrows(InvalidStateStoreException.class, store::approximateNumEntries);
        store.commit(Map.of(PARTITION, 1L)); // a commit after close is ignored, as Kafka's stores do
    }

    @Test
    void keysUpToTheLimitWorkAndLongerOnesAreRefusedByName() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        Bytes longest = Bytes.wrap(new byte[KeyCodec.MAX_KEY_LENGTH]);
        store.put(longest, value("x"));
        assertArrayEquals(value("x"), store.get(longest));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> store.put(Bytes.wrap(new byte[KeyCodec.MAX_KEY_LENGTH + 1]), value("x")));
        assertTrue(e.getMessage().contains("store"), e.getMessage());
    }

    @Test
    void positionFollowsProcessedRecordsAndSurvivesReopen() {
        CapturingContext context = CapturingContext.atLeastOnce(stateDir);
        KeyValueStore<Bytes, byte[]> store = open(context);
        context.setRecord("input", 2, 41);
        store.put(key("a"), value("1"));
        assertEquals(41L, store.getPosition().getPartitionPositions("input").get(2));
        store.commit(Map.of(PARTITION, 1L));
        store.close();
        assertEquals(
                41L,
                open(CapturingContext.atLeastOnce(stateDir))
                        .getPosition()
                        .getPartitionPositions("input")
                        .get(2));
    }

    @Test
    void servesInteractiveKeyQueries() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.put(key("a"), value("1"));
        QueryResult<byte[]> result =
                store.query(KeyQuery.withKey(key("a")), PositionBound.unbounded(), new QueryConfig(false));
        assertTrue(result.isSuccess(), () -> String.valueOf(result.getFailureMessage()));
        assertArrayEquals(value("1"), result.getResult());
    }

    @Test
    void timestampedAndHeadersStoresCarryKafkasFormatMarks() {
        assertInstanceOf(
                org.apache.kafka.streams.state.TimestampedBytesStore.class,
                SeqsStores.timestampedKeyValueStore("t").get());
        assertInstanceOf(
                org.apache.kafka.streams.state.HeadersBytesStore.class,
                SeqsStores.timestampedKeyValueStoreWithHeaders("h").get());
        assertInstanceOf(
                org.apache.kafka.streams.state.HeadersBytesStoreSupplier.class,
                SeqsStores.timestampedKeyValueStoreWithHeaders("h"));
        assertFalse(
                SeqsStores.keyValueStore("p").get() instanceof org.apache.kafka.streams.state.TimestampedBytesStore);
        assertEquals("seqs", SeqsStores.keyValueStore("p").metricsScope());
    }

    @Test
    void putAllWritesAndDeletesInOrder() {
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.atLeastOnce(stateDir));
        store.put(key("gone"), value("x"));
        store.putAll(List.of(
                KeyValue.pair(key("a"), value("1")),
                KeyValue.pair(key("a"), value("2")),
                KeyValue.pair(key("gone"), null)));
        assertArrayEquals(value("2"), store.get(key("a")));
        assertNull(store.get(key("gone")));
    }

    @Test
    void storeSettingsComeFromTheApplicationConfig() {
        Map<String, String> settings = Map.of(
                StoreSettings.SHARDS_CONFIG,
                "4",
                StoreSettings.SEGMENT_BYTES_CONFIG,
                "1048576",
                StoreSettings.EXPECTED_KEYS_CONFIG,
                "1000");
        KeyValueStore<Bytes, byte[]> store = open(CapturingContext.with(stateDir, settings));
        store.put(key("a"), value("1"));
        store.close();
        // a reopen with another shard count keeps the store's own
        assertArrayEquals(
                value("1"),
                open(CapturingContext.with(stateDir, Map.of(StoreSettings.SHARDS_CONFIG, "8")))
                        .get(key("a")));
    }

    /** The builder option a seqs.store.* setting becomes, as seqs' own messages name it. */
    private static String builderName(String key) {
        return switch (key) {
            case StoreSettings.SHARDS_CONFIG -> "shards";
            case StoreSettings.SEGMENT_BYTES_CONFIG -> "segmentSize";
            case StoreSettings.RECLAIM_THRESHOLD_CONFIG -> "reclaimThreshold";
            default -> key;
        };
    }

    @Test
    void compressionAndReclamationComeFromTheApplicationConfig() throws Exception {
        StoreSettings settings = StoreSettings.DEFAULT.withOverrides(
                Map.of(StoreSettings.COMPRESSION_CONFIG, "lz4", StoreSettings.RECLAIM_THRESHOLD_CONFIG, "0.25"));
        assertEquals(io.seqs.Compression.LZ4, settings.compression());
        assertEquals(0.25, settings.reclaimThreshold());
        assertEquals(io.seqs.Compression.NONE, StoreSettings.DEFAULT.compression());
        try (io.seqs.Seqs db = settings.open(stateDir.resolve("direct"))) {
            db.put("k".getBytes(), "a value that repeats, a value that repeats, a value that repeats".getBytes());
            assertEquals(1, db.stats().compressedRecords());
        }
    }

    @Test
    void invalidStoreSettingsAreConfigErrorsNamingTheSetting() {
        for (Map<String, String> bad : List.of(
                Map.of(StoreSettings.SHARDS_CONFIG, "3"),
                Map.of(StoreSettings.SHARDS_CONFIG, "many"),
                Map.of(StoreSettings.SEGMENT_BYTES_CONFIG, "1000"),
                Map.of(StoreSettings.SHARDS_CONFIG, "4096"),
                Map.of(StoreSettings.COMPRESSION_CONFIG, "zstd"),
                Map.of(StoreSettings.RECLAIM_THRESHOLD_CONFIG, "0.99"),
                Map.of(StoreSettings.RECLAIM_THRESHOLD_CONFIG, "half"))) {
            KeyValueStore<Bytes, byte[]> store =
                    SeqsStores.keyValueStore("store").get();
            ConfigException e =
                    assertThrows(ConfigException.class, () -> store.init(CapturingContext.with(stateDir, bad), store));
            String key = bad.keySet().iterator().next();
            assertTrue(e.getMessage().contains(key) || e.getMessage().contains(builderName(key)), e.getMessage());
            assertFalse(store.isOpen());
        }
    }

    /**
     * Waits until the offsets file holds {@code expected}: a commit hands its offsets to the
     * recorder thread, which forces the log and then writes the file. Fails after
     * {@link #RECORDING_WAIT}, so a commit whose offsets are never recorded fails the test.
     */
    static void awaitRecorded(Path file, String expected, String what) throws IOException {
        long deadline = System.nanoTime() + RECORDING_WAIT.toNanos();
        while (!Files.readString(file).contains(expected)) {
            if (System.nanoTime() > deadline) {
                fail(what + ": the offsets file never held '" + expected + "':\n" + Files.readString(file));
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static final Duration RECORDING_WAIT = Duration.ofSeconds(30);
}
