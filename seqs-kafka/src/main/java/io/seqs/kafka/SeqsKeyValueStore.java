package io.seqs.kafka;

import io.seqs.Seqs;
import io.seqs.SeqsException;
import io.seqs.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A Kafka Streams key-value store kept in a seqs store: point reads and writes, unordered
 * {@link #all()}, no range or prefix queries.
 *
 * <p>Its directory is {@code <task state dir>/seqs/<name>}: the seqs store in {@code data/} and
 * the {@link OffsetsFile} beside it. The store manages its own changelog offsets
 * ({@link #managesOffsets()}). Under at-least-once, {@link #commit} hands the offsets to the
 * JVM's {@link OffsetRecorder} thread, which forces the log and then records them, so recorded
 * offsets never run ahead of the data on disk and a restart replays the changelog from them; the
 * commit itself does not wait for the disk, as Kafka's RocksDB store, whose WAL is off, forces
 * nothing at a commit either. As Kafka Streams does for its own stores' checkpoints, it does so only once
 * the offsets have moved {@link #OFFSET_DELTA_FOR_RECORDING} records past those last recorded (or
 * a partition came or went): a commit every few records, as the test driver makes, would
 * otherwise pay two forces each. Offsets recorded late only make a restart replay more of the
 * changelog, whose records are the latest values and apply again harmlessly.
 *
 * <p>Under exactly-once the data between commits may belong to a transaction that is later
 * aborted, so offsets are recorded only by a {@link #close()} that follows a
 * commit with nothing written in between; after any other end the store empties itself when it
 * is next opened (a constant-time {@link Seqs#resetEpoch()}) and reports no offsets, and Kafka
 * Streams restores it from the changelog. Transactional state stores (KIP-892) are rejected:
 * this store cannot hold back uncommitted writes.
 *
 * <p>Reads may come from interactive-query threads while the stream thread writes; seqs itself
 * is thread-safe, and the offset bookkeeping is synchronized.
 */
sealed class SeqsKeyValueStore implements KeyValueStore<Bytes, byte[]>
        permits SeqsTimestampedKeyValueStore, SeqsHeadersKeyValueStore {
    /** The directory under the task's state directory that holds every seqs store of the task. */
    static final String STATE_SUBDIR = "seqs";

    private final String name;
    private final StoreSettings settings;
    private final Set<SnapshotIterator> openIterators = ConcurrentHashMap.newKeySet();
    private final WriteBatch restoreBatch = new WriteBatch();
    private StateStoreContext context;
    private Seqs db;
    private OffsetsFile offsetsFile;
    private Map<TopicPartition, Long> offsets = Map.of();

    /** Changelog records a commit must move past the recorded offsets before they are recorded again (Kafka's own). */
    static final long OFFSET_DELTA_FOR_RECORDING = 10_000;

    /** The offsets last handed over to be recorded. */
    private Map<TopicPartition, Long> recorded = Map.of();

    /** Guards {@link #pending}; taken after the store's monitor or {@link #recording}. */
    private final Object pendingLock = new Object();
    /**
     * Offsets a commit handed to the {@link OffsetRecorder} and it has not taken yet; while set, a
     * recording task is queued that will take it.
     */
    private OffsetsFile.Contents pending;
    /** Held while the log is forced and the offsets file written, by the recorder or by close. */
    private final ReentrantLock recording = new ReentrantLock();
    /** Why the recorder last failed, reported by the next commit (a close records afresh). */
    private volatile RuntimeException recordFailure;

    private Position position = Position.emptyPosition();
    private boolean exactlyOnce;
    /** Whether changelog records carry IQv2 positions in their headers; read once, at init. */
    private boolean consistencyEnabled;
    /** Whether anything was written since the last commit; such data may be uncommitted under exactly-once. */
    private volatile boolean dirty;

    private volatile boolean open;

    SeqsKeyValueStore(String name, StoreSettings settings) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    @SuppressWarnings("deprecation")
    public boolean managesOffsets() {
        return true;
    }

    /**
     * Opens the seqs store in the task's state directory and registers its restore callback.
     *
     * @throws ConfigException when {@code enable.transactional.statestores} is true, or a
     *     {@code seqs.store.*} setting is invalid
     * @throws ProcessorStateException when the directory or the store cannot be opened
     */
    @Override
    public synchronized void init(StateStoreContext context, StateStore root) {
        if (open) {
            throw new IllegalStateException("store " + name + " is open already");
        }
        Map<String, Object> configs = context.appConfigs();
        rejectTransactionalStores(configs);
        this.context = context;
        this.exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(configs.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        this.consistencyEnabled = KafkaInternals.consistencyEnabled(configs);
        Path dir = context.stateDir().toPath().resolve(STATE_SUBDIR).resolve(name);
        openDirectory(dir, settings.withOverrides(configs));
        try {
            loadOffsets();
            context.register(root, KafkaInternals.batchingRestoreCallback(this::restoreBatch));
        } catch (RuntimeException e) {
            closeQuietly(e);
            throw e;
        }
        open = true;
    }

    private void rejectTransactionalStores(Map<String, Object> configs) {
        Object transactional = configs.get(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG);
        if (transactional != null
                && Boolean.parseBoolean(transactional.toString().trim())) {
            throw new ConfigException(
                    StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG,
                    transactional,
                    "seqs store " + name + " cannot hold back uncommitted writes, so it does not support "
                            + "transactional state stores; leave " + StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG
                            + " false");
        }
    }

    /** The value format this store keeps, recorded beside its data: plain, timestamped or headers. */
    String valueFormat() {
        return "plain";
    }

    /** The file that records which value format a store's directory holds. */
    static final String VALUE_FORMAT_FILE = "VALUE_FORMAT";

    /**
     * Refuses a directory whose values were written in another format (a store switched between
     * plain, timestamped and headers values would hand one kind of bytes out as the other), and
     * records the format of a directory that has none recorded yet.
     */
    private void checkValueFormat(Path dir) throws IOException {
        Path file = dir.resolve(VALUE_FORMAT_FILE);
        if (Files.exists(file)) {
            String recorded = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!recorded.equals(valueFormat())) {
                throw new ProcessorStateException("seqs store " + name + " in " + dir + " holds " + recorded
                        + " values but was opened as a " + valueFormat() + " store; delete " + dir
                        + " to have Kafka Streams restore it from the changelog in the new format");
            }
            return;
        }
        Path tmp = dir.resolve(VALUE_FORMAT_FILE + ".tmp");
        Files.writeString(tmp, valueFormat() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void openDirectory(Path dir, StoreSettings effective) {
        try {
            Files.createDirectories(dir);
            checkValueFormat(dir);
            db = effective.open(dir.resolve("data"));
        } catch (IOException | SeqsException e) {
            throw new ProcessorStateException("cannot open seqs store " + name + " in " + dir, e);
        }
        offsetsFile = new OffsetsFile(dir);
    }

    /**
     * Reads the offsets file and marks the store open in it. Under exactly-once, a store that was
     * not closed right after a commit may hold writes of an aborted transaction: it is emptied.
     */
    private void loadOffsets() {
        OffsetsFile.Contents contents = offsetsFile.read();
        boolean untrusted = !contents.closedCleanly()
                || (!offsetsFile.exists() && db.stats().keys() > 0);
        if (exactlyOnce && untrusted) {
            db.resetEpoch();
            contents = OffsetsFile.Contents.empty();
        }
        offsets = new LinkedHashMap<>(contents.offsets());
        position = contents.position().copy();
        dirty = false;
        offsetsFile.write(new OffsetsFile.Contents(false, offsets, position.copy()));
        recorded = offsets;
    }

    /**
     * Applies one batch of changelog records: one {@link WriteBatch}, a null value deleting its
     * key. The IQv2 position moves to what the records' headers carry, as Kafka's stores do.
     */
    void restoreBatch(Collection<ConsumerRecord<byte[], byte[]>> records) {
        restoreBatch.clear();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            KafkaInternals.updatePositionFromChangelog(record, consistencyEnabled, position);
            byte[] key = KeyCodec.encode(name, Bytes.wrap(record.key()));
            if (record.value() == null) {
                restoreBatch.delete(key);
            } else {
                restoreBatch.put(key, checkedValue(record.value()));
            }
        }
        write(restoreBatch, "restore");
        restoreBatch.clear();
    }

    @Override
    public void put(Bytes key, byte[] value) {
        byte[] k = KeyCodec.encode(name, key);
        requireOpen();
        try {
            if (value == null) {
                db.delete(k);
            } else {
                db.put(k, checkedValue(value));
            }
        } catch (SeqsException e) {
            throw new ProcessorStateException("cannot write to seqs store " + name, e);
        }
        wrote();
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] existing = get(key);
        if (existing == null) {
            put(key, value);
        }
        return existing;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        WriteBatch batch = new WriteBatch();
        for (KeyValue<Bytes, byte[]> entry : entries) {
            byte[] k = KeyCodec.encode(name, entry.key);
            if (entry.value == null) {
                batch.delete(k);
            } else {
                batch.put(k, checkedValue(entry.value));
            }
        }
        requireOpen();
        write(batch, "putAll");
        wrote();
    }

    @Override
    public byte[] delete(Bytes key) {
        byte[] old = get(key);
        if (old != null) {
            put(key, null);
        }
        return old;
    }

    @Override
    public byte[] get(Bytes key) {
        byte[] k = KeyCodec.encode(name, key);
        requireOpen();
        try {
            return db.get(k);
        } catch (SeqsException e) {
            throw new ProcessorStateException("cannot read from seqs store " + name, e);
        }
    }

    /**
     * Not served: a hash store keeps no key order.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        throw unordered("range");
    }

    /**
     * Not served: a hash store keeps no key order.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        throw unordered("reverseRange");
    }

    /**
     * Not served: a hash store keeps no key order.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        throw unordered("reverseAll");
    }

    /**
     * Not served: a hash store keeps no key order.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        throw unordered("prefixScan");
    }

    /**
     * Every entry, in no particular order, copied onto the heap when the iterator is opened (so
     * later writes do not show). Close the iterator; the store's close closes those left open.
     */
    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        requireOpen();
        List<KeyValue<Bytes, byte[]>> entries = new ArrayList<>();
        try {
            db.forEach((k, v) -> entries.add(KeyValue.pair(KeyCodec.decode(name, k), v)));
        } catch (SeqsException e) {
            throw new ProcessorStateException("cannot read from seqs store " + name, e);
        }
        SnapshotIterator iterator = new SnapshotIterator(name, entries, openIterators::remove);
        openIterators.add(iterator);
        return iterator;
    }

    @Override
    public long approximateNumEntries() {
        requireOpen();
        return db.stats().keys();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return KafkaInternals.handleBasicQueries(query, positionBound, config, this, position, context);
    }

    @Override
    public Position getPosition() {
        return position;
    }

    /**
     * Records the changelog offsets the data now covers. An empty map clears every offset, a null
     * value clears its partition, and {@code -4} ("unknown") is kept as given. Under at-least-once
     * the offsets are recorded by the {@link OffsetRecorder} thread, which forces the log and then
     * replaces the offsets file: the commit does not wait for the disk, and recorded offsets never
     * run ahead of the data on it.
     *
     * @throws ProcessorStateException when the log or the offsets file cannot be written
     */
    @Override
    public synchronized void commit(Map<TopicPartition, Long> changelogOffsets) {
        Objects.requireNonNull(changelogOffsets, "changelogOffsets");
        if (!open) {
            return;
        }
        Map<TopicPartition, Long> next = new LinkedHashMap<>(changelogOffsets.isEmpty() ? Map.of() : offsets);
        changelogOffsets.forEach((partition, offset) -> {
            if (offset == null) {
                next.remove(partition);
            } else {
                next.put(partition, offset);
            }
        });
        throwIfRecordingFailed();
        if (!exactlyOnce && worthRecording(next)) {
            OffsetsFile.Contents contents = new OffsetsFile.Contents(false, next, position.copy());
            synchronized (pendingLock) {
                boolean queued = pending != null;
                pending = contents;
                if (!queued) {
                    OffsetRecorder.submit(this::recordPending);
                }
            }
            recorded = next;
        }
        offsets = next;
        dirty = false;
    }

    /**
     * On the recorder thread: forces the log, which then holds everything written before the
     * commit that made the pending offsets, and writes them. Offsets committed meanwhile wait for
     * the next turn; a store closed meanwhile records its own at close.
     */
    private void recordPending() {
        recording.lock();
        try {
            OffsetsFile.Contents contents;
            synchronized (pendingLock) {
                contents = pending;
                pending = null;
            }
            if (contents == null || !open) {
                return;
            }
            forceLog();
            offsetsFile.write(contents);
        } catch (RuntimeException e) {
            recordFailure = e;
        } finally {
            recording.unlock();
        }
    }

    private void throwIfRecordingFailed() {
        RuntimeException failure = recordFailure;
        if (failure != null) {
            recordFailure = null;
            throw failure instanceof ProcessorStateException pse
                    ? pse
                    : new ProcessorStateException("seqs store " + name + ": recording offsets failed", failure);
        }
    }

    /**
     * Whether {@code next} differs enough from the offsets last recorded to force the log and
     * record it: a partition added or removed, an offset unknown or moved back, or
     * {@link #OFFSET_DELTA_FOR_RECORDING} records of progress in all.
     */
    private boolean worthRecording(Map<TopicPartition, Long> next) {
        if (!next.keySet().equals(recorded.keySet())) {
            return true;
        }
        long progress = 0;
        for (var e : next.entrySet()) {
            long before = recorded.get(e.getKey());
            long now = e.getValue();
            if (now < 0 || before < 0 || now < before) {
                if (now != before) {
                    return true;
                }
                continue;
            }
            progress += now - before;
        }
        return progress >= OFFSET_DELTA_FOR_RECORDING;
    }

    /**
     * The changelog offset last committed for {@code partition}, {@code -4} when it was committed
     * as unknown, null when none is recorded.
     *
     * @throws InvalidStateStoreException when the store is closed
     */
    @Override
    public synchronized Long committedOffset(TopicPartition partition) {
        requireOpen();
        return offsets.get(partition);
    }

    /** Forces the log; offsets are recorded by {@link #commit}. */
    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        if (open) {
            forceLog();
        }
    }

    /**
     * Closes open iterators, forces the log, records the offsets (as a clean close only when
     * nothing was written since the last commit) and closes the seqs store.
     *
     * @throws ProcessorStateException when the log or the offsets file cannot be written; the
     *     seqs store is closed all the same
     */
    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        open = false;
        openIterators.forEach(SnapshotIterator::closeQuietly);
        openIterators.clear();
        recording.lock(); // a recording under way ends first; one not begun finds the store closed
        try {
            synchronized (pendingLock) {
                pending = null;
            }
            recordFailure = null; // what it failed to record is recorded now, or this close fails
            forceLog();
            offsetsFile.write(new OffsetsFile.Contents(!dirty, offsets, position.copy()));
        } catch (RuntimeException e) {
            closeQuietly(e);
            throw e;
        } finally {
            recording.unlock();
        }
        closeDb();
    }

    private void write(WriteBatch batch, String what) {
        try {
            db.write(batch);
        } catch (SeqsException e) {
            throw new ProcessorStateException(
                    "seqs store " + name + ": " + what + " of " + batch.size() + " entries failed", e);
        }
    }

    private void wrote() {
        dirty = true;
        KafkaInternals.updatePosition(position, context);
    }

    private void forceLog() {
        try {
            db.flush();
        } catch (SeqsException e) {
            throw new ProcessorStateException("cannot force the log of seqs store " + name, e);
        }
    }

    private void closeDb() {
        try {
            db.close();
        } catch (SeqsException e) {
            throw new ProcessorStateException("cannot close seqs store " + name, e);
        }
    }

    private void closeQuietly(RuntimeException cause) {
        try {
            db.close();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private byte[] checkedValue(byte[] value) {
        if (value.length > Seqs.MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("store " + name + ": value of " + value.length
                    + " bytes is longer than the " + Seqs.MAX_VALUE_LENGTH + " bytes seqs takes");
        }
        return value;
    }

    private void requireOpen() {
        if (!open) {
            throw new InvalidStateStoreException("seqs store " + name + " is not open");
        }
    }

    private UnsupportedOperationException unordered(String operation) {
        return new UnsupportedOperationException("seqs store " + name + " is a hash store and keeps no key order: "
                + operation + " is not supported (use SeqsDslStoreSuppliers, which gives operators that need it "
                + "Kafka's own stores)");
    }
}
