package io.seqs.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts of sizes in power-of-two buckets: 0, 1, 2-3, 4-7, ... */
public final class SizeHistogram {
    private final long[] counts = new long[65];
    private long total;
    private long sum;
    private long max;

    /** Counts one size. @param size bytes */
    public void add(long size) {
        counts[size == 0 ? 0 : 64 - Long.numberOfLeadingZeros(size)]++;
        total++;
        sum += size;
        max = Math.max(max, size);
    }

    /** The non-empty buckets, each {@code min_bytes}, {@code max_bytes}, {@code count}. @return rows */
    public List<Map<String, Object>> buckets() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] > 0) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("min_bytes", b == 0 ? 0 : 1L << (b - 1));
                row.put("max_bytes", b == 0 ? 0 : (1L << (b - 1)) * 2 - 1);
                row.put("count", counts[b]);
                rows.add(row);
            }
        }
        return rows;
    }

    /** Count, mean and max, and the buckets. @return figures */
    public Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", total);
        m.put("mean_bytes", total == 0 ? 0.0 : (double) sum / total);
        m.put("max_bytes", max);
        m.put("buckets", buckets());
        return m;
    }
}
