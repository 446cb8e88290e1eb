package io.seqs.kafka;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * An iterator over entries copied out of the store when it was opened, in no particular order.
 * Writes after it was opened do not show. Once closed, by its user or by the store's close,
 * every call but {@link #close()} throws {@link InvalidStateStoreException}.
 */
final class SnapshotIterator implements KeyValueIterator<Bytes, byte[]> {
    private final String store;
    private final List<KeyValue<Bytes, byte[]>> entries;
    private final Consumer<SnapshotIterator> onClose;
    private int next;
    private volatile boolean open = true;

    SnapshotIterator(String store, List<KeyValue<Bytes, byte[]>> entries, Consumer<SnapshotIterator> onClose) {
        this.store = store;
        this.entries = entries;
        this.onClose = onClose;
    }

    @Override
    public boolean hasNext() {
        requireOpen();
        return next < entries.size();
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more entries in store " + store);
        }
        return entries.get(next++);
    }

    @Override
    public Bytes peekNextKey() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more entries in store " + store);
        }
        return entries.get(next).key;
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            onClose.accept(this);
        }
    }

    /** Closes without telling the store, which is closing its iterators itself. */
    void closeQuietly() {
        open = false;
    }

    private void requireOpen() {
        if (!open) {
            throw new InvalidStateStoreException("iterator over store " + store + " is closed");
        }
    }
}
