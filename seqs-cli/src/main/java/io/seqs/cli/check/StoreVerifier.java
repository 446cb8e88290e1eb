package io.seqs.cli.check;

import io.seqs.cli.Progress;
import io.seqs.cli.format.StoreLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads every byte of a store's current epoch and lists what is damaged, where, and what open would do. */
public final class StoreVerifier {
    /** Shard figure: reclaimed segments whose markers passed their checks. */
    static final String RECLAIMED = "reclaimed_segments";
    /** Shard figure: sound records with a compressed value. */
    static final String COMPRESSED = "compressed_records";

    private StoreVerifier() {}

    /**
     * The result.
     *
     * @param checks the manifest and epoch
     * @param findings every problem and note, manifest first, then shard by shard in log order
     * @param shards per-shard figures
     */
    public record Report(StoreChecks checks, List<Finding> findings, List<Map<String, Object>> shards) {
        /** Reclaimed segments whose markers passed their checks, over every shard. */
        public long reclaimedSegments() {
            return shards.stream().mapToLong(s -> (Long) s.get(RECLAIMED)).sum();
        }

        /** Sound records with a compressed value, over every shard. */
        public long compressedRecords() {
            return shards.stream().mapToLong(s -> (Long) s.get(COMPRESSED)).sum();
        }

        /** Whether nothing was found that open would drop or repair. */
        public boolean sound() {
            return findings.stream().allMatch(f -> f.severity() == Finding.Severity.NOTE);
        }

        /** Findings of one severity. @param s severity @return count */
        public long count(Finding.Severity s) {
            return findings.stream().filter(f -> f.severity() == s).count();
        }
    }

    /**
     * Verifies a store.
     *
     * @param layout names
     * @param err where progress goes
     * @param progress whether to print it
     * @return the report
     * @throws IOException when a file cannot be listed or mapped
     */
    public static Report verify(StoreLayout layout, java.io.PrintStream err, boolean progress) throws IOException {
        StoreChecks checks = StoreChecks.of(layout);
        List<Finding> findings = new ArrayList<>(checks.findings());
        List<Map<String, Object>> shards = new ArrayList<>();
        Progress p = new Progress("verify", "bytes", checks.segmentBytes(layout), err, progress);
        for (int shard = 0; shard < checks.shardCount(); shard++) {
            ShardScan.Expected expected = checks.expected(shard);
            try (ShardScan scan = ShardScan.scan(layout, expected, (s, r, pos) -> {}, p)) {
                CheckpointCheck.Result ckpt = CheckpointCheck.check(layout, expected, scan);
                findings.addAll(scan.findings());
                findings.addAll(ckpt.findings());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("shard", shard);
                m.put("segments", scan.segments().size());
                m.put(RECLAIMED, (long) scan.reclaimed().size());
                m.put("records", scan.records());
                m.put(COMPRESSED, scan.compressedRecords());
                m.put("log_end", scan.logEnd());
                m.put("sound_end", scan.soundEnd());
                m.put("records_open_drops", scan.recordsAfterCut());
                m.put("checkpoints_sound", ckpt.sound());
                m.put("findings", scan.findings().size() + ckpt.findings().size());
                shards.add(m);
            }
        }
        p.finish();
        return new Report(checks, findings, shards);
    }
}
