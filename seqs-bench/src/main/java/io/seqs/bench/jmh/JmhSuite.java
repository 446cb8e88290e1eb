package io.seqs.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The {@code jmh} sub-command.
 *
 * <p>JMH 1.37 itself calls {@code sun.misc.Unsafe::objectFieldOffset} (to check the padding of
 * its own infrastructure classes, in the runner and in every benchmark JVM), which JDK 24+ reports
 * with a warning and which {@code --sun-misc-unsafe-memory-access=deny} turns into a failure. So
 * the sub-command runs JMH in a JVM of its own started with
 * {@code --sun-misc-unsafe-memory-access=allow} (forks get the same flag): JMH's use is then
 * explicit and silent. Nothing else runs in those JVMs but the benchmarks; seqs and the workload
 * harness keep running with the deny setting.
 * Without arguments (or with {@code --quick} / {@code --out DIR}) it
 * runs every seqs and RocksDB microbenchmark at 1 and 2 threads with the GC profiler and prints one
 * table of time and allocation per operation; JMH's JSON results go to {@code <out>/jmh-t1.json}
 * and {@code jmh-t2.json}. Any other arguments are handed to JMH's own command line
 * ({@code jmh -h} lists them), e.g. {@code jmh SeqsBenchmark.getSegment -t 2 -prof gc}.
 */
public final class JmhSuite {
    private JmhSuite() {}

    private static int relaunch(String[] args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=ALL-UNNAMED",
                "-D" + RELAUNCHED + "=true",
                "-cp",
                System.getProperty("java.class.path"),
                JmhSuite.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /** Set in the JVM this class relaunches itself in. */
    private static final String RELAUNCHED = "seqs.bench.jmh.host";

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        if (System.getProperty(RELAUNCHED) == null) {
            System.exit(relaunch(args));
        }
        boolean quick = false;
        Path out = Path.of("bench-results", "jmh");
        boolean ours = true;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                quick = true;
            } else if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else {
                ours = false;
            }
        }
        if (!ours) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        Files.createDirectories(out);
        List<String[]> rows = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            ChainedOptionsBuilder b = new OptionsBuilder()
                    .include("io\\.seqs\\.bench\\.jmh\\..*Benchmark\\..*")
                    .threads(threads)
                    .addProfiler(GCProfiler.class)
                    .resultFormat(ResultFormatType.JSON)
                    .result(out.resolve("jmh-t" + threads + ".json").toString());
            if (quick) {
                b.warmupIterations(1)
                        .warmupTime(TimeValue.milliseconds(500))
                        .measurementIterations(2)
                        .measurementTime(TimeValue.milliseconds(500));
            }
            Collection<RunResult> results = new Runner(b.build()).run();
            for (RunResult r : results) {
                String name = r.getParams().getBenchmark();
                name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
                Result<?> primary = r.getPrimaryResult();
                Result<?> alloc = r.getSecondaryResults().get("·gc.alloc.rate.norm");
                if (alloc == null) {
                    alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
                }
                StringBuilder params = new StringBuilder();
                for (String key : r.getParams().getParamsKeys()) {
                    params.append(params.isEmpty() ? "" : " ")
                            .append(key)
                            .append('=')
                            .append(r.getParams().getParam(key));
                }
                rows.add(new String[] {
                    name,
                    params.toString(),
                    Integer.toString(threads),
                    String.format(Locale.ROOT, "%,.1f ± %.1f", primary.getScore(), primary.getScoreError()),
                    alloc == null ? "n/a" : String.format(Locale.ROOT, "%,.1f", alloc.getScore())
                });
            }
        }
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT, "%-26s %-32s %7s %18s %10s%n", "benchmark", "parameters", "threads", "ns/op", "B/op"));
        for (String[] row : rows) {
            table.append(String.format(Locale.ROOT, "%-26s %-32s %7s %18s %10s%n", (Object[]) row));
        }
        Files.writeString(out.resolve("jmh-summary.txt"), table);
        System.out.println();
        System.out.print(table);
        System.out.println("JMH results: " + out.toAbsolutePath());
    }
}
