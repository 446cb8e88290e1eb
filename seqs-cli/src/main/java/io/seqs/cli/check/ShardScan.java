package io.seqs.cli.check;

import io.seqs.cli.Progress;
import io.seqs.cli.format.FormatException;
import io.seqs.cli.format.LogRecord;
import io.seqs.cli.format.Lz4Value;
import io.seqs.cli.format.MappedFile;
import io.seqs.cli.format.ReclaimedMarker;
import io.seqs.cli.format.SegmentHeader;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads one shard's log the way docs/format.md describes recovery, but does not stop at the first
 * problem: it names every one, finds the sound records after it (the next offset, 8-byte aligned,
 * where a sound record with an acceptable generation starts), and works out where open would cut
 * the log. The chain of segments continues across reclaimed-segment markers; every compressed
 * value is decompressed and checked against the length it declares. The segment files stay
 * mapped read-only until {@link #close()}.
 */
public final class ShardScan implements AutoCloseable {
    /** Receives every sound record in log order. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * @param segment the segment the record is in
         * @param record the record
         * @param logPosition its log position
         */
        void record(Segment segment, LogRecord record, long logPosition);
    }

    /**
     * What the scan expects of the shard's files.
     *
     * @param epoch epoch
     * @param shard shard
     * @param shardCount shards, 0 when unknown
     * @param windowSize window size, 0 when unknown
     * @param maxGeneration highest acceptable record generation
     */
    public record Expected(long epoch, int shard, int shardCount, long windowSize, long maxGeneration) {}

    /**
     * A mapped segment file.
     *
     * @param id its id
     * @param file the mapping
     * @param windowSize the window size placing it in the log
     */
    public record Segment(long id, MappedFile file, long windowSize) {
        /** The log position of an offset in this file. @param offset the offset @return the position */
        public long logPosition(long offset) {
            return id * windowSize + offset;
        }
    }

    /**
     * Unreadable bytes between two sound records (or after the last).
     *
     * @param start first log position
     * @param end log position after it
     * @param file the file
     * @param offset offset of the start in it
     * @param trailing whether no sound record follows it
     */
    public record Gap(long start, long end, Path file, long offset, boolean trailing) {}

    /** A finding, and whether open stops reading the log there (rather than keeping the record or ignoring a file). */
    private record Problem(Finding finding, boolean cuts) {}

    /** Where the chain of segments goes on is not known (after an unreadable marker). */
    private static final long UNKNOWN = -1;

    private static final String VALUE_DAMAGE_ACTION = "open keeps the record; while it is its key's latest, a get "
            + "of the key, a dump and a scan fail on it with a CorruptionException";

    private final Expected expected;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final TreeMap<Long, ReclaimedMarker> reclaimed = new TreeMap<>();
    private final List<Problem> problems = new ArrayList<>();
    private final List<Gap> gaps = new ArrayList<>();
    private long window;
    private long minGeneration;
    private long soundEnd = -1;
    private long logEnd;
    private long records;
    private long recordsAfterCut;
    private long recordsAtLastProblem = -1;
    private long compressedRecords;
    private long damagedValues;
    private long bytes;
    /** The id the next file of the chain must have, or {@link #UNKNOWN}. */
    private long nextId;
    /** Where the records of the chain so far end, or {@link #UNKNOWN}. */
    private long chainEnd;

    private ShardScan(Expected expected) {
        this.expected = expected;
        this.window = expected.windowSize();
    }

    /**
     * Scans a shard's log.
     *
     * @param layout the store's names
     * @param expected what the files must say
     * @param visitor receives each sound record
     * @param progress advanced by the bytes of each file read
     * @return the scan, holding the mapped files until closed
     * @throws IOException when a file cannot be listed or mapped
     */
    public static ShardScan scan(StoreLayout layout, Expected expected, Visitor visitor, Progress progress)
            throws IOException {
        ShardScan s = new ShardScan(expected);
        try {
            s.run(layout, visitor, progress);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void run(StoreLayout layout, Visitor visitor, Progress progress) throws IOException {
        Path shardDir = layout.dir()
                .resolve(StoreLayout.epochName(expected.epoch()))
                .resolve(StoreLayout.shardName(expected.shard()));
        TreeMap<Long, Path> leftovers = layout.segments(expected.epoch(), expected.shard());
        nextId = 0;
        chainEnd = 0;
        for (Map.Entry<Long, Path> e :
                layout.logFiles(expected.epoch(), expected.shard()).entrySet()) {
            long id = e.getKey();
            if (!StoreLayout.isMarker(e.getValue())) {
                segment(shardDir, e.getValue(), id, visitor, progress);
                continue;
            }
            marker(shardDir, e.getValue(), id);
            Path leftover = leftovers.get(id);
            if (leftover != null) {
                problems.add(new Problem(
                        new Finding(
                                Finding.Severity.NOTE,
                                leftover,
                                0,
                                "segment file beside its reclaimed-segment marker (a reclamation stopped before "
                                        + "deleting it); not part of the log, not read",
                                "open deletes it"),
                        false));
            }
        }
        logEnd = chainEnd == UNKNOWN ? soundEnd : chainEnd;
        if (soundEnd < 0) {
            soundEnd = logEnd;
        }
        classify();
    }

    private void segment(Path shardDir, Path path, long id, Visitor visitor, Progress progress) throws IOException {
        MappedFile file = MappedFile.open(path);
        SegmentHeader header = header(file, id, chainEnd);
        if (window == 0) {
            problems.add(new Problem(
                    new Finding(
                            Finding.Severity.DAMAGE,
                            file.path(),
                            0,
                            "window size unknown (no sound manifest or earlier header): records not read",
                            ""),
                    true));
            file.close();
            return;
        }
        if (nextId != UNKNOWN && id != nextId) {
            missing(shardDir, nextId, id, chainEnd);
        }
        Segment segment = new Segment(id, file, window);
        segments.put(id, segment);
        long end = records(segment, visitor);
        if (header != null && file.size() < header.recordedLength()) {
            problem(
                    file.path(),
                    file.size(),
                    "file is " + file.size() + " bytes, its header records " + header.recordedLength()
                            + ": cut on disk",
                    segment.logPosition(end));
            // what the cut took may have held records: newer versions of keys read before it
            gaps.add(new Gap(
                    segment.logPosition(end), segment.logPosition(header.recordedLength()), file.path(), end, false));
        }
        chainEnd = segment.logPosition(end);
        long windows = header != null ? header.windowCount() : Math.max(1, (file.size() + window - 1) / window);
        nextId = id + windows;
        bytes += file.size();
        progress.advance(file.size());
    }

    /**
     * A reclaimed-segment marker: checked on its own and against the shard, then the chain goes
     * on from where the reclaimed segment's records ended.
     */
    private void marker(Path shardDir, Path path, long id) throws IOException {
        ReclaimedMarker m;
        try (MappedFile f = MappedFile.open(path)) {
            m = ReclaimedMarker.parse(f.bytes());
        } catch (FormatException ex) {
            unreadableMarker(path, ex.offset(), ex.getMessage());
            return;
        }
        if (window == 0) {
            window = m.windowSize();
        }
        FormatException mismatch = mismatch(m, id);
        if (mismatch != null) {
            unreadableMarker(path, mismatch.offset(), mismatch.getMessage());
            return;
        }
        if (nextId != UNKNOWN && id != nextId) {
            missing(shardDir, nextId, id, chainEnd);
        } else if (chainEnd != UNKNOWN && m.previousEnd() != chainEnd) {
            problem(
                    path,
                    ReclaimedMarker.PREVIOUS_END_OFFSET,
                    "reclaimed-segment marker previous end " + m.previousEnd() + ", but the records before it end at "
                            + chainEnd,
                    chainEnd);
        }
        reclaimed.put(id, m);
        nextId = m.nextId();
        chainEnd = m.recordsEnd();
    }

    /** What of a sound marker does not match the shard and the file's name, or null. */
    private FormatException mismatch(ReclaimedMarker m, long id) {
        String what = "reclaimed-segment marker ";
        if (m.epoch() != expected.epoch()) {
            return new FormatException(
                    ReclaimedMarker.EPOCH_OFFSET, what + "epoch " + m.epoch() + ", expected " + expected.epoch());
        }
        if (m.shard() != expected.shard()) {
            return new FormatException(
                    ReclaimedMarker.SHARD_OFFSET, what + "shard " + m.shard() + ", expected " + expected.shard());
        }
        if (expected.shardCount() != 0 && m.shardCount() != expected.shardCount()) {
            return new FormatException(
                    ReclaimedMarker.SHARD_COUNT_OFFSET,
                    what + "shard count " + m.shardCount() + ", expected " + expected.shardCount());
        }
        if (m.segmentId() != id) {
            return new FormatException(
                    ReclaimedMarker.SEGMENT_ID_OFFSET, what + "segment id " + m.segmentId() + ", its name says " + id);
        }
        if (m.windowSize() != window) {
            return new FormatException(
                    ReclaimedMarker.WINDOW_SIZE_OFFSET,
                    what + "window size " + m.windowSize() + ", expected " + window);
        }
        return null;
    }

    /** Open stops at a marker it cannot trust; where the chain goes on after it is not known. */
    private void unreadableMarker(Path path, long offset, String what) {
        problem(path, offset, what, chainEnd);
        nextId = UNKNOWN;
        chainEnd = UNKNOWN;
    }

    private SegmentHeader header(MappedFile file, long id, long previousEnd) {
        SegmentHeader h;
        try {
            h = SegmentHeader.parse(file.bytes());
        } catch (FormatException ex) {
            problem(file.path(), ex.offset(), ex.getMessage(), previousEnd);
            return null;
        }
        if (window == 0) {
            window = h.windowSize();
        }
        String mismatch = h.epoch() != expected.epoch()
                ? "epoch " + h.epoch() + ", expected " + expected.epoch()
                : h.shard() != expected.shard()
                        ? "shard " + h.shard() + ", expected " + expected.shard()
                        : expected.shardCount() != 0 && h.shardCount() != expected.shardCount()
                                ? "shard count " + h.shardCount() + ", expected " + expected.shardCount()
                                : h.segmentId() != id
                                        ? "segment id " + h.segmentId() + ", its name says " + id
                                        : h.windowSize() != window
                                                ? "window size " + h.windowSize() + ", expected " + window
                                                : previousEnd != UNKNOWN && h.previousEnd() != previousEnd
                                                        ? "previous end " + h.previousEnd()
                                                                + ", but the records before it end at "
                                                                + previousEnd
                                                        : null;
        if (mismatch != null) {
            problem(file.path(), 0, "segment header " + mismatch, previousEnd);
        }
        return h;
    }

    private void missing(Path shardDir, long expectedId, long id, long previousEnd) {
        Path name = shardDir.resolve(StoreLayout.segmentName(expectedId));
        problem(name, 0, "segment files missing for windows " + expectedId + ".." + (id - 1), previousEnd);
        gaps.add(new Gap(previousEnd, id * window, name, 0, false));
    }

    private long records(Segment segment, Visitor visitor) {
        var bytes = segment.file().bytes();
        long offset = SegmentHeader.LENGTH;
        while (true) {
            LogRecord.Probe p = LogRecord.probe(bytes, offset, minGeneration, expected.maxGeneration());
            if (p instanceof LogRecord.Sound(LogRecord r)) {
                records++;
                if (soundEnd >= 0) {
                    recordsAfterCut++;
                }
                minGeneration = r.generation();
                if (r.compressed()) {
                    compressedValue(segment, r);
                }
                visitor.record(segment, r, segment.logPosition(offset));
                offset += r.length();
            } else if (p instanceof LogRecord.Bad(String reason)) {
                problem(segment.file().path(), offset, reason, segment.logPosition(offset));
                long next = resync(bytes, offset + 8);
                long gapEnd = next >= 0 ? next : bytes.byteSize();
                gaps.add(new Gap(
                        segment.logPosition(offset),
                        segment.logPosition(gapEnd),
                        segment.file().path(),
                        offset,
                        false));
                if (next < 0) {
                    return bytes.byteSize();
                }
                offset = next;
            } else {
                return offset;
            }
        }
    }

    /** Checks a compressed value decompresses to the length it declares; open does not, a get does. */
    private void compressedValue(Segment segment, LogRecord r) {
        compressedRecords++;
        try {
            Lz4Value.decompress(segment.file().bytes(), r);
        } catch (FormatException ex) {
            damagedValues++;
            problems.add(new Problem(
                    new Finding(
                            Finding.Severity.DAMAGE,
                            segment.file().path(),
                            ex.offset(),
                            ex.getMessage(),
                            VALUE_DAMAGE_ACTION),
                    false));
        }
    }

    private long resync(java.lang.foreign.MemorySegment bytes, long from) {
        for (long o = from; bytes.byteSize() - o >= LogRecord.HEADER; o += 8) {
            if (LogRecord.probe(bytes, o, minGeneration, expected.maxGeneration()) instanceof LogRecord.Sound) {
                return o;
            }
        }
        return -1;
    }

    /** A problem where open stops reading the log. */
    private void problem(Path file, long offset, String what, long cutAt) {
        if (soundEnd < 0 && cutAt != UNKNOWN) {
            soundEnd = cutAt;
        }
        recordsAtLastProblem = records;
        problems.add(new Problem(new Finding(Finding.Severity.DAMAGE, file, offset, what, ""), true));
    }

    /** Says what open would do for each place where it stops reading, once the whole log has been read. */
    private void classify() {
        long cuts = problems.stream().filter(Problem::cuts).count();
        boolean tail = recordsAtLastProblem == records
                && cuts == 1
                && !gaps.isEmpty()
                && gaps.getLast()
                        .file()
                        .equals(
                                segments.isEmpty()
                                        ? null
                                        : segments.lastEntry().getValue().file().path());
        for (int i = 0; i < gaps.size(); i++) {
            Gap g = gaps.get(i);
            boolean trailing = recordsAtLastProblem == records && i == gaps.size() - 1;
            gaps.set(i, new Gap(g.start(), g.end(), g.file(), g.offset(), trailing));
        }
        long filesAfter = segments.values().stream()
                .filter(s -> s.logPosition(0) >= soundEnd)
                .count();
        boolean first = true;
        for (int i = 0; i < problems.size(); i++) {
            if (!problems.get(i).cuts()) {
                continue;
            }
            Finding f = problems.get(i).finding();
            if (tail) {
                f = f.with(
                        Finding.Severity.TAIL,
                        "open cuts the log at log position " + soundEnd
                                + " (a write an unclean shutdown interrupted); nothing readable follows");
            } else if (first) {
                f = f.with(
                        Finding.Severity.DAMAGE,
                        "open keeps log positions below " + soundEnd + " and drops " + recordsAfterCut
                                + " sound records after it"
                                + (filesAfter > 0 ? " and " + filesAfter + " segment files" : ""));
            } else {
                f = f.with(Finding.Severity.DAMAGE, "dropped by open with everything after log position " + soundEnd);
            }
            problems.set(i, new Problem(f, true));
            first = false;
        }
    }

    /** Findings in log order. */
    public List<Finding> findings() {
        return problems.stream().map(Problem::finding).toList();
    }

    /** The reclaimed-segment markers of the chain that passed their checks, by segment id. */
    public TreeMap<Long, ReclaimedMarker> reclaimed() {
        return reclaimed;
    }

    /**
     * The reclaimed segment that covered a log position.
     *
     * @param position a log position
     * @return its marker, or null when no reclaimed segment covered it
     */
    public ReclaimedMarker reclaimedAt(long position) {
        if (window == 0) {
            return null;
        }
        var e = reclaimed.floorEntry(position / window);
        return e != null && position < e.getValue().limit() ? e.getValue() : null;
    }

    /** Sound records whose value is stored compressed. */
    public long compressedRecords() {
        return compressedRecords;
    }

    /** Sound records whose compressed value does not decompress to its declared length. */
    public long damagedValues() {
        return damagedValues;
    }

    /** Unreadable stretches of the log, in log order. */
    public List<Gap> gaps() {
        return gaps;
    }

    /** The mapped segments by id. */
    public TreeMap<Long, Segment> segments() {
        return segments;
    }

    /** The log position where open would stop reading (the end of the log when sound). */
    public long soundEnd() {
        return soundEnd;
    }

    /** The log position after the last byte read. */
    public long logEnd() {
        return logEnd;
    }

    /** Sound records read. */
    public long records() {
        return records;
    }

    /** Sound records after the position where open would cut. */
    public long recordsAfterCut() {
        return recordsAfterCut;
    }

    /** Bytes of segment files read. */
    public long bytes() {
        return bytes;
    }

    /** The window size the scan used (0 when unknown). */
    public long windowSize() {
        return window;
    }

    /** Unmaps every segment file. */
    @Override
    public void close() {
        segments.values().forEach(s -> s.file().close());
        segments.clear();
    }
}
