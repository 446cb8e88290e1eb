package io.seqs.internal.store;

import io.seqs.internal.format.SegmentDescriptor;
import io.seqs.internal.index.CheckpointFile;
import io.seqs.internal.index.HashIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything recovery gives up, and why: counted in the shard's stats and reported in one
 * log line. A torn tail (the last write of a session that did not close, cut short) is what
 * a crash leaves and is reported as information; anything else is damage.
 */
public final class RecoveryDamage {
    private static final System.Logger LOG = System.getLogger("io.seqs");

    String problem;
    boolean onlyTornTail = true;
    long records;
    long bytes;
    long files;
    long recordsFromCheckpoint;
    final List<String> fileNames = new ArrayList<>();
    /** Lowest log position where a cut segment lost its bytes: no checkpoint beyond it is usable. */
    long cutPosition = Long.MAX_VALUE;
    /** Log ranges of dropped files whose records were counted one by one: {start, end} pairs. */
    final List<long[]> walkedRanges = new ArrayList<>();

    void note(String why) {
        onlyTornTail = false;
        if (problem == null) {
            problem = why;
        }
    }

    void tornTail(String why, long[] dropped) {
        if (problem == null) {
            problem = why;
        }
        add(dropped);
    }

    void add(long[] dropped) {
        records += dropped[0];
        bytes += dropped[1];
    }

    void cut(Path file, long keptBytes, long lostBytes, long position) {
        note("segment " + file.getFileName() + " was cut to " + keptBytes + " of its " + (keptBytes + lostBytes)
                + " bytes");
        bytes += lostBytes;
        cutPosition = Math.min(cutPosition, position);
    }

    /**
     * A file deleted whole: its records as counted, and as bytes those records' span (a
     * segment file is sparse beyond what was written), or the whole file when no record in it
     * could be read.
     */
    void dropFile(Path file, long[] counted, long fileBytes) {
        onlyTornTail = false;
        records += counted[0];
        bytes += counted[0] > 0 ? SegmentDescriptor.HEADER_LENGTH + counted[1] : fileBytes;
        files++;
        fileNames.add(file.getFileName().toString());
    }

    void walked(long from, long to) {
        walkedRanges.add(new long[] {from, to});
    }

    /**
     * Counts the keys whose latest record, as of a checkpoint newer than what survived, lies
     * at or beyond {@code end} in bytes no file could show (a deleted, blank or cut
     * segment): records that are gone without a trace but for the checkpoint.
     */
    void lostFromCheckpoint(CheckpointFile.Loaded newer, long end) {
        long[] counted = {0};
        newer.index().forEachEntry(slot -> {
            long position = HashIndex.position(slot);
            if (position >= end && !inWalkedRange(position)) {
                counted[0]++;
            }
            return true;
        });
        long lost = counted[0];
        if (lost > 0) {
            note("checkpoint " + newer.file().getFileName() + " knew " + lost
                    + " keys whose latest records were in bytes that are gone");
            recordsFromCheckpoint = lost;
            records += lost;
        }
    }

    private boolean inWalkedRange(long position) {
        for (long[] r : walkedRanges) {
            if (position >= r[0] && position < r[1]) {
                return true;
            }
        }
        return false;
    }

    void report(Path dir, long tail, boolean readOnly) {
        if (problem == null && records == 0 && bytes == 0) {
            return;
        }
        if (readOnly) {
            LOG.log(
                    onlyTornTail ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "shard " + dir
                            + (onlyTornTail ? ": the log ends with a write that did not complete" : ": damaged log")
                            + " (opened read-only, nothing changed); a read-write open would keep log positions below "
                            + tail
                            + " and drop " + records + " records (" + recordsFromCheckpoint
                            + " of them known only from a checkpoint), "
                            + bytes + " bytes, " + files + " segment files " + fileNames + ": " + problem);
            return;
        }
        if (onlyTornTail) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "shard " + dir + ": the log ends with a write that did not complete (what an unclean"
                            + " shutdown leaves): " + problem + "; cut at log position " + tail + ", " + records
                            + " incomplete records, "
                            + bytes + " bytes");
            return;
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "shard " + dir + ": damaged log; kept log positions below " + tail + " and dropped "
                        + records + " records (" + recordsFromCheckpoint + " of them known only from a checkpoint), "
                        + bytes + " bytes, "
                        + files + " segment files " + fileNames + ": " + problem);
    }
}
