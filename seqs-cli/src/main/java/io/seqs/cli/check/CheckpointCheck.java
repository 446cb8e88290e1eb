package io.seqs.cli.check;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import io.seqs.cli.format.CheckpointFile;
import io.seqs.cli.format.FormatException;
import io.seqs.cli.format.LogRecord;
import io.seqs.cli.format.MappedFile;
import io.seqs.cli.format.ReclaimedMarker;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a shard's checkpoints: each on its own (docs/format.md, "Checks on load") and against
 * the log: every entry must point at a sound put record whose key has the entry's hash. A
 * checkpoint older than a reclamation (covering, or pointing into, a reclaimed segment) is not
 * damage: open skips it.
 */
public final class CheckpointCheck {
    private static final Hasher64 XXH3 = Hashing.xxh3_64();
    private static final long HASH_MASK = (1L << 25) - 1;
    private static final String SKIP = "open skips it and uses an older checkpoint or a scan of the log";
    /** Offset of the covered log position in a checkpoint file. */
    private static final long COVERED_OFFSET = 24;

    private CheckpointCheck() {}

    /** A key's 25-bit index hash. @param key the key @return the hash */
    public static long hash25(byte[] key) {
        return XXH3.hashBytesToLong(key) & HASH_MASK;
    }

    /**
     * Checks every checkpoint of a shard.
     *
     * @param layout names
     * @param expected what the files must say
     * @param scan the shard's log, scanned
     * @return findings and the number of sound checkpoints
     * @throws IOException when a file cannot be listed or mapped
     */
    public static Result check(StoreLayout layout, ShardScan.Expected expected, ShardScan scan) throws IOException {
        List<Finding> findings = new ArrayList<>();
        int sound = 0;
        for (Map.Entry<Long, Path> e :
                layout.checkpoints(expected.epoch(), expected.shard()).entrySet()) {
            try (MappedFile f = MappedFile.open(e.getValue())) {
                Finding problem = one(f, e.getKey(), expected, scan);
                if (problem == null) {
                    sound++;
                } else {
                    findings.add(problem);
                }
            }
        }
        return new Result(findings, sound);
    }

    /** @param findings problems @param sound checkpoints that passed every check */
    public record Result(List<Finding> findings, int sound) {}

    private static Finding one(MappedFile f, long covered, ShardScan.Expected expected, ShardScan scan) {
        CheckpointFile c;
        try {
            c = CheckpointFile.parse(f.bytes());
        } catch (FormatException ex) {
            return new Finding(Finding.Severity.DAMAGE, f.path(), ex.offset(), ex.getMessage(), SKIP);
        }
        String mismatch = c.shard() != expected.shard()
                ? "shard " + c.shard() + ", expected " + expected.shard()
                : c.epoch() != expected.epoch()
                        ? "epoch " + c.epoch() + ", expected " + expected.epoch()
                        : expected.shardCount() != 0 && c.shardCount() != expected.shardCount()
                                ? "shard count " + c.shardCount() + ", expected " + expected.shardCount()
                                : c.coveredPosition() != covered
                                        ? "covered position " + c.coveredPosition() + ", its name says " + covered
                                        : c.generation() > expected.maxGeneration()
                                                ? "generation " + c.generation() + " above the store's "
                                                        + expected.maxGeneration()
                                                : null;
        if (mismatch != null) {
            return new Finding(Finding.Severity.DAMAGE, f.path(), 12, "checkpoint " + mismatch, SKIP);
        }
        ReclaimedMarker hole = scan.reclaimedAt(c.coveredPosition());
        if (hole != null) {
            return new Finding(
                    Finding.Severity.NOTE,
                    f.path(),
                    COVERED_OFFSET,
                    "checkpoint covers log position " + c.coveredPosition() + " inside reclaimed segment "
                            + StoreLayout.reclaimedName(hole.segmentId()) + " (it predates the reclamation)",
                    SKIP);
        }
        if (c.coveredPosition() > scan.soundEnd()) {
            return new Finding(
                    Finding.Severity.NOTE,
                    f.path(),
                    COVERED_OFFSET,
                    "checkpoint covers log position " + c.coveredPosition() + ", beyond where the sound log ends ("
                            + scan.soundEnd() + ")",
                    "open does not use it");
        }
        return entries(f, c, scan);
    }

    private static Finding entries(MappedFile f, CheckpointFile c, ShardScan scan) {
        MemorySegment bytes = f.bytes();
        long bad = 0;
        long intoReclaimed = 0;
        long entries = 0;
        String first = null;
        long firstOffset = 0;
        for (long i = 0; i < c.capacity(); i++) {
            long slot = c.slot(bytes, i);
            if (slot == CheckpointFile.EMPTY || slot == CheckpointFile.TOMBSTONE) {
                continue;
            }
            entries++;
            ReclaimedMarker hole = scan.reclaimedAt(CheckpointFile.position(slot));
            String why = hole != null
                    ? "inside reclaimed segment " + StoreLayout.reclaimedName(hole.segmentId())
                    : entry(slot, c.coveredPosition(), scan);
            if (why == null) {
                continue;
            }
            if (hole != null) {
                intoReclaimed++;
            }
            if (bad++ == 0) {
                first = "slot " + i + " -> log position " + CheckpointFile.position(slot) + ": " + why;
                firstOffset = c.slotsOffset() + 8 * i;
            }
        }
        if (bad == 0) {
            return null;
        }
        if (intoReclaimed == bad) {
            return new Finding(
                    Finding.Severity.NOTE,
                    f.path(),
                    firstOffset,
                    bad + " of " + entries + " checkpoint entries point into reclaimed segments (the checkpoint "
                            + "predates their reclamation); first: " + first,
                    SKIP);
        }
        return new Finding(
                Finding.Severity.DAMAGE,
                f.path(),
                firstOffset,
                bad + " of " + entries
                        + " checkpoint entries do not point at a sound put of a key with their hash; first: " + first,
                SKIP);
    }

    private static String entry(long slot, long covered, ShardScan scan) {
        long position = CheckpointFile.position(slot);
        if (position < 64 || position >= covered) {
            return "outside 64.." + (covered - 1);
        }
        if (scan.windowSize() == 0) {
            return "no segment file to read it from";
        }
        var e = scan.segments().floorEntry(position / scan.windowSize());
        if (e == null) {
            return "no segment file holds it";
        }
        ShardScan.Segment s = e.getValue();
        long offset = position - s.logPosition(0);
        if (offset >= s.file().size()) {
            return "beyond the end of " + s.file().path().getFileName();
        }
        LogRecord.Probe p = LogRecord.probe(s.file().bytes(), offset, 0, Long.MAX_VALUE);
        if (!(p instanceof LogRecord.Sound(LogRecord r))) {
            return p instanceof LogRecord.Bad(String reason) ? reason : "no record there";
        }
        if (r.type() != LogRecord.PUT) {
            return "a delete record";
        }
        long hash = hash25(r.key(s.file().bytes()));
        return hash == CheckpointFile.hash25(slot)
                ? null
                : "key hash " + hash + ", entry says " + CheckpointFile.hash25(slot);
    }

    /** Used by {@link StoreLayout}-free callers to name a checkpoint. @param c checkpoint @return its name */
    static String name(CheckpointFile c) {
        return String.format("%016x.ckpt", c.coveredPosition());
    }
}
