package io.seqs.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The recovery phase: a child JVM opens the store and loads records with the same writers and
 * generator as the bootstrap, reporting on stdout how many each writer has completed. Once the
 * target is reached the child is killed with SIGKILL ({@link Process#destroyForcibly()}) while it
 * is still writing; the harness then reopens the store and times open plus the first get, of the
 * last record the child reported complete. A sample of reported records is then checked: a write
 * that completed before the kill must survive it (for RocksDB without a WAL it need not, and the
 * loss is reported).
 *
 * <p>The page cache survives the kill, so this measures recovery from a process crash with warm
 * caches, which is what the durability contract promises for SIGKILL; a power loss is not modelled.
 */
final class RecoveryPhase {
    /** Sub-command of {@link Main} that runs the child. */
    static final String CHILD_COMMAND = "recovery-child";
    /** Sub-command of {@link Main} that opens a copy of the killed store in a fresh JVM and times it. */
    static final String FRESH_COMMAND = "recovery-fresh";

    private static final int STRIDE = 16;
    private static final int SAMPLE = 5000;
    private static final long CHILD_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(30);

    private RecoveryPhase() {}

    // the recovery measurement step by step, for each engine in the same run
    @SuppressWarnings("checkstyle:MethodLength")
    static RecoveryResult run(EngineConfig config, Options o, RecordGenerator gen, PrintStream out)
            throws IOException, InterruptedException {
        // A killed JVM cannot delete the native libraries RocksDB and LMDB unpack into its
        // temporary directory: give it one of its own, deleted once it is dead.
        Path childTmp = Files.createTempDirectory("seqs-recovery-child");
        List<String> command = childCommand(childTmp);
        command.add(CHILD_COMMAND);
        command.addAll(config.toArgs());
        command.add("seed=" + o.seed);
        command.add("valueSize=" + o.valueSize);
        command.add("writers=" + o.writers);
        command.add("limit=" + Math.min(RecordGenerator.MAX_RECORDS, o.recoveryRecords * 4));

        Process child = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        List<String> stderr = Collections.synchronizedList(new ArrayList<>());
        Thread errPump = new Thread(() -> pump(child, stderr), "recovery-child-stderr");
        errPump.setDaemon(true);
        errPump.start();

        long[] counts = new long[o.writers];
        long startNanos = 0;
        long killedAt;
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + CHILD_TIMEOUT_NANOS;
            long lastPrint = System.nanoTime();
            String line;
            while (true) {
                line = lines.readLine();
                if (line == null) {
                    child.waitFor(10, TimeUnit.SECONDS);
                    throw new IllegalStateException(config.name() + " recovery child exited early (exit code "
                            + (child.isAlive() ? "none" : child.exitValue()) + "); its stderr:\n  "
                            + String.join("\n  ", stderr));
                }
                if (line.equals("ready")) {
                    startNanos = System.nanoTime();
                    continue;
                }
                if (!line.startsWith("progress ")) {
                    continue;
                }
                String[] f = line.substring(9).trim().split(" ");
                long total = 0;
                for (int w = 0; w < counts.length && w < f.length; w++) {
                    counts[w] = Long.parseLong(f[w]);
                    total += counts[w];
                }
                if (total >= o.recoveryRecords) {
                    child.destroyForcibly();
                    killedAt = System.nanoTime();
                    break;
                }
                if (System.nanoTime() - lastPrint > 2_000_000_000L) {
                    lastPrint = System.nanoTime();
                    out.printf(
                            Locale.ROOT,
                            "%-14s %-11s child JVM wrote %,d / %,d records%n",
                            config.name(),
                            "recovery",
                            total,
                            o.recoveryRecords);
                }
                if (System.nanoTime() > deadline) {
                    child.destroyForcibly();
                    throw new IllegalStateException(config.name() + " recovery child did not reach " + o.recoveryRecords
                            + " records in 30 minutes");
                }
            }
        }
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(
                    "recovery child of " + config.name() + " did not die within 60 s of SIGKILL");
        }
        DiskUsage.deleteTree(childTmp);
        errPump.join(5000);
        long childRecords = 0;
        for (long c : counts) {
            childRecords += c;
        }
        double loadSeconds = startNanos == 0 ? Double.NaN : (killedAt - startNanos) / 1e9;
        List<String> warnings = new ArrayList<>();
        synchronized (stderr) {
            for (String l : stderr) {
                if (l.contains("WARNING:")) {
                    warnings.add(l);
                }
            }
        }
        for (String w : warnings) {
            out.println("recovery child of " + config.name() + " printed: " + w);
        }

        // The measured part: reopen, then the first get.
        LoadPhase.Buffers b = new LoadPhase.Buffers(gen);
        int writer = 0;
        while (writer < counts.length - 1 && counts[writer] == 0) {
            writer++;
        }
        long last = counts[writer] == 0 ? 0 : writer + (counts[writer] - 1) * o.writers;
        // A copy of the store as the kill left it, for a fresh JVM to recover after the measured
        // reopen; forced to the disk first, so that writing it back does not run beside that reopen.
        Path copy = config.dir().resolveSibling(config.dir().getFileName() + "-fresh");
        DiskUsage.deleteTree(copy);
        DiskUsage.copyTree(config.dir(), copy);
        int kl = b.key(last);
        long t0 = System.nanoTime();
        Engine engine = config.withExpectedKeys(o.recoveryRecords).open();
        long t1 = System.nanoTime();
        int len;
        try {
            len = engine.get(b.key, kl, b.value);
        } catch (RuntimeException e) {
            engine.close();
            DiskUsage.deleteTree(copy);
            throw e;
        }
        long t2 = System.nanoTime();
        boolean firstFound = len >= 0 && gen.stampMatches(last, b.valueSegment, len);
        try {
            long sampled = 0;
            long lost = 0;
            SplittableRandom random = new SplittableRandom(o.seed ^ 0x7265636fL);
            for (int s = 0; s < SAMPLE && childRecords > 0; s++) {
                int w = random.nextInt(o.writers);
                if (counts[w] == 0) {
                    continue;
                }
                long i = w + random.nextLong(counts[w]) * o.writers;
                int n = engine.get(b.key, b.key(i), b.value);
                sampled++;
                if (n < 0 || !gen.stampMatches(i, b.valueSegment, n)) {
                    lost++;
                }
            }
            double recoveryMs = (t2 - t0) / 1e6;
            long keys = engine.keys();
            Map<String, Object> details = engine.details();
            engine.close();
            engine = null;
            // For comparison: the same store reopened after a clean close, when nothing is left to replay.
            long t3 = System.nanoTime();
            double cleanMs;
            try (Engine again = config.withExpectedKeys(o.recoveryRecords).open()) {
                again.get(b.key, kl, b.value);
                cleanMs = (System.nanoTime() - t3) / 1e6;
            }
            double[] fresh = freshJvm(config.withDir(copy), o, last, out);
            out.printf(
                    Locale.ROOT,
                    "%-14s %-11s killed the child after %,d records; reopen + first get %.1f ms (open %.1f ms), "
                            + "%s, %d of %d sampled records lost; after a clean close: %.1f ms; "
                            + "in a fresh JVM: %.1f ms%n",
                    config.name(),
                    "recovery",
                    childRecords,
                    recoveryMs,
                    (t1 - t0) / 1e6,
                    firstFound ? "last record found" : "LAST RECORD MISSING",
                    lost,
                    sampled,
                    cleanMs,
                    fresh[0]);
            return new RecoveryResult(
                    recoveryMs,
                    (t1 - t0) / 1e6,
                    cleanMs,
                    fresh[0],
                    fresh[1] == 1,
                    childRecords,
                    loadSeconds,
                    firstFound,
                    sampled,
                    lost,
                    keys,
                    warnings,
                    details);
        } finally {
            if (engine != null) {
                engine.close();
            }
            DiskUsage.deleteTree(copy); // gone already unless the measurement failed before the fresh JVM ran
        }
    }

    /**
     * Recovery as a restarted process sees it: a fresh JVM opens {@code copied}, a copy of the
     * store as the kill left it, and gets the last record, timing open plus that get. The engine's
     * native library, if it has one, is loaded before the clock starts; class loading and the
     * JIT's first compilations are inside, as in any restarted process. The copy is deleted
     * afterwards.
     *
     * @return the milliseconds (NaN when the child failed) and 1 when the record was found, else 0
     */
    private static double[] freshJvm(EngineConfig copiedStore, Options o, long last, PrintStream out)
            throws IOException, InterruptedException {
        Path copy = copiedStore.dir();
        Path childTmp = Files.createTempDirectory("seqs-recovery-fresh");
        try {
            EngineConfig copied = copiedStore.withExpectedKeys(o.recoveryRecords);
            List<String> command = childCommand(childTmp);
            command.add(FRESH_COMMAND);
            command.addAll(copied.toArgs());
            command.add("seed=" + o.seed);
            command.add("valueSize=" + o.valueSize);
            command.add("record=" + last);
            Process child = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectErrorStream(true)
                    .start();
            List<String> lines = new ArrayList<>();
            pump(child, lines, true);
            if (!child.waitFor(5, TimeUnit.MINUTES)) {
                child.destroyForcibly();
            }
            for (String line : lines) {
                if (line.startsWith("fresh ")) {
                    String[] f = line.split(" ");
                    return new double[] {Double.parseDouble(f[1]), Boolean.parseBoolean(f[2]) ? 1 : 0};
                }
            }
            out.println("recovery of " + copiedStore.name() + " in a fresh JVM failed: " + String.join("\n  ", lines));
            return new double[] {Double.NaN, 0};
        } finally {
            DiskUsage.deleteTree(copy);
            DiskUsage.deleteTree(childTmp);
        }
    }

    /** The start of a child JVM's command line, with the project's strict flags and its own temporary directory. */
    private static List<String> childCommand(Path childTmp) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("--sun-misc-unsafe-memory-access=deny");
        command.add("-Xmx1g");
        command.add("-Djava.io.tmpdir=" + childTmp);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        return command;
    }

    /** Runs in the fresh JVM: loads the engine's native library, then times open plus the first get. */
    static void fresh(String[] args) throws ClassNotFoundException {
        Map<String, String> m = EngineConfig.parseArgs(args, 1);
        EngineConfig config = EngineConfig.fromArgs(m);
        RecordGenerator gen = new RecordGenerator(Long.parseLong(m.get("seed")), Integer.parseInt(m.get("valueSize")));
        long record = Long.parseLong(m.get("record"));
        EngineLog.install(null, System.err);
        config.loadNativeLibrary();
        LoadPhase.Buffers b = new LoadPhase.Buffers(gen);
        int kl = b.key(record);
        long t0 = System.nanoTime();
        Engine engine = config.open();
        int len = engine.get(b.key, kl, b.value);
        long t1 = System.nanoTime();
        boolean found = len >= 0 && gen.stampMatches(record, b.valueSegment, len);
        System.out.printf(Locale.ROOT, "fresh %.3f %b%n", (t1 - t0) / 1e6, found);
        System.out.flush();
        Runtime.getRuntime().halt(0); // the copy is thrown away: no close
    }

    private static void pump(Process child, List<String> into) {
        pump(child, into, false);
    }

    private static void pump(Process child, List<String> into, boolean stdout) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                stdout ? child.getInputStream() : child.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                into.add(line);
            }
        } catch (IOException e) {
            // the child died; what was read is kept
        }
    }

    // ------------------------------------------------------------------ the child

    /** Runs in the child JVM: load records until killed. */
    static void child(String[] args) throws InterruptedException {
        Map<String, String> m = EngineConfig.parseArgs(args, 1);
        EngineConfig config = EngineConfig.fromArgs(m);
        long seed = Long.parseLong(m.get("seed"));
        int valueSize = Integer.parseInt(m.get("valueSize"));
        int writers = Integer.parseInt(m.get("writers"));
        long limit = Long.parseLong(m.get("limit"));
        EngineLog.install(null, System.err);
        watchParent();
        RecordGenerator gen = new RecordGenerator(seed, valueSize);
        Engine engine = config.open();
        AtomicLongArray progress = new AtomicLongArray(writers * STRIDE);
        PrintStream out = new PrintStream(
                new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        out.println("ready");
        out.flush();
        for (int w = 0; w < writers; w++) {
            int id = w;
            Thread t = new Thread(
                    () -> {
                        LoadPhase.Buffers b = new LoadPhase.Buffers(gen);
                        long done = 0;
                        for (long i = id; i < limit; i += writers) {
                            int kl = b.key(i);
                            int vl = gen.value(i, 0, b.valueSegment);
                            engine.put(b.key, kl, b.value, vl);
                            progress.lazySet(id * STRIDE, ++done);
                        }
                    },
                    "child-writer-" + w);
            t.setDaemon(true);
            t.start();
        }
        StringBuilder line = new StringBuilder();
        while (true) {
            line.setLength(0);
            line.append("progress");
            for (int w = 0; w < writers; w++) {
                line.append(' ').append(progress.get(w * STRIDE));
            }
            out.println(line);
            out.flush();
            Thread.sleep(10);
        }
    }

    /** Ends the child when the harness goes away (its stdin closes), so no orphan keeps writing. */
    private static void watchParent() {
        Thread t = new Thread(
                () -> {
                    try {
                        while (System.in.read() >= 0) {
                            // nothing is sent; EOF means the parent is gone
                        }
                    } catch (IOException e) {
                        // treat as gone
                    }
                    Runtime.getRuntime().halt(3);
                },
                "parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
