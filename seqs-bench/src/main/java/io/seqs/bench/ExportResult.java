package io.seqs.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The export of the whole latest state, read from the disk.
 *
 * @param records records read
 * @param bytes key and value bytes read
 * @param seconds wall time of the export
 * @param io the process's counters over the export: read_bytes is what came from the disk
 * @param evicted what was dropped from the page cache first, or null when it could not be
 */
record ExportResult(long records, long bytes, double seconds, IoCounters.Snapshot io, PageCache.Evicted evicted) {
    double mbPerSecond() {
        return bytes / 1e6 / seconds;
    }

    /** CPU seconds (user + system) per GB of keys and values exported. */
    double cpuSecondsPerGb() {
        return io.cpuUserMillis() < 0 ? Double.NaN : (io.cpuUserMillis() + io.cpuSystemMillis()) / 1e3 / (bytes / 1e9);
    }

    Map<String, Object> toMap(double diskReadMbPerSecond) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("records", records);
        m.put("bytes", bytes);
        m.put("seconds", Json.round(seconds, 3));
        m.put("mb_s", Json.round(mbPerSecond(), 1));
        m.put("fraction_of_disk_read", Json.round(mbPerSecond() / diskReadMbPerSecond, 4));
        m.put("bytes_read_from_disk", io.processReadBytes() < 0 ? null : io.processReadBytes());
        m.put("cpu_user_s", Json.round(io.cpuUserMillis() / 1e3, 2));
        m.put("cpu_system_s", Json.round(io.cpuSystemMillis() / 1e3, 2));
        m.put("cpu_s_per_gb", Json.round(cpuSecondsPerGb(), 2));
        m.put("page_cache_dropped_files", evicted == null ? null : evicted.files());
        m.put("page_cache_dropped_bytes", evicted == null ? null : evicted.bytes());
        return m;
    }
}
