package io.seqs.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything measured for one engine over the four phases. */
final class EngineResult {
    final String name;
    PhaseResult bootstrap;
    PhaseResult incremental;
    /** The week of rewrites after the incremental phase; null when skipped. */
    PhaseResult week;
    /** Allocated bytes of the store after the week (and its settle wait); -1 unknown. */
    long diskBytesAfterWeek = -1;
    /** Allocated bytes of the store after the incremental phase (and its settle wait); -1 unknown. */
    long diskBytes = -1;

    long diskApparentBytes = -1;
    long diskBytesAfterBootstrap = -1;
    long keysAfterBootstrap = -1;
    Double indexBytesPerKey;
    double resetMs = Double.NaN;
    double resetEmptyMs = Double.NaN;
    double fsyncProbeBeforeResetMs = Double.NaN;
    double fsyncProbeAfterResetMs = Double.NaN;
    boolean resetVerified;
    long diskBytesAfterReset = -1;
    double diskFreedAfterResetMs = Double.NaN;
    RecoveryResult recovery;
    /** The whole state read out from the disk after the incremental phase. */
    ExportResult export;

    Map<String, Object> detailsAfterBootstrap;
    Map<String, Object> detailsAfterIncremental;
    Map<String, Object> detailsAfterWeek;
    final List<String> engineLog;

    EngineResult(String name, List<String> engineLog) {
        this.name = name;
        this.engineLog = engineLog;
    }

    double ingestRecordsPerSecond() {
        return bootstrap.recordsPerSecond();
    }

    double ingestMbPerSecond() {
        return bootstrap.mbPerSecond();
    }

    /** Bytes of keys and values of the data set: what the bootstrap wrote (rewrites keep value sizes). */
    long datasetBytes() {
        return bootstrap.logicalBytes;
    }

    /** Largest allocated size sampled in the week over the data set's bytes; NaN without a week. */
    double weekMaxSpaceAmplification() {
        return week == null || week.maxDiskBytes() < 0 ? Double.NaN : (double) week.maxDiskBytes() / datasetBytes();
    }

    /** Allocated size at the end of the week over the data set's bytes; NaN without a week. */
    double weekEndSpaceAmplification() {
        return diskBytesAfterWeek < 0 ? Double.NaN : (double) diskBytesAfterWeek / datasetBytes();
    }

    /** The figures the issue names, then the detail. */
    Map<String, Object> toMap(double diskMbPerSecond, double diskReadMbPerSecond) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ingest_records_per_s", Json.round(ingestRecordsPerSecond(), 1));
        m.put("ingest_mb_s", Json.round(ingestMbPerSecond(), 2));
        m.put("ingest_fraction_of_disk", Json.round(ingestMbPerSecond() / diskMbPerSecond, 4));
        m.put("write_amplification", Json.round(bootstrap.writeAmplification(), 4));
        m.put("write_amplification_device", Json.round(bootstrap.deviceWriteAmplification(), 4));
        m.put("write_amplification_engine_own", Json.round(bootstrap.ownWriteAmplification(), 4));
        m.put("get_p50_us", Json.round(bootstrap.gets.p50Us(), 3));
        m.put("get_p99_us", Json.round(bootstrap.gets.p99Us(), 3));
        m.put("get_p999_us", Json.round(bootstrap.gets.p999Us(), 3));
        m.put("get_max_us", Json.round(bootstrap.gets.maxUs(), 3));
        m.put("update_records_per_s", incremental == null ? null : Json.round(incremental.recordsPerSecond(), 1));
        m.put("update_mb_s", incremental == null ? null : Json.round(incremental.mbPerSecond(), 2));
        m.put(
                "update_write_amplification",
                incremental == null ? null : Json.round(incremental.writeAmplification(), 4));
        m.put("update_get_p99_us", incremental == null ? null : Json.round(incremental.gets.p99Us(), 3));
        m.put("week_records_per_s", week == null ? null : Json.round(week.recordsPerSecond(), 1));
        m.put("week_write_amplification", week == null ? null : Json.round(week.writeAmplification(), 4));
        m.put("week_write_amplification_engine_own", week == null ? null : Json.round(week.ownWriteAmplification(), 4));
        m.put("week_get_p99_us", week == null ? null : Json.round(week.gets.p99Us(), 3));
        m.put("week_disk_bytes", diskBytesAfterWeek < 0 ? null : diskBytesAfterWeek);
        m.put("week_space_amplification_max", Json.round(weekMaxSpaceAmplification(), 4));
        m.put("week_space_amplification_end", Json.round(weekEndSpaceAmplification(), 4));
        m.put("export_mb_s", export == null ? null : Json.round(export.mbPerSecond(), 1));
        m.put(
                "export_fraction_of_disk_read",
                export == null ? null : Json.round(export.mbPerSecond() / diskReadMbPerSecond, 4));
        m.put("reset_ms", Json.round(resetMs, 3));
        m.put("reset_empty_ms", Json.round(resetEmptyMs, 3));
        m.put("recovery_ms", recovery == null ? null : Json.round(recovery.recoveryMs(), 3));
        m.put("recovery_lost_keys", recovery == null ? null : recovery.lostKeys());
        m.put("disk_bytes", diskBytes < 0 ? null : diskBytes);
        m.put("disk_apparent_bytes", diskApparentBytes < 0 ? null : diskApparentBytes);
        m.put("index_bytes_per_key", indexBytesPerKey == null ? null : Json.round(indexBytesPerKey, 3));
        Map<String, Object> phases = new LinkedHashMap<>();
        phases.put("bootstrap", bootstrap.toMap());
        phases.put("incremental", incremental == null ? null : incremental.toMap());
        phases.put("week", week == null ? null : week.toMap());
        Map<String, Object> reset = new LinkedHashMap<>();
        reset.put("reset_ms", Json.round(resetMs, 3));
        reset.put("reset_empty_ms", Json.round(resetEmptyMs, 3));
        reset.put("old_keys_gone", resetVerified);
        reset.put("durable_file_replace_before_ms", Json.round(fsyncProbeBeforeResetMs, 3));
        reset.put("durable_file_replace_after_ms", Json.round(fsyncProbeAfterResetMs, 3));
        reset.put("disk_bytes_before", diskBytes < 0 ? null : diskBytes);
        reset.put("disk_bytes_after", diskBytesAfterReset < 0 ? null : diskBytesAfterReset);
        reset.put("disk_freed_after_ms", Json.round(diskFreedAfterResetMs, 1));
        phases.put("reset", reset);
        phases.put("export", export == null ? null : export.toMap(diskReadMbPerSecond));
        phases.put("recovery", recovery == null ? null : recovery.toMap());
        m.put("phases", phases);
        m.put("disk_bytes_after_bootstrap", diskBytesAfterBootstrap < 0 ? null : diskBytesAfterBootstrap);
        m.put("keys_after_bootstrap", keysAfterBootstrap);
        m.put("engine_after_bootstrap", detailsAfterBootstrap);
        m.put("engine_after_incremental", detailsAfterIncremental);
        m.put("engine_after_week", detailsAfterWeek);
        m.put("engine_log", engineLog);
        return m;
    }
}
