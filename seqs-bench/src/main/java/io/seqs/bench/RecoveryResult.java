package io.seqs.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recovery phase's figures.
 *
 * @param recoveryMs from the start of open to the return of the first get
 * @param openMs the open alone
 * @param cleanReopenMs open plus first get again after a clean close of the recovered store, when
 *     nothing is left to replay (seqs loads checkpoints; RocksDB replays what its WAL still holds)
 * @param freshJvmMs open plus first get of a copy of the killed store in a fresh JVM, the engine's
 *     native library loaded before the clock starts (NaN when that child failed)
 * @param freshJvmFound whether the fresh JVM's first get found the record
 * @param childRecords records the child reported complete before it was killed
 * @param childLoadSeconds how long the child wrote before the kill
 * @param firstGetFound whether the first get (the last record the child reported) found its value
 * @param sampled records checked after reopening, drawn from those the child reported complete
 * @param lostKeys sampled records missing or wrong after reopening
 * @param keysAfter live keys after reopening, exact or estimated
 * @param childJvmWarnings lines of the child's stderr that look like JVM warnings
 * @param engine the engine's figures after reopening (for seqs: records replayed and dropped)
 */
record RecoveryResult(
        double recoveryMs,
        double openMs,
        double cleanReopenMs,
        double freshJvmMs,
        boolean freshJvmFound,
        long childRecords,
        double childLoadSeconds,
        boolean firstGetFound,
        long sampled,
        long lostKeys,
        long keysAfter,
        List<String> childJvmWarnings,
        Map<String, Object> engine) {

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recovery_ms", Json.round(recoveryMs, 3));
        m.put("open_ms", Json.round(openMs, 3));
        m.put("clean_reopen_ms", Json.round(cleanReopenMs, 3));
        m.put("fresh_jvm_ms", Json.round(freshJvmMs, 3));
        m.put("fresh_jvm_first_get_found", freshJvmFound);
        m.put("child_records", childRecords);
        m.put("child_load_seconds", Json.round(childLoadSeconds, 3));
        m.put("first_get_found", firstGetFound);
        m.put("sampled_keys", sampled);
        m.put("lost_keys", lostKeys);
        m.put("keys_after", keysAfter);
        m.put("child_jvm_warnings", childJvmWarnings);
        m.put("engine", engine);
        return m;
    }
}
