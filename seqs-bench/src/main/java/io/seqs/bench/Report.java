package io.seqs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The summary table (text and Markdown) and the ratios of seqs to each other engine. */
final class Report {
    /** One row: a label, how to read the figure from a result, how to print it. */
    private record Row(String label, String key, Function<EngineResult, Double> value, String format) {}

    private final List<EngineResult> results;
    private final double diskMbPerSecond;
    private final double diskReadMbPerSecond;
    private final List<Row> rows = new ArrayList<>();

    Report(List<EngineResult> results, double diskMbPerSecond, double diskReadMbPerSecond) {
        this.results = results;
        this.diskMbPerSecond = diskMbPerSecond;
        this.diskReadMbPerSecond = diskReadMbPerSecond;
        rows.add(new Row(
                "bootstrap ingest, records/s", "ingest_records_per_s", r -> r.ingestRecordsPerSecond(), "%,.0f"));
        rows.add(new Row("bootstrap ingest, MB/s", "ingest_mb_s", r -> r.ingestMbPerSecond(), "%,.1f"));
        rows.add(new Row(
                "  fraction of disk write bandwidth",
                "ingest_fraction_of_disk",
                r -> r.ingestMbPerSecond() / diskMbPerSecond,
                "%.0f%%"));
        rows.add(new Row("  of which final flush, s", "flush_s", r -> r.bootstrap.flushSeconds, "%.2f"));
        rows.add(new Row(
                "write amplification (process write_bytes)",
                "write_amplification",
                r -> r.bootstrap.writeAmplification(),
                "%.2f"));
        rows.add(new Row(
                "write amplification (device sectors)",
                "write_amplification_device",
                r -> r.bootstrap.deviceWriteAmplification(),
                "%.2f"));
        rows.add(new Row(
                "write amplification (engine's own count)",
                "write_amplification_engine_own",
                r -> r.bootstrap.ownWriteAmplification(),
                "%.2f"));
        rows.add(new Row("get p50 during bootstrap, µs", "get_p50_us", r -> r.bootstrap.gets.p50Us(), "%.2f"));
        rows.add(new Row("get p99 during bootstrap, µs", "get_p99_us", r -> r.bootstrap.gets.p99Us(), "%.2f"));
        rows.add(new Row("get p99.9 during bootstrap, µs", "get_p999_us", r -> r.bootstrap.gets.p999Us(), "%.1f"));
        rows.add(new Row("get max during bootstrap, µs", "get_max_us", r -> r.bootstrap.gets.maxUs(), "%,.0f"));
        rows.add(new Row("put p99 during bootstrap, µs", "put_p99_us", r -> r.bootstrap.puts.p99Us(), "%.2f"));
        addLaterPhases();
    }

