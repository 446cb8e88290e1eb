package io.seqs.crashtest;

import io.seqs.Compression;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a run did and found, printed at its end. */
final class Figures {
    final Kind kind;
    final long seed;
    int cycles;
    int kills;
    int halts;
    int cleanEnds;
    int verifications;
    long droppedRecords;
    long droppedBytes;
    long droppedSegments;
    final Map<String, Integer> failpointsHit = new TreeMap<>();
    final Map<String, Integer> failpointsMissed = new TreeMap<>();
    final List<Long> openNanos = new ArrayList<>();
    /** Filled by the corruption kind. */
    final Map<String, Integer> outcomes = new TreeMap<>();

    /** Writers (cycles, or stores built for the corruption kind) that ran with LZ4, and with NONE. */
    int lz4Writers;

    int noneWriters;
    /** Writers that ran with reclamation off. */
    int reclaimOffWriters;
    /** Writers after which the store held a reclaimed-segment marker it did not hold before. */
    int reclaimingWriters;
    /** New reclaimed-segment markers counted after writers: segments reclaimed, at least. */
    long segmentsReclaimed;
    /** Writers after which the store held LZ4-compressed records, and plain ones of at least 32 bytes. */
    int writersLeavingLz4Records;

    int writersLeavingPlainRecords;

    long startNanos = System.nanoTime();

    Figures(Kind kind, long seed) {
        this.kind = kind;
        this.seed = seed;
    }

    void opened(long nanos, long records, long bytes, long segments) {
        openNanos.add(nanos);
        droppedRecords += records;
        droppedBytes += bytes;
        droppedSegments += segments;
    }

    /** A writer ran with these settings. */
    void planned(Compression compression, double reclaimThreshold) {
        if (compression == Compression.LZ4) {
            lz4Writers++;
        } else {
            noneWriters++;
        }
        if (reclaimThreshold == 0) {
            reclaimOffWriters++;
        }
    }

    /** What the store held after a writer ended; {@code newMarkers} of its markers were not there before. */
    void censused(StoreCensus c, int newMarkers) {
        if (newMarkers > 0) {
            reclaimingWriters++;
            segmentsReclaimed += newMarkers;
        }
        if (c.lz4Records > 0) {
            writersLeavingLz4Records++;
        }
        if (c.plainRecords > 0) {
            writersLeavingPlainRecords++;
        }
    }

    void count(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    String recoveryTimes() {
        if (openNanos.isEmpty()) {
            return "no opens";
        }
        List<Long> s = new ArrayList<>(openNanos);
        Collections.sort(s);
        return String.format(
                "open (recovery) over %d opens: min %.1f ms, median %.1f ms, p99 %.1f ms, max %.1f ms",
                s.size(),
                s.get(0) / 1e6,
                s.get(s.size() / 2) / 1e6,
                s.get(Math.min(s.size() - 1, (int) (s.size() * 0.99))) / 1e6,
                s.get(s.size() - 1) / 1e6);
    }

    String summary(Model model, DiskModel disk) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                "crashtest %s: seed %d, %d cycles in %.1f s%n",
                kind.name().toLowerCase(), seed, cycles, (System.nanoTime() - startNanos) / 1e9));
        if (model != null) {
            b.append(String.format(
                    "  crashes: %d kills, %d self-halts, %d clean ends; %d verifications after reopen%n",
                    kills, halts, cleanEnds, verifications));
            b.append(String.format(
                    "  acknowledged writes checked: %d (%d key checks), lost: %d; in-flight writes found "
                            + "applied %d, not applied %d%n",
                    model.ackedWrites, model.keysChecked, model.lost, model.inflightSurvived, model.inflightLost));
        }
        if (disk != null && disk.powerLosses > 0) {
            b.append(String.format(
                    "  power losses: %d (%d images taken; %d pages reverted, %d pages kept, %d directory "
                            + "entries undone, %d files gone);"
                            + " acknowledged but not yet durable key states lost to them: %d%n",
                    disk.powerLosses,
                    disk.imagesTaken,
                    disk.pagesReverted,
                    disk.pagesKept,
                    disk.entriesUndone,
                    disk.filesDropped,
                    model == null ? 0 : model.unsyncedLost));
        }
        if (!failpointsHit.isEmpty() || !failpointsMissed.isEmpty()) {
            b.append("  failpoints hit: ")
                    .append(failpointsHit)
                    .append("; not reached: ")
                    .append(failpointsMissed)
                    .append('\n');
        }
        int writers = lz4Writers + noneWriters;
        if (writers > 0) {
            String unit = kind == Kind.CORRUPTION ? "stores built" : "cycles";
            b.append(String.format(
                    "  compression: LZ4 in %d of %d %s, NONE in %d; the store held LZ4 records after %d of them, "
                            + "plain values of 32 B or more after %d%n",
                    lz4Writers, writers, unit, noneWriters, writersLeavingLz4Records, writersLeavingPlainRecords));
            b.append(String.format(
                    "  reclamation: on in %d of %d %s, off in %d; %s with new .reclaimed markers (segments "
                            + "reclaimed): %d, markers: %d%n",
                    writers - reclaimOffWriters,
                    writers,
                    unit,
                    reclaimOffWriters,
                    unit,
                    reclaimingWriters,
                    segmentsReclaimed));
        }
        if (!outcomes.isEmpty()) {
            b.append("  outcomes: ").append(outcomes).append('\n');
        }
        b.append(String.format(
                "  dropped on recovery: %d records, %d bytes, %d segment files%n",
                droppedRecords, droppedBytes, droppedSegments));
        b.append("  ").append(recoveryTimes());
        return b.toString();
    }
}
