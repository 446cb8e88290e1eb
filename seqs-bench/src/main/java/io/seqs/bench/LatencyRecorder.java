package io.seqs.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Service times of one kind of call, in nanoseconds, recorded wait-free by any number of threads
 * into an HdrHistogram {@link Recorder}. The sampling thread drains it at every tick: the interval
 * histogram feeds the progress line, and is added to the phase's total.
 *
 * <p>Only the engine call is timed (two {@code System.nanoTime()} around it); a reader's pauses
 * for rate limiting are not, so these are service times, not response times under a schedule.
 */
final class LatencyRecorder {
    /** Longest time tracked: 60 s; longer calls are clamped to it (and show as the maximum). */
    private static final long HIGHEST = 60_000_000_000L;

    private final Recorder recorder = new Recorder(1, HIGHEST, 3);
    private final Histogram total = new Histogram(1, HIGHEST, 3);
    private Histogram interval;

    void record(long nanos) {
        recorder.recordValue(Math.max(1, Math.min(HIGHEST, nanos)));
    }

    /** Drains what was recorded since the last call; returns it (valid until the next call). */
    synchronized Histogram drain() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval;
    }

    /** Everything recorded so far; call {@link #drain()} first. */
    synchronized Summary summary() {
        return Summary.of(total);
    }

    /** Percentiles in microseconds. */
    record Summary(long count, double meanUs, double p50Us, double p99Us, double p999Us, double maxUs) {
        static Summary of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Summary(
                    h.getTotalCount(),
                    h.getMean() / 1e3,
                    h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3,
                    h.getMaxValue() / 1e3);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", count);
            m.put("mean_us", Json.round(meanUs, 3));
            m.put("p50_us", Json.round(p50Us, 3));
            m.put("p99_us", Json.round(p99Us, 3));
            m.put("p999_us", Json.round(p999Us, 3));
            m.put("max_us", Json.round(maxUs, 3));
            return m;
        }
    }
}