    /** Rows of the phases after the bootstrap: incremental, export, reset, recovery, and the totals. */
    private void addLaterPhases() {
        rows.add(new Row(
                "incremental read-modify-writes/s",
                "update_records_per_s",
                r -> r.incremental == null ? Double.NaN : r.incremental.recordsPerSecond(),
                "%,.0f"));
        rows.add(new Row(
                "write amplification, incremental",
                "update_write_amplification",
                r -> r.incremental == null ? Double.NaN : r.incremental.writeAmplification(),
                "%.2f"));
        rows.add(new Row(
                "get p99 during incremental, µs",
                "update_get_p99_us",
                r -> r.incremental == null ? Double.NaN : r.incremental.gets.p99Us(),
                "%.2f"));
        addWeek();
        rows.add(new Row(
                "export from the disk (forEach / iterate), MB/s",
                "export_mb_s",
                r -> r.export == null ? Double.NaN : r.export.mbPerSecond(),
                "%,.1f"));
        rows.add(new Row(
                "  fraction of disk sequential read",
                "export_fraction_of_disk_read",
                r -> r.export == null ? Double.NaN : r.export.mbPerSecond() / diskReadMbPerSecond,
                "%.0f%%"));
        rows.add(new Row(
                "  CPU-s per GB exported",
                "export_cpu_s_per_gb",
                r -> r.export == null ? Double.NaN : r.export.cpuSecondsPerGb(),
                "%.2f"));
        rows.add(new Row("reset, ms", "reset_ms", r -> r.resetMs, "%.3f"));
        rows.add(new Row("reset of the empty store, ms", "reset_empty_ms", r -> r.resetEmptyMs, "%.3f"));
        rows.add(new Row(
                "recovery after SIGKILL (open + first get), ms",
                "recovery_ms",
                r -> r.recovery == null ? Double.NaN : r.recovery.recoveryMs(),
                "%,.1f"));
        rows.add(new Row(
                "  the same in a fresh JVM, ms",
                "recovery_fresh_jvm_ms",
                r -> r.recovery == null ? Double.NaN : r.recovery.freshJvmMs(),
                "%,.1f"));
        rows.add(new Row(
                "  reopen after a clean close instead, ms",
                "clean_reopen_ms",
                r -> r.recovery == null ? Double.NaN : r.recovery.cleanReopenMs(),
                "%,.1f"));
        rows.add(new Row(
                "  records the child wrote before the kill",
                "recovery_records",
                r -> r.recovery == null ? Double.NaN : (double) r.recovery.childRecords(),
                "%,.0f"));
        rows.add(new Row(
                "  sampled completed writes lost",
                "recovery_lost_keys",
                r -> r.recovery == null ? Double.NaN : (double) r.recovery.lostKeys(),
                "%,.0f"));
        rows.add(new Row(
                "disk after incremental, MB (allocated)",
                "disk_mb",
                r -> r.diskBytes < 0 ? Double.NaN : r.diskBytes / 1e6,
                "%,.0f"));
        rows.add(new Row(
                "CPU-s used by the rest of the machine in bootstrap",
                "other_cpu_s",
                r -> r.bootstrap.io == null || r.bootstrap.io.otherCpuMillis() < 0
                        ? Double.NaN
                        : r.bootstrap.io.otherCpuMillis() / 1000.0,
                "%.1f"));
        rows.add(new Row(
                "index memory, bytes per key",
                "index_bytes_per_key",
                r -> r.indexBytesPerKey == null ? Double.NaN : r.indexBytesPerKey,
                "%.1f"));
    }

    /** Rows of the week of rewrites: throughput, write and space amplification, gets. */
    private void addWeek() {
        rows.add(new Row(
                "week read-modify-writes/s",
                "week_records_per_s",
                r -> r.week == null ? Double.NaN : r.week.recordsPerSecond(),
                "%,.0f"));
        rows.add(new Row(
                "write amplification, week (process write_bytes)",
                "week_write_amplification",
                r -> r.week == null ? Double.NaN : r.week.writeAmplification(),
                "%.2f"));
        rows.add(new Row(
                "write amplification, week (engine's own count)",
                "week_write_amplification_engine_own",
                r -> r.week == null ? Double.NaN : r.week.ownWriteAmplification(),
                "%.2f"));
        rows.add(new Row(
                "get p99 during the week, µs",
                "week_get_p99_us",
                r -> r.week == null ? Double.NaN : r.week.gets.p99Us(),
                "%.2f"));
        rows.add(new Row(
                "disk after the week, MB (allocated)",
                "week_disk_mb",
                r -> r.diskBytesAfterWeek < 0 ? Double.NaN : r.diskBytesAfterWeek / 1e6,
                "%,.0f"));
        rows.add(new Row(
                "  space amplification, most during the week",
                "week_space_amplification_max",
                EngineResult::weekMaxSpaceAmplification,
                "%.2f"));
        rows.add(new Row(
                "  space amplification, end of the week",
                "week_space_amplification_end",
                EngineResult::weekEndSpaceAmplification,
                "%.2f"));
    }

