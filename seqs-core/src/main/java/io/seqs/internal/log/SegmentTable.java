package io.seqs.internal.log;

import static io.seqs.internal.format.RecordDescriptor.HEADER_LENGTH;

import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * A shard's segments in log order, and the window table that maps a log position to its
 * segment in one division and one array load. The list belongs to the writer (the shard lock
 * guards it); the window table is copied on change and published with a volatile write, so
 * lock-free readers always see a table every segment of which is mapped.
 */
public final class SegmentTable {
    private final Path dir;
    private final long windowSize;
    /** log2 of {@link #windowSize} when it is a power of two (the default sizes are), else -1. */
    private final int windowShift;

    private final List<Segment> segments = new ArrayList<>();
    /** Window number to segment; a segment spanning several windows fills each of them. */
    private volatile Segment[] windows = new Segment[0];

    public SegmentTable(Path dir, long windowSize) {
        assert windowSize > 0 && windowSize % RecordDescriptor.ALIGNMENT == 0 : windowSize;
        this.dir = dir;
        this.windowSize = windowSize;
        this.windowShift = Long.bitCount(windowSize) == 1 ? Long.numberOfTrailingZeros(windowSize) : -1;
    }

    /** Appends a segment and makes it reachable by readers. */
    public void install(Segment seg) {
        assert segments.isEmpty() || seg.id >= last().nextId() : seg.id + " after " + last().id;
        segments.add(seg);
        long lastWindow = seg.id + seg.windowCount;
        Segment[] current = windows;
        Segment[] next = lastWindow > current.length
                ? Arrays.copyOf(current, (int) Math.max(lastWindow, current.length * 2L))
                : current.clone();
        for (long w = seg.id; w < lastWindow; w++) {
            next[(int) w] = seg;
        }
        windows = next;
    }

    /**
     * Takes a reclaimed segment out of the log and publishes a window table without it. Readers
     * that may have found it in the table before are the caller's to wait out before it unmaps
     * the file.
     */
    public void remove(Segment seg) {
        assert seg != last() : "the active segment " + seg + " cannot be reclaimed";
        boolean removed = segments.remove(seg);
        assert removed : seg;
        publish();
    }

    /** Removes the newest segment (recovery dropping what follows damage); call {@link #publish()} after. */
    public Segment removeLast() {
        return segments.remove(segments.size() - 1);
    }

    /** Publishes a window table of the segments the list now holds. */
    public void publish() {
        Segment[] next = new Segment[windows.length];
        for (Segment seg : segments) {
            for (long w = seg.id; w < seg.id + seg.windowCount; w++) {
                next[(int) w] = seg;
            }
        }
        windows = next;
    }

    /**
     * The segment holding a record at {@code position}, for readers and writers alike.
     *
     * @throws IllegalStateException when the position lies outside every segment (an index
     *     entry pointing nowhere)
     */
    public Segment at(long position) {
        Segment seg = holding(windows, position);
        if (seg == null) {
            throw new IllegalStateException("index of shard " + dir + " points at log position " + position
                    + " outside every segment (" + windows.length + " windows of " + windowSize + " bytes)");
        }
        return seg;
    }

    /** Whether a record header could start at {@code position}: inside a segment, past its header. */
    public boolean holdsRecordAt(long position) {
        return holding(windows, position) != null;
    }

    /**
     * {@link #holdsRecordAt} over the segments as they are now, for checking many positions in
     * a row (a checkpoint's table) while no segment is installed or removed.
     */
    public LongPredicate recordPlaces() {
        Segment[] win = windows;
        return position -> holding(win, position) != null;
    }

    /** Whether {@code position} lies inside a segment, past its header, or at its very end. */
    public boolean holdsPosition(long position) {
        long w = window(position);
        Segment[] win = windows;
        Segment seg = w < win.length ? win[(int) w] : null;
        return seg != null && position >= seg.base + SegmentDescriptor.HEADER_LENGTH && position <= seg.limit();
    }

    private long window(long position) {
        return windowShift >= 0 ? position >>> windowShift : position / windowSize;
    }

    private Segment holding(Segment[] win, long position) {
        long w = window(position);
        Segment seg = w < win.length ? win[(int) w] : null;
        if (seg == null
                || position < seg.base + SegmentDescriptor.HEADER_LENGTH
                || position + HEADER_LENGTH > seg.limit()) {
            return null;
        }
        return seg;
    }

    /** The window table as published now, for a force over a range of positions. */
    public Segment[] windows() {
        return windows;
    }

    public int size() {
        return segments.size();
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    public Segment get(int i) {
        return segments.get(i);
    }

    public Segment last() {
        return segments.get(segments.size() - 1);
    }

    public List<Segment> list() {
        return java.util.Collections.unmodifiableList(segments);
    }
}
