package io.seqs.cli.check;

import io.seqs.cli.Progress;
import io.seqs.cli.format.FormatException;
import io.seqs.cli.format.LogRecord;
import io.seqs.cli.format.MappedFile;
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
 * the log. The segment files stay mapped read-only until {@link #close()}.
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

    private final Expected expected;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final List<Finding> findings = new ArrayList<>();
    private final List<Gap> gaps = new ArrayList<>();
    private long window;
    private long minGeneration;
    private long soundEnd = -1;
    private long logEnd;
    private long records;
    private long recordsAfterCut;
    private long recordsAtLastProblem = -1;
    private long bytes;

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
        long expectedId = 0;
        long previousEnd = 0;
        for (Map.Entry<Long, Path> e :
                layout.segments(expected.epoch(), expected.shard()).entrySet()) {
            long id = e.getKey();
            MappedFile file = MappedFile.open(e.getValue());
            SegmentHeader header = header(file, id, previousEnd);
            if (window == 0) {
                findings.add(new Finding(
                        Finding.Severity.DAMAGE,
                        file.path(),
                        0,
                        "window size unknown (no sound manifest or earlier header): records not read",
                        ""));
                file.close();
                continue;
            }
            if (id != expectedId) {
                missing(shardDir, expectedId, id, previousEnd);
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
            }
            previousEnd = segment.logPosition(end);
            long windows = header != null ? header.windowCount() : Math.max(1, (file.size() + window - 1) / window);
            expectedId = id + windows;
            bytes += file.size();
            progress.advance(file.size());
        }
        logEnd = previousEnd;
        if (soundEnd < 0) {
            soundEnd = logEnd;
        }
        classify();
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
                                                : h.previousEnd() != previousEnd
                                                        ? "previous end " + h.previousEnd()
                                                                + ", but the previous segment's records end at "
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

    private long resync(java.lang.foreign.MemorySegment bytes, long from) {
        for (long o = from; bytes.byteSize() - o >= LogRecord.HEADER; o += 8) {
            if (LogRecord.probe(bytes, o, minGeneration, expected.maxGeneration()) instanceof LogRecord.Sound) {
                return o;
            }
        }
        return -1;
    }

    private void problem(Path file, long offset, String what, long cutAt) {
        if (soundEnd < 0) {
            soundEnd = cutAt;
        }
        recordsAtLastProblem = records;
        findings.add(new Finding(Finding.Severity.DAMAGE, file, offset, what, ""));
    }

    /** Says what open would do for each finding, once the whole log has been read. */
    private void classify() {
        boolean tail = recordsAtLastProblem == records
                && findings.size() == 1
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
        for (int i = 0; i < findings.size(); i++) {
            Finding f = findings.get(i);
            if (tail) {
                findings.set(
                        i,
                        f.with(
                                Finding.Severity.TAIL,
                                "open cuts the log at log position " + soundEnd
                                        + " (a write an unclean shutdown interrupted); nothing readable follows"));
            } else if (i == 0) {
                findings.set(
                        i,
                        f.with(
                                Finding.Severity.DAMAGE,
                                "open keeps log positions below " + soundEnd + " and drops " + recordsAfterCut
                                        + " sound records after it"
                                        + (filesAfter > 0 ? " and " + filesAfter + " segment files" : "")));
            } else {
                findings.set(
                        i,
                        f.with(
                                Finding.Severity.DAMAGE,
                                "dropped by open with everything after log position " + soundEnd));
            }
        }
    }

    /** Findings in log order. */
    public List<Finding> findings() {
        return findings;
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