    private List<EngineResult> others() {
        List<EngineResult> o = new ArrayList<>();
        for (EngineResult r : results) {
            if (!r.name.equals("seqs")) {
                o.add(r);
            }
        }
        return o;
    }

    private EngineResult seqs() {
        for (EngineResult r : results) {
            if (r.name.equals("seqs")) {
                return r;
            }
        }
        return null;
    }

    /** {"seqs/rocksdb": {figure: ratio}} for every other engine, when seqs ran. */
    Map<String, Object> ratios() {
        Map<String, Object> m = new LinkedHashMap<>();
        EngineResult s = seqs();
        if (s == null) {
            return m;
        }
        for (EngineResult other : others()) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (Row row : rows) {
                if (noRatio(row)) {
                    continue;
                }
                double a = row.value.apply(s);
                double b = row.value.apply(other);
                r.put(row.key, Json.round(a / b, 4));
            }
            m.put("seqs/" + other.name, r);
        }
        return m;
    }

    String text() {
        List<String> header = new ArrayList<>();
        header.add("");
        for (EngineResult r : results) {
            header.add(r.name);
        }
        EngineResult s = seqs();
        if (s != null) {
            for (EngineResult o : others()) {
                header.add("seqs/" + o.name);
            }
        }
        List<List<String>> table = new ArrayList<>();
        table.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>();
            line.add(row.label);
            for (EngineResult r : results) {
                line.add(fmt(row, row.value.apply(r)));
            }
            if (s != null) {
                for (EngineResult o : others()) {
                    line.add(noRatio(row) ? "" : ratio(row.value.apply(s), row.value.apply(o)));
                }
            }
            table.add(line);
        }
        int[] widths = new int[header.size()];
        for (List<String> line : table) {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (List<String> line : table) {
            for (int i = 0; i < line.size(); i++) {
                String cell = line.get(i);
                if (i == 0) {
                    b.append(cell).append(" ".repeat(widths[i] - cell.length()));
                } else {
                    b.append("  ").append(" ".repeat(widths[i] - cell.length())).append(cell);
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    String markdown() {
        StringBuilder b = new StringBuilder("| figure |");
        EngineResult s = seqs();
        for (EngineResult r : results) {
            b.append(' ').append(r.name).append(" |");
        }
        if (s != null) {
            for (EngineResult o : others()) {
                b.append(" seqs/").append(o.name).append(" |");
            }
        }
        b.append("\n|---|");
        b.append("---:|".repeat(results.size() + (s == null ? 0 : others().size())));
        b.append('\n');
        for (Row row : rows) {
            b.append("| ").append(row.label.trim()).append(" |");
            for (EngineResult r : results) {
                b.append(' ').append(fmt(row, row.value.apply(r))).append(" |");
            }
            if (s != null) {
                for (EngineResult o : others()) {
                    String cell = noRatio(row) ? "" : ratio(row.value.apply(s), row.value.apply(o));
                    b.append(' ').append(cell).append(" |");
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** Rows whose seqs/other ratio would mean nothing. */
    private static boolean noRatio(Row row) {
        return List.of(
                        "ingest_fraction_of_disk",
                        "export_fraction_of_disk_read",
                        "recovery_records",
                        "recovery_lost_keys",
                        "other_cpu_s")
                .contains(row.key);
    }

    private static String fmt(Row row, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "n/a";
        }
        if (row.format.endsWith("%%")) {
            return String.format(Locale.ROOT, row.format, 100 * v);
        }
        return String.format(Locale.ROOT, row.format, v);
    }

    private static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "n/a";
        }
        double r = a / b;
        return r >= 10
                ? String.format(Locale.ROOT, "%,.1f×", r)
                : r >= 0.1 ? String.format(Locale.ROOT, "%.2f×", r) : String.format(Locale.ROOT, "%.3f×", r);
    }
}
