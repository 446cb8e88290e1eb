package io.seqs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one load phase (bootstrap or incremental) of one engine measured. */
final class PhaseResult {
    final String phase;
    /** Wall time from the first write to the end of the final flush. */
    double seconds;
    /** Part of {@link #seconds} spent in the final flush (and, for the bulk recipe, its compaction). */
    double flushSeconds;

    long records;
    long logicalBytes;
    /** Kernel counters from the phase start to the end of its flush. */
    IoCounters.Snapshot io;
    /** Kernel counters from the phase start to the end of the settle wait. */
    IoCounters.Snapshot ioSettled;

    double settleSeconds;
    boolean settled = true;
    /** Bytes the engine itself counted as written during the phase (and its settle wait). */
    Long ownPhysicalBytes;

    LatencyRecorder.Summary gets;
    LatencyRecorder.Summary puts;
    LatencyRecorder.Summary rmwGets;
    long reads;
    long getMisses;
    long getErrors;
    /** Samples: seconds since start, records/s, MB/s, get p99 µs in the interval. */
    final List<double[]> timeline = new ArrayList<>();
    /** The week phase's samples: seconds since start, the store's allocated bytes. */
    final List<double[]> diskTimeline = new ArrayList<>();

    PhaseResult(String phase) {
        this.phase = phase;
    }

    double recordsPerSecond() {
        return records / seconds;
    }

    double mbPerSecond() {
        return logicalBytes / 1e6 / seconds;
    }

    /** Process write_bytes over logical bytes, settle included; NaN when unknown. */
    double writeAmplification() {
        IoCounters.Snapshot s = ioSettled != null ? ioSettled : io;
        return s == null || s.processWriteBytes() < 0 ? Double.NaN : (double) s.processWriteBytes() / logicalBytes;
    }

    double writeAmplificationAtPhaseEnd() {
        return io == null || io.processWriteBytes() < 0 ? Double.NaN : (double) io.processWriteBytes() / logicalBytes;
    }

    double deviceWriteAmplification() {
        IoCounters.Snapshot s = ioSettled != null ? ioSettled : io;
        return s == null || s.deviceWriteBytes() < 0 ? Double.NaN : (double) s.deviceWriteBytes() / logicalBytes;
    }

    double ownWriteAmplification() {
        return ownPhysicalBytes == null ? Double.NaN : (double) ownPhysicalBytes / logicalBytes;
    }

    /** The largest allocated size sampled in the phase; -1 when none was sampled. */
    long maxDiskBytes() {
        long max = -1;
        for (double[] s : diskTimeline) {
            max = Math.max(max, (long) s[1]);
        }
        return max;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", Json.round(seconds, 3));
        m.put("flush_seconds", Json.round(flushSeconds, 3));
        m.put("records", records);
        m.put("logical_bytes", logicalBytes);
        m.put("records_per_s", Json.round(recordsPerSecond(), 1));
        m.put("mb_per_s", Json.round(mbPerSecond(), 2));
        m.put("settle_seconds", Json.round(settleSeconds, 3));
        m.put("settled", settled);
        m.put("write_amplification", Json.round(writeAmplification(), 4));
        m.put("write_amplification_at_phase_end", Json.round(writeAmplificationAtPhaseEnd(), 4));
        m.put("write_amplification_device", Json.round(deviceWriteAmplification(), 4));
        if (!diskTimeline.isEmpty()) {
            m.put("max_disk_bytes", maxDiskBytes());
            m.put("disk_timeline", diskTimeline);
        }
        m.put("write_amplification_engine_own", Json.round(ownWriteAmplification(), 4));
        m.put("io_at_phase_end", ioMap(io));
        m.put("io_settled", ioMap(ioSettled));
        m.put("engine_own_physical_bytes", ownPhysicalBytes);
        m.put("gets", gets == null ? null : gets.toMap());
        m.put("puts", puts == null ? null : puts.toMap());
        m.put("rmw_gets", rmwGets == null ? null : rmwGets.toMap());
        m.put("reads", reads);
        m.put("get_misses", getMisses);
        m.put("get_errors", getErrors);
        m.put("timeline_columns", List.of("seconds", "records_per_s", "mb_per_s", "get_p99_us"));
        m.put("timeline", timeline);
        return m;
    }

    private static Map<String, Object> ioMap(IoCounters.Snapshot s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("process_write_bytes", s.processWriteBytes() < 0 ? null : s.processWriteBytes());
        m.put("process_cancelled_write_bytes", s.processCancelledBytes() < 0 ? null : s.processCancelledBytes());
        m.put("process_read_bytes", s.processReadBytes() < 0 ? null : s.processReadBytes());
        m.put("device_write_bytes", s.deviceWriteBytes() < 0 ? null : s.deviceWriteBytes());
        m.put("cpu_user_s", s.cpuUserMillis() < 0 ? null : s.cpuUserMillis() / 1000.0);
        m.put("cpu_system_s", s.cpuSystemMillis() < 0 ? null : s.cpuSystemMillis() / 1000.0);
        m.put("machine_cpu_steal_s", s.machineStealMillis() < 0 ? null : s.machineStealMillis() / 1000.0);
        m.put("other_cpu_s", s.otherCpuMillis() < 0 ? null : s.otherCpuMillis() / 1000.0);
        return m;
    }
}
