package io.seqs.internal.store;

import static io.seqs.internal.format.RecordDescriptor.HEADER_LENGTH;

import io.seqs.CorruptionException;
import io.seqs.internal.format.ReclaimedDescriptor;
import io.seqs.internal.format.RecordDescriptor;
import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.fs.FileUtil;
import io.seqs.internal.index.CheckpointFile;
import io.seqs.internal.index.HashIndex;
import io.seqs.internal.index.Zeros;
import io.seqs.internal.log.Segment;
import io.seqs.internal.log.SegmentSpace;
import io.seqs.internal.log.SegmentTable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens one shard's log as it was left: maps the chain of segment files, loads the newest
 * checkpoint that the surviving log still covers, replays the records after it into the shard's
 * index, and cuts the log where it stops being sound. Reading is separate from the policy of what
 * to keep: every record, byte and file given up is handed to a {@link RecoveryDamage}, which
 * counts it and reports it in one log line. A read-only store recovers the same way but changes
 * nothing on disk.
 *
 * <p>Runs once, before the shard is published; it fills the shard's segment table, space
 * figures and index and applies records through {@link Shard#replayRecord}.
 */
final class ShardRecovery {
    private static final System.Logger LOG = System.getLogger("io.seqs");
    /** How far past the last record recovery looks for the remains of a torn write. */
    static final long TAIL_LOOKAHEAD = 1 << 20;

    /** What recovery found and did, for stats and logs. */
    record Report(
            boolean fromCheckpoint,
            long checkpointPosition,
            long segments,
            long replayedRecords,
            long replayedBytes,
            long droppedRecords,
            long droppedBytes,
            long droppedSegments,
            long nanos,
            String problem) {}

    /** What the shard takes over: where its sound log ends, and the report. */
    record Result(long end, Report report) {}

    private final Shard shard;
    private final Config config;
    private final Path dir;
    private final Path checkpointDir;
    private final long epoch;
    private final int index;
    private final int shardCount;
    private final long windowSize;
    private final int generation;
    private final SegmentTable segments;
    private final SegmentSpace space;
    private final RecoveryDamage damage = new RecoveryDamage();
    /** A reclaimed segment in the chain: its marker and the marker's file. */
    private record Hole(ReclaimedDescriptor.Marker marker, Path file) {}

    /** Reclaimed segments in the chain, by id: the log's holes. */
    private final List<Hole> holes = new ArrayList<>();

    ShardRecovery(Shard shard) {
        this.shard = shard;
        this.config = shard.config();
        this.dir = shard.dir;
        this.checkpointDir = shard.checkpointDir;
        this.epoch = shard.epoch;
        this.index = shard.index;
        this.shardCount = shard.shardCount;
        this.windowSize = shard.windowSize;
        this.generation = shard.generation;
        this.segments = shard.segmentTable();
        this.space = shard.space();
    }

    /** The newest checkpoint recovery can start from, and the newest sound one beyond the surviving log. */
    private record Checkpoints(CheckpointFile.Loaded usable, CheckpointFile.Loaded beyond) {}

    Result run() throws IOException {
        long start = System.nanoTime();
        List<Path> files = listSegmentFiles();
        int chainEnd = mapChain(files);
        Checkpoints checkpoints = findCheckpoint();
        CheckpointFile.Loaded checkpoint = checkpoints.usable();
        long scanFrom;
        if (checkpoint != null) {
            shard.useIndex(checkpoint.index());
            scanFrom = checkpoint.coveredPosition();
            space.load(checkpoint.liveBytes(), checkpoint.deadBytes());
        } else {
            shard.useIndex(HashIndex.forKeys(config.expectedKeys() / shardCount, scratchDirectory()));
            scanFrom = segments.isEmpty() ? 0 : segments.get(0).base + SegmentDescriptor.HEADER_LENGTH;
        }
        Replay replay = replayFrom(scanFrom, checkpoint != null ? checkpoint.generation() : 0);
        dropAfterDamage(files.subList(chainEnd, files.size()), replay.keptSegments);
        dropHolesAfterLog();
        if (checkpoints.beyond() != null) {
            damage.lostFromCheckpoint(checkpoints.beyond(), replay.end);
            checkpoints.beyond().index().close();
        }
        segments.publish();
        // Recovery read the log in order, with the kernel's readahead; from now on it is read at random.
        for (Segment seg : segments.list()) {
            FileUtil.adviseRandomAccess(seg.map);
        }
        long end = segments.isEmpty() ? 0 : replay.end;
        if (!config.readOnly()) {
            CheckpointFile.deleteNewerThan(checkpointDir, end);
        }
        damage.report(dir, end, config.readOnly());
        Report report = new Report(
                checkpoint != null,
                scanFrom,
                segments.size(),
                replay.records,
                replay.bytes,
                damage.records,
                damage.bytes,
                damage.files,
                System.nanoTime() - start,
                damage.problem);
        return new Result(end, report);
    }

    /**
     * Maps the chain of segment files: ids must follow each other and headers must be sound.
     *
     * @return how many files of {@code files} the chain holds
     */
    private int mapChain(List<Path> files) throws IOException {
        int chainEnd = 0;
        long expectedId = 0;
        for (; chainEnd < files.size(); chainEnd++) {
            Path file = files.get(chainEnd);
            long id = fileId(file);
            if (id != expectedId) {
                damage.note("segment " + file.getFileName() + " follows a missing segment "
                        + SegmentDescriptor.fileName(expectedId));
                break;
            }
            if (ReclaimedDescriptor.parseFileName(file.getFileName().toString()) >= 0) {
                try {
                    ReclaimedDescriptor.Marker marker = readMarker(file, id);
                    holes.add(new Hole(marker, file));
                    expectedId = marker.nextId();
                    continue;
                } catch (CorruptionException e) {
                    damage.note(e.getMessage());
                    break;
                }
            }
            Segment seg;
            try {
                seg = map(file, id);
            } catch (CorruptionException e) {
                // Only the newest file can be one a roll created and never got to write; a blank
                // file with others after it is damage like any other.
                if (chainEnd != files.size() - 1 || !neverWritten(file)) {
                    damage.note(e.getMessage());
                }
                break;
            }
            shard.install(seg);
            expectedId = seg.nextId();
        }
        return chainEnd;
    }

    /**
     * The newest checkpoint that is sound and covers a prefix of the mapped chain. The newest one
     * that is sound but covers more than survives tells which keys the damage took.
     */
    private Checkpoints findCheckpoint() throws IOException {
        CheckpointFile.Loaded beyond = null;
        for (Path candidate : CheckpointFile.list(checkpointDir)) {
            try {
                CheckpointFile.Loaded loaded = CheckpointFile.load(
                        candidate, epoch, index, shardCount, scratchDirectory(), segments.recordPlaces());
                if (insideHole(loaded.coveredPosition())) {
                    // older than a reclamation (which deletes such checkpoints; a power loss may undo that)
                    LOG.log(
                            System.Logger.Level.INFO,
                            "checkpoint {0} covers a reclaimed segment of {1}; trying an older one",
                            candidate,
                            dir);
                    loaded.index().close();
                    continue;
                }
                if (coversChainPrefix(loaded.coveredPosition(), loaded.maxPosition())
                        && loaded.coveredPosition() <= damage.cutPosition
                        && loaded.entriesHeld()) {
                    return new Checkpoints(loaded, beyond);
                }
                LOG.log(
                        System.Logger.Level.INFO,
                        "checkpoint {0} covers log position {1}, beyond what is left of the log of {2}; trying "
                                + "an older one",
                        candidate,
                        loaded.coveredPosition(),
                        dir);
                if (beyond == null) {
                    beyond = loaded;
                } else {
                    loaded.index().close();
                }
            } catch (CorruptionException | IOException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "checkpoint {0} is unusable ({1}); trying an older one",
                        candidate,
                        e.getMessage());
            }
        }
        return new Checkpoints(null, beyond);
    }

    /**
     * Drops what follows the point where the log stops being sound, counting every record: the
     * files after the chain ({@code orphans}) and the chain's segments past {@code keptSegments}.
     */
    private void dropAfterDamage(List<Path> orphans, int keptSegments) throws IOException {
        List<Path> toDelete = new ArrayList<>();
        for (int f = 0; f < orphans.size(); f++) {
            Path orphan = orphans.get(f);
            if (f == orphans.size() - 1 && f == 0 && damage.problem == null && neverWritten(orphan)) {
                // created by a roll that did not get to write its header: it held nothing
                LOG.log(System.Logger.Level.DEBUG, "removing empty segment file {0}", orphan);
            } else {
                damage.dropFile(orphan, countRecords(orphan), Files.size(orphan));
            }
            toDelete.add(orphan);
        }
        while (segments.size() > keptSegments) {
            Segment seg = segments.removeLast();
            long[] counted = countRecords(seg.map, seg.length);
            damage.dropFile(seg.path, counted, seg.length);
            damage.walked(seg.base, seg.base + SegmentDescriptor.HEADER_LENGTH + counted[1]);
            seg.unmap();
            toDelete.add(seg.path);
        }
        if (!config.readOnly()) {
            for (Path file : toDelete) {
                Files.deleteIfExists(file);
            }
            if (!toDelete.isEmpty()) {
                FileUtil.fsyncDirectory(dir);
            }
        }
    }

    /**
     * Drops the markers of reclaimed segments that lie after the last segment kept: a cut for
     * damage put them behind the log's end, and the writer's next segments will take their ids.
     * Without segments, every marker goes and the log starts again at segment 0. Only damage
     * leaves markers there (the segment a writer appends to is never reclaimed).
     */
    private void dropHolesAfterLog() throws IOException {
        long nextId = segments.isEmpty() ? 0 : segments.last().nextId();
        boolean deleted = false;
        for (java.util.Iterator<Hole> it = holes.iterator(); it.hasNext(); ) {
            Hole h = it.next();
            if (h.marker().segmentId() >= nextId || segments.isEmpty()) {
                it.remove();
                damage.dropFile(h.file(), new long[] {0, 0}, 0);
                if (!config.readOnly()) {
                    Files.deleteIfExists(h.file());
                    deleted = true;
                }
            }
        }
        if (deleted) {
            FileUtil.fsyncDirectory(dir);
        }
    }

    /** What {@link #replayFrom} read and where the sound log ends. */
    private record Replay(long records, long bytes, long end, int keptSegments) {}

    /**
     * Applies the records from log position {@code from} to the index, segment by segment,
     * stopping at the first unsound byte; the bytes after it are scrubbed and counted as damage,
     * and segments after it are left for the caller to drop.
     */
    private Replay replayFrom(long from, int firstGeneration) {
        long records = 0;
        long bytes = 0;
        int minGeneration = firstGeneration;
        int firstSegment = 0;
        while (firstSegment < segments.size() && segments.get(firstSegment).limit() < from) {
            firstSegment++;
        }
        long position = from;
        int kept = segments.size();
        int firstReplayed = firstSegment;
        ReplaySizing sizing = new ReplaySizing(shard.index().size, () -> replayBytes(firstReplayed, from));
        for (int s = firstSegment; s < segments.size(); s++) {
            Segment seg = segments.get(s);
            boolean last = s == segments.size() - 1;
            if (s > firstSegment) {
                String broken = crossHoles(segments.get(s - 1).nextId(), seg.id, position);
                if (broken != null) {
                    damage.note(broken);
                    kept = s;
                    break;
                }
                position = afterHoles(segments.get(s - 1).nextId(), seg.id, position);
                long previousEnd =
                        SegmentDescriptor.read(seg.map, seg.path, seg.length).previousEnd();
                if (previousEnd != position) {
                    damage.note("segment " + seg.path.getFileName() + " continues from log position " + previousEnd
                            + " but the records of the segment before it end at " + position);
                    kept = s;
                    break;
                }
                position = seg.base + SegmentDescriptor.HEADER_LENGTH;
            }
            long off = position - seg.base;
            ByteBuffer view = seg.map.asByteBuffer(); // this thread's own, for CRCs read in place
            while (off + HEADER_LENGTH <= seg.length && !RecordDescriptor.isEnd(seg.map, off)) {
                String bad = RecordDescriptor.check(seg.map, view, off, seg.length, minGeneration, generation - 1);
                if (bad != null) {
                    long[] dropped = scrub(seg, off);
                    if (last) {
                        damage.tornTail(seg.path.getFileName() + " at offset " + off + ": " + bad, dropped);
                    } else {
                        damage.note(seg.path.getFileName() + " at offset " + off + ": " + bad);
                        damage.add(dropped);
                    }
                    kept = s + 1;
                    break;
                }
                minGeneration = RecordDescriptor.generation(seg.map, off);
                if (shard.index().needsRebuild()) {
                    sizing.grow(shard, bytes);
                }
                long length = shard.replayRecord(seg, off);
                records++;
                bytes += length;
                off += length;
            }
            position = seg.base + off;
            if (kept != segments.size()) {
                break;
            }
            if (last) {
                // A clean end in the last segment may still hide a torn write whose first page
                // never reached the disk while later ones did: look past it.
                long[] dropped = scrub(seg, off);
                if (dropped[1] > 0) {
                    damage.tornTail(
                            seg.path.getFileName() + " at offset " + off + ": " + dropped[1]
                                    + " bytes past the last complete record",
                            dropped);
                }
            }
        }
        sizing.fit(shard, config.expectedKeys() / shardCount);
        return new Replay(records, bytes, position, kept);
    }

    /**
     * Bytes of records a replay from {@code from} reads, estimated: whole segments up to the last
     * one, whose records end where its zero pages begin ({@link ReplaySizing#recordsEnd}).
     */
    private long replayBytes(int firstSegment, long from) {
        long total = 0;
        for (int s = firstSegment; s < segments.size(); s++) {
            Segment seg = segments.get(s);
            long start = Math.clamp(from - seg.base, SegmentDescriptor.HEADER_LENGTH, seg.length);
            long end = s == segments.size() - 1 ? ReplaySizing.recordsEnd(seg.map, start, seg.length) : seg.length;
            total += end - start;
        }
        return total;
    }

    /**
     * Checks the reclaimed segments between segment ids {@code fromId} (inclusive) and
     * {@code toId} (exclusive) continue the log from {@code position}: null when they do, else what is wrong.
     */
    private String crossHoles(long fromId, long toId, long position) {
        for (Hole h : holes) {
            ReclaimedDescriptor.Marker hole = h.marker();
            if (hole.segmentId() >= fromId && hole.segmentId() < toId) {
                if (hole.previousEnd() != position) {
                    return "reclaimed segment " + hole.segmentId() + " continues from log position "
                            + hole.previousEnd() + " but the records before it end at " + position;
                }
                position = hole.recordsEnd();
            }
        }
        return null;
    }

    /** Whether a log position lies in a reclaimed segment. */
    private boolean insideHole(long position) {
        for (Hole h : holes) {
            ReclaimedDescriptor.Marker hole = h.marker();
            long base = hole.segmentId() * windowSize;
            if (position >= base && position < base + (long) hole.windowCount() * windowSize) {
                return true;
            }
        }
        return false;
    }

    /** Where the records of the reclaimed segments between two segment ids ended: the log position after the holes. */
    private long afterHoles(long fromId, long toId, long position) {
        for (Hole h : holes) {
            ReclaimedDescriptor.Marker hole = h.marker();
            if (hole.segmentId() >= fromId && hole.segmentId() < toId) {
                position = hole.recordsEnd();
            }
        }
        return position;
    }

    /** Bytes at the start of a file that must all be zero for it to count as never written. */
    static final int NEVER_WRITTEN_PROBE_BYTES = 64 << 10;

    /**
     * True when a file's header and the first records' place are all zero: a segment a roll
     * created but did not get to write (it writes the header before any record).
     */
    private static boolean neverWritten(Path file) throws IOException {
        return FileUtil.uninterruptibly(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer head = ByteBuffer.allocate(NEVER_WRITTEN_PROBE_BYTES);
                while (head.hasRemaining() && ch.read(head) >= 0) {
                    // fill, or stop at the end of a short file
                }
                return Zeros.allZero(MemorySegment.ofArray(head.array()), 0, head.position());
            }
        });
    }

    private boolean coversChainPrefix(long coveredPosition, long maxPosition) {
        return segments.holdsPosition(coveredPosition) && maxPosition < coveredPosition;
    }

    /**
     * Cuts the log at {@code off}: counts the record headers found in the bytes after it (up
     * to {@link #TAIL_LOOKAHEAD} past the last non-zero word seen), zeroes those bytes so that a
     * later recovery sees a clean end, and forces them. A read-only store only counts them.
     *
     * @return {records dropped, bytes dropped}
     */
    private long[] scrub(Segment seg, long off) {
        long records = 0;
        long lastNonZero = -1;
        long q = off;
        long limit = Math.min(seg.length, off + TAIL_LOOKAHEAD);
        while (q + RecordDescriptor.ALIGNMENT <= limit) {
            if (seg.map.get(RecordDescriptor.LONG, q) == 0) {
                // skip the zeros in bulk (vectorized), to the 8-byte word holding the next non-zero byte
                long nonZero = Zeros.firstNonZero(seg.map, q, limit);
                q = nonZero < 0 ? limit : nonZero & -RecordDescriptor.ALIGNMENT;
                continue;
            }
            long next = q + RecordDescriptor.ALIGNMENT;
            long length = RecordDescriptor.plausibleLength(seg.map, q, seg.length);
            if (length > 0) {
                // a record header, sound or not: count it as a dropped record
                records++;
                next = q + length;
            }
            lastNonZero = next;
            limit = Math.min(seg.length, Math.max(limit, next + TAIL_LOOKAHEAD));
            q = next;
        }
        if (lastNonZero < 0) {
            return new long[] {0, 0};
        }
        if (!config.readOnly()) {
            seg.map.asSlice(off, lastNonZero - off).fill((byte) 0);
            seg.map.asSlice(off, lastNonZero - off).force();
        }
        return new long[] {records, lastNonZero - off};
    }

    /**
     * Counts the sound records at the start of a segment's bytes, for the report of what is
     * dropped: {records, bytes they span}.
     */
    private static long[] countRecords(MemorySegment map, long length) {
        long records = 0;
        long off = SegmentDescriptor.HEADER_LENGTH;
        while (off + HEADER_LENGTH <= length && !RecordDescriptor.isEnd(map, off)) {
            if (RecordDescriptor.check(map, off, length, 0, -1) != null) {
                break;
            }
            records++;
            off += RecordDescriptor.recordLength(
                    RecordDescriptor.keyLength(map, off), RecordDescriptor.storedLength(map, off));
        }
        return new long[] {records, Math.max(0, off - SegmentDescriptor.HEADER_LENGTH)};
    }

    /** {@link #countRecords(MemorySegment, long)} of a file outside the chain, whatever its header says. */
    private static long[] countRecords(Path file) throws IOException {
        return FileUtil.uninterruptibly(() -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                    Arena scratch = Arena.ofConfined()) {
                long length = ch.size() / RecordDescriptor.ALIGNMENT * RecordDescriptor.ALIGNMENT;
                if (length < SegmentDescriptor.HEADER_LENGTH + HEADER_LENGTH) {
                    return new long[] {0, 0};
                }
                return countRecords(ch.map(FileChannel.MapMode.READ_ONLY, 0, length, scratch), length);
            }
        });
    }

    /** Maps a segment file of the chain after checking its header; a file cut short is noted as damage. */
    private Segment map(Path file, long id) throws IOException {
        long length = Files.size(file);
        if (length < SegmentDescriptor.HEADER_LENGTH) {
            throw new CorruptionException(file, 0, "segment file of " + length + " bytes is shorter than its header");
        }
        boolean readOnly = config.readOnly();
        return FileUtil.uninterruptibly(() -> {
            try (FileChannel ch = readOnly
                    ? FileChannel.open(file, StandardOpenOption.READ)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(SegmentDescriptor.HEADER_LENGTH);
                while (head.hasRemaining() && ch.read(head, head.position()) >= 0) {
                    // fill
                }
                SegmentDescriptor.Header h = SegmentDescriptor.read(MemorySegment.ofArray(head.array()), file, length);
                requireOwn(
                        file,
                        "segment header " + h,
                        h.epoch(),
                        h.shard(),
                        h.shardCount(),
                        h.segmentId(),
                        h.windowSize(),
                        id);
                if (id * windowSize + h.length() > HashIndex.MAX_POSITION) {
                    throw new CorruptionException(file, 0, "segment " + id + " lies beyond the log address space");
                }
                long mapped = h.length();
                if (length < h.length()) {
                    // Cut short on disk: what was cut is gone, what is left is kept. Give the file back
                    // its length (zeros) so the log can go on, and report the loss; a read-only store
                    // maps what is there.
                    damage.cut(file, length, h.length() - length, id * windowSize + length);
                    if (readOnly) {
                        mapped = length / RecordDescriptor.ALIGNMENT * RecordDescriptor.ALIGNMENT;
                    } else {
                        ch.write(ByteBuffer.allocate(1), h.length() - 1);
                    }
                }
                Arena mapping = Arena.ofShared();
                try {
                    MemorySegment map = ch.map(
                            readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE,
                            0,
                            mapped,
                            mapping);
                    return new Segment(file, map, mapping, id, h.windowCount(), id * windowSize);
                } catch (IOException | RuntimeException e) {
                    mapping.close();
                    throw e;
                }
            }
        });
    }

    /** Where lazily zeroed tables may make their sparse file: the store directory, or nowhere for a read-only store. */
    private Path scratchDirectory() {
        return config.readOnly() ? null : config.directory();
    }

    /**
     * The shard's segment files and reclaimed-segment markers, by id. Where a reclamation was
     * cut short between writing its marker and deleting the segment, the marker stands and the
     * file is deleted (a read-only store only leaves it out).
     */
    private List<Path> listSegmentFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files; // the shard never wrote in this epoch
        }
        java.util.Set<Long> reclaimed = new java.util.HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (SegmentDescriptor.parseFileName(name) >= 0) {
                    files.add(p);
                } else if (ReclaimedDescriptor.parseFileName(name) >= 0) {
                    files.add(p);
                    reclaimed.add(ReclaimedDescriptor.parseFileName(name));
                }
            }
        }
        boolean deleted = false;
        List<Path> stale = new ArrayList<>();
        for (java.util.Iterator<Path> it = files.iterator(); it.hasNext(); ) {
            Path p = it.next();
            long id = SegmentDescriptor.parseFileName(p.getFileName().toString());
            if (id < 0 || !reclaimed.contains(id)) {
                continue;
            }
            Path markerFile = dir.resolve(ReclaimedDescriptor.fileName(id));
            if (!isSegmentOf(p, markerFile)) {
                // a segment written after the marker (the marker outlived a cut): the segment stands
                stale.add(markerFile);
                continue;
            }
            it.remove();
            if (!config.readOnly()) {
                LOG.log(System.Logger.Level.INFO, "finishing the reclamation of segment {0}", p);
                Files.deleteIfExists(p);
                deleted = true;
            }
        }
        for (Path markerFile : stale) {
            files.remove(markerFile);
            damage.note("reclaimed-segment marker " + markerFile.getFileName()
                    + " stands beside a segment written after it; the segment is kept");
            damage.dropFile(markerFile, new long[] {0, 0}, 0);
            if (!config.readOnly()) {
                Files.deleteIfExists(markerFile);
                deleted = true;
            }
        }
        if (deleted) {
            FileUtil.fsyncDirectory(dir);
        }
        files.sort((a, b) -> Long.compareUnsigned(fileId(a), fileId(b)));
        return files;
    }

    /**
     * Whether a segment file found beside a marker of the same id is the segment the marker
     * stands for (a deletion a crash cut short): its header continues the log from where the
     * marker says the reclaimed segment did. When either file cannot be read, the marker is
     * taken at its word.
     */
    private static boolean isSegmentOf(Path segment, Path markerFile) throws IOException {
        SegmentDescriptor.Header h = SegmentDescriptor.readHeader(segment);
        ReclaimedDescriptor.Marker m;
        try {
            byte[] bytes = FileUtil.uninterruptibly(() -> Files.readAllBytes(markerFile));
            m = ReclaimedDescriptor.decode(MemorySegment.ofArray(bytes), markerFile, bytes.length);
        } catch (CorruptionException e) {
            return true;
        }
        return h == null || (h.previousEnd() == m.previousEnd() && h.windowCount() == m.windowCount());
    }

    /** The segment id of a segment file or a reclaimed-segment marker. */
    private static long fileId(Path file) {
        String name = file.getFileName().toString();
        long id = SegmentDescriptor.parseFileName(name);
        return id >= 0 ? id : ReclaimedDescriptor.parseFileName(name);
    }

    /** Reads and checks a reclaimed-segment marker of this shard. */
    private ReclaimedDescriptor.Marker readMarker(Path file, long id) throws IOException {
        byte[] bytes = FileUtil.uninterruptibly(() -> Files.readAllBytes(file));
        ReclaimedDescriptor.Marker m = ReclaimedDescriptor.decode(MemorySegment.ofArray(bytes), file, bytes.length);
        requireOwn(
                file,
                "reclaimed-segment marker " + m,
                m.epoch(),
                m.shard(),
                m.shardCount(),
                m.segmentId(),
                m.windowSize(),
                id);
        return m;
    }

    /**
     * Checks that a file's header (a segment's or a marker's) names this shard's epoch, shard,
     * shard count and window size, and the segment id its file name gives.
     *
     * @throws CorruptionException naming the file and what the header says
     */
    private void requireOwn(
            Path file,
            String what,
            long fileEpoch,
            int fileShard,
            int fileShardCount,
            long fileId,
            long fileWindow,
            long id) {
        if (fileEpoch != epoch
                || fileShard != index
                || fileShardCount != shardCount
                || fileId != id
                || fileWindow != windowSize) {
            throw new CorruptionException(
                    file,
                    0,
                    what + " does not belong to epoch " + epoch + ", shard " + index + " of " + shardCount
                            + ", segment " + id + ", window size " + windowSize);
        }
    }
}
