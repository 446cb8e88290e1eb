package io.seqs.crashtest;

import io.seqs.Compression;
import io.seqs.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Damages copies of a store whose whole history is known and opens them in a child JVM with a
 * time limit. A writer child builds the store (random puts, deletes, batches, flushes,
 * checkpoints, resets) and ends it either with close() or with flush() and a halt, which leaves
 * a log tail after the last checkpoint for recovery to replay. Then, cycle after cycle, a fresh
 * copy gets one to three injuries (bits flipped, a range zeroed or filled with garbage, a file
 * cut short, a checkpoint, a marker or the manifest deleted) in segments, reclaimed-segment
 * markers, checkpoints or the manifest, and a child opens it, reads every key, writes a little,
 * closes, reopens and reads everything again. The store is built with a compression and a
 * reclaim threshold drawn from the seed, which its later opens keep.
 *
 * <p>The open must neither crash the JVM nor hang; it may refuse with a clear exception. Every
 * value a get returns must be an intact value written to that key at some time; a get may throw
 * {@code CorruptionException} (detected). A key that lost its latest value must be accounted
 * for: the store reported dropped records, bytes or segments, the get threw, or the injury hit
 * that key's own record. When only checkpoints or the manifest were hurt nothing may be lost at
 * all: both are rebuilt from the log. After recovery the store must work: the writes made after
 * it survive close and reopen, and the second open finds nothing more to drop.
 */
final class CorruptionLoop {
    private static final long CHILD_LIMIT_MILLIS = 60_000;
    private static final int REBUILD_EVERY = 12;
    /** {@link #driveOnce} result for a child JVM that died before running anything. */
    private static final int NOT_STARTED = Integer.MIN_VALUE;

    private static final int KEYS = 500;
    /** Exceptions that refuse an open clearly, naming the file; anything else from open is a bug. */
    private static final Set<String> CLEAR_OPEN_EXCEPTIONS = Set.of(
            "io.seqs.CorruptionException",
            "io.seqs.SeqsException",
            "java.io.UncheckedIOException",
            "java.lang.IllegalStateException");

    private final Options o;
    private final Path base;
    private final Path pristine;
    private final Path work;
    private final Figures figures;
    private Model model;
    private RecordMap records;
    private Map<Integer, Long> expected;
    private Durability mode;
    private int shards;
    /** How the store was built; its later opens keep the settings. */
    private Compression compression;

    private double reclaimThreshold;
    private long builtEpoch;
    private int builds;
    private long ackedWrites;
    private long keysChecked;

    CorruptionLoop(Options o) throws IOException {
        this.o = o;
        this.base = o.workDir().resolve("corruption-" + o.seed());
        this.pristine = base.resolve("pristine");
        this.work = base.resolve("store");
        FileTrees.delete(base);
        Files.createDirectories(base);
        this.figures = new Figures(Kind.CORRUPTION, o.seed());
    }

    Figures run() throws Exception {
        long deadline = System.nanoTime() + o.budget().toNanos();
        int c = 0;
        while (c < o.cycles() && System.nanoTime() < deadline) {
            if (c % REBUILD_EVERY == 0) {
                build(c);
            }
            cycle(c);
            c++;
            figures.cycles = c;
        }
        FileTrees.delete(base);
        return figures;
    }

    String summary() {
        return figures.summary(null, null)
                + String.format(
                        "%n  stores built: %d; acknowledged writes in their histories: %d; key checks: %d",
                        builds, ackedWrites, keysChecked);
    }

    // ------------------------------------------------------------------ the intact store

    private void build(int cycle) throws Exception {
        SplittableRandom rnd = new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + cycle);
        FileTrees.delete(pristine);
        Files.createDirectories(pristine);
        mode = o.modes().get((cycle / REBUILD_EVERY) % o.modes().size());
        shards = 1 << rnd.nextInt(3);
        boolean halt = (cycle / REBUILD_EVERY) % 2 == 1;
        compression = rnd.nextInt(4) == 0 ? Compression.NONE : Compression.LZ4;
        reclaimThreshold = rnd.nextInt(5) == 0 ? 0 : (20 + rnd.nextInt(41)) / 100.0;
        // Reclamation starts 250 ms after the open and a reset leaves nothing to reclaim: a store
        // built with it on gets more writes and no resets, so that it holds reclaimed segments.
        boolean reclaim = reclaimThreshold > 0;
        int ops = reclaim ? 4000 + rnd.nextInt(4000) : 800 + rnd.nextInt(1200);
        model = new Model(KEYS);
        ChildPlan plan = new ChildPlan(
                pristine.toString(),
                mode,
                shards,
                50,
                rnd.nextBoolean() ? 0 : 100,
                1,
                KEYS,
                o.seed(),
                cycle,
                "none",
                false,
                "run",
                ops,
                halt ? "flush-halt" : "close",
                20,
                10,
                reclaim ? 0 : 2,
                0,
                true,
                compression,
                reclaimThreshold);
        String[] failure = new String[1];
        int exit = drive(plan, cycle, "build", w -> {
            switch (w[0]) {
                case "B" -> model.begin(Model.Op.parse(w));
                case "A" -> {
                    String f = model.ack(
                            Integer.parseInt(w[1]), Long.parseLong(w[2]), rest(w, 3), mode == Durability.SYNC);
                    if (f != null && failure[0] == null) {
                        failure[0] = f;
                    }
                }
                case "!", "O!", "X", "E" -> failure[0] = String.join(" ", w);
                default -> {
                    // the empty store's dump and the close: nothing to check
                }
            }
        });
        if (failure[0] != null || exit != 0) {
            throw fail(cycle, null, "building the store failed (exit " + exit + "): " + failure[0]);
        }
        builds++;
        StoreCensus census = StoreCensus.of(pristine);
        figures.planned(compression, reclaimThreshold);
        figures.censused(census, census.markers.size());
        ackedWrites += model.ackedWrites;
        expected = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            expected.put(k, model.single(k));
        }
        builtEpoch = model.epoch();
        records = RecordMap.read(pristine, pristine.resolve(String.format("epoch-%010d", builtEpoch)));
        // The intact copy must read back exactly, or nothing below means anything.
        FileTrees.copy(pristine, work);
        Outcome intact = open(cycle, List.of());
        List<String> wrong = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            if (!java.util.Objects.equals(intact.first.get(k), expected.get(k))) {
                wrong.add("key " + k + ": found " + intact.firstText(k) + ", expected " + Model.show(expected.get(k)));
            }
        }
        if (intact.openFailure != null || !wrong.isEmpty()) {
            throw fail(
                    cycle,
                    List.of(),
                    "the undamaged store does not read back: "
                            + (intact.openFailure != null ? intact.openFailure : wrong));
        }
    }

    // ------------------------------------------------------------------ one injury

    // one cycle read top to bottom: build, damage, reopen, judge
    @SuppressWarnings("checkstyle:MethodLength")
    private void cycle(int cycle) throws Exception {
        SplittableRandom rnd = new SplittableRandom(o.seed() * 0x632BE59BD9B4E019L + cycle);
        FileTrees.copy(pristine, work);
        List<Damage> damages = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            Damage d = pickDamage(rnd);
            if (d != null) {
                d.apply(work);
                damages.add(d);
            }
        }
        if (damages.isEmpty()) {
            return;
        }
        boolean onlyRebuildable = damages.stream().noneMatch(CorruptionLoop::inLog);
        Path input = base.resolve("last-input");
        FileTrees.copy(work, input);
        Outcome out = open(cycle, damages);
        keysChecked += KEYS;
        if (out.openFailure != null) {
            if (onlyRebuildable) {
                throw fail(
                        cycle,
                        damages,
                        "open failed although only checkpoints or the manifest were damaged (both can be "
                                + "rebuilt from the log): " + out.openFailure);
            }
            if (!CLEAR_OPEN_EXCEPTIONS.contains(out.openFailure.split(" ")[0])) {
                throw fail(cycle, damages, "open failed with an unclear exception: " + out.openFailure);
            }
            figures.count("open refused with a clear exception");
            return;
        }
        List<String> problems = new ArrayList<>();
        int lostReported = 0;
        int lostSilentDamagedRecord = 0;
        int detected = 0;
        boolean reported = out.droppedRecords + out.droppedBytes + out.droppedSegments > 0;
        for (int k = 0; k < KEYS; k++) {
            long want = expected.get(k);
            String err = out.errors.get(k);
            if (err != null) {
                if (err.startsWith("X ")) {
                    problems.add("key " + k + ": get returned bytes that are not an intact value of the key: "
                            + err.substring(2));
                } else if (!err.startsWith("io.seqs.CorruptionException")) {
                    problems.add("key " + k + ": get threw " + err + " instead of CorruptionException");
                } else if (onlyRebuildable) {
                    problems.add("key " + k + ": get threw " + err + " although no segment was damaged");
                } else {
                    detected++;
                }
                continue;
            }
            long seen = out.first.getOrDefault(k, Values.ABSENT);
            if (seen == want) {
                continue;
            }
            if (seen != Values.ABSENT && !model.everWritten(k).contains(seen)) {
                problems.add("key " + k + ": INVENTED: found " + Model.show(seen) + ", a version never written to it");
            } else if (onlyRebuildable) {
                problems.add("key " + k + ": LOST although only checkpoints or the manifest were damaged: found "
                        + Model.show(seen) + ", expected " + Model.show(want));
            } else if (reported) {
                lostReported++;
            } else if (hitsOwnRecord(k, damages)) {
                lostSilentDamagedRecord++;
            } else {
                problems.add("key " + k + ": LOST without a trace: found " + Model.show(seen) + ", expected "
                        + Model.show(want) + "; its last record " + records.latest.get(k)
                        + " was not damaged and the store reported nothing dropped");
            }
        }
        problems.addAll(out.postProblems);
        if (!problems.isEmpty()) {
            StringBuilder b = new StringBuilder(problems.size() + " problems");
            for (int i = 0; i < Math.min(20, problems.size()); i++) {
                b.append("\n    ").append(problems.get(i));
            }
            b.append("\n    open reported dropped: ")
                    .append(out.droppedRecords)
                    .append(" records, ")
                    .append(out.droppedBytes)
                    .append(" bytes, ")
                    .append(out.droppedSegments)
                    .append(" segments");
            throw fail(cycle, damages, b.toString());
        }
        if (detected > 0) {
            figures.count("damage detected by get (CorruptionException)");
        }
        if (lostReported > 0) {
            figures.count("values lost, drop reported by open");
        }
        if (lostSilentDamagedRecord > 0) {
            figures.count("values lost silently, their own record damaged");
        }
        if (detected == 0 && lostReported == 0 && lostSilentDamagedRecord == 0) {
            figures.count(reported ? "nothing lost, damage reported" : "nothing lost");
        }
        if (damages.stream().anyMatch(d -> d.file().equals("MANIFEST")) && !out.second.isEmpty()) {
            secondManifestLoss(cycle, out.second);
        }
    }

    /** Whether a damage hit the log (a segment, or the marker of a reclaimed one): the rest is rebuilt from it. */
    private static boolean inLog(Damage d) {
        return d.file().endsWith(".seg") || d.file().endsWith(StoreCensus.MARKER_SUFFIX);
    }

    private boolean hitsOwnRecord(int k, List<Damage> damages) {
        RecordMap.Extent e = records.latest.get(k);
        if (e == null) {
            return false;
        }
        for (Damage d : damages) {
            if (d.touches(e.file(), e.offset(), e.offset() + e.length())
                    || d.touches(e.file(), 0, RecordMap.SEGMENT_HEADER)) {
                return true;
            }
        }
        return false;
    }

    private Damage pickDamage(SplittableRandom rnd) throws IOException {
        List<Path> segments = FileTrees.find(work.resolve(String.format("epoch-%010d", builtEpoch)), ".seg");
        List<Path> markers =
                FileTrees.find(work.resolve(String.format("epoch-%010d", builtEpoch)), StoreCensus.MARKER_SUFFIX);
        List<Path> checkpoints = FileTrees.find(work.resolve("checkpoints"), ".ckpt");
        Path manifest = work.resolve("MANIFEST");
        int p = rnd.nextInt(100);
        Path target;
        if (p >= 55 && p < 60 && !markers.isEmpty()) {
            target = markers.get(rnd.nextInt(markers.size())); // stands in the log for a reclaimed segment
        } else if (p < 60 && !segments.isEmpty()) {
            target = segments.get(rnd.nextInt(segments.size()));
        } else if (p < 85 && !checkpoints.isEmpty()) {
            target = checkpoints.get(rnd.nextInt(checkpoints.size()));
        } else if (Files.exists(manifest)) {
            target = manifest;
        } else {
            return null;
        }
        String rel = work.relativize(target).toString();
        long size = Files.size(target);
        if (size == 0) {
            return null;
        }
        boolean segment = rel.endsWith(".seg");
        // Most injuries land where the records are: a flip in the zero tail of a segment is easy.
        long used = segment ? Math.min(size, records.recordsEnd.getOrDefault(rel, size) + 64) : size;
        long at = rnd.nextInt(100) < 80 ? rnd.nextLong(used) : rnd.nextLong(size);
        int kind = rnd.nextInt(100);
        // record starts of the intact file that still lie inside it (an earlier injury may have cut it)
        List<Long> starts = records.boundaries.getOrDefault(rel, List.of()).stream()
                .filter(start -> start + RecordMap.RECORD_HEADER <= size)
                .toList();
        if (segment && kind < 15 && !starts.isEmpty()) {
            // one bit of a record header's length, type or generation fields: where a reader
            // that trusts what it reads goes astray
            long start = starts.get(rnd.nextInt(starts.size()));
            return new Damage(rel, "flip", start + 4, 12, 1, rnd.nextLong());
        }
        if (kind < 40) {
            return new Damage(rel, "flip", at, Math.min(8, size - at), 1 + rnd.nextInt(4), rnd.nextLong());
        } else if (kind < 55) {
            long len = Math.min(size - at, 1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 8192));
            return new Damage(rel, "zero", at, len, 0, rnd.nextLong());
        } else if (kind < 70) {
            long len = Math.min(size - at, 1 + rnd.nextInt(64));
            return new Damage(rel, "garbage", at, len, 0, rnd.nextLong());
        } else if (kind < 95) {
            long cut = at;
            int how = rnd.nextInt(10);
            if (segment && how < 3 && !starts.isEmpty()) {
                cut = starts.get(rnd.nextInt(starts.size())); // exactly between two records
            } else if (how < 8) {
                cut = at & -8L;
            }
            return new Damage(rel, "truncate", cut, size - cut, 0, 0);
        } else if (!segment) {
            return new Damage(rel, "delete", 0, size, 0, 0);
        }
        return new Damage(rel, "zero", at & -4096L, Math.min(4096, size - (at & -4096L)), 0, 0);
    }

    // ------------------------------------------------------------------ the opening child

    /** What a child found in a (damaged) store. */
    private static final class Outcome {
        String openFailure;
        long droppedRecords;
        long droppedBytes;
        long droppedSegments;
        /** The dump right after the first open. */
        final Map<Integer, Long> first = new HashMap<>();

        final Map<Integer, String> errors = new HashMap<>();
        /** The dump after the writes, close and reopens (empty when the child halted instead). */
        final Map<Integer, Long> second = new HashMap<>();
        /** Per key, the last state written after recovery. */
        final Map<Integer, Long> postWritten = new HashMap<>();

        final List<String> postProblems = new ArrayList<>();

        String firstText(int k) {
            return errors.containsKey(k) ? errors.get(k) : Model.show(first.getOrDefault(k, Values.ABSENT));
        }
    }

    /**
     * Opens the store in a child that dumps it, writes a little, then closes and reopens it three times and dumps
     * again.
     */
    private Outcome open(int cycle, List<Damage> damages) throws Exception {
        Outcome out = run(cycle, damages.isEmpty() ? "intact" : "damaged", "post", "close");
        if (out.openFailure == null && out.postProblems.isEmpty() && out.second.isEmpty()) {
            out.postProblems.add("the store could not be reopened after recovery and close");
        }
        if (!out.second.isEmpty()) {
            for (int k = 0; k < KEYS; k++) {
                Long was = out.postWritten.containsKey(k)
                        ? out.postWritten.get(k)
                        : out.errors.containsKey(k) ? null : out.first.getOrDefault(k, Values.ABSENT);
                long now = out.second.getOrDefault(k, Values.ABSENT);
                if (was != null && was != now) {
                    out.postProblems.add("key " + k + " after close() and reopen: found "
                            + (now == Long.MIN_VALUE ? "an exception" : Model.show(now)) + ", expected "
                            + Model.show(was)
                            + (out.postWritten.containsKey(k)
                                    ? " (written after recovery)"
                                    : " (as read after recovery)"));
                }
            }
        }
        return out;
    }

    /**
     * Runs one child on the work copy and collects what it printed.
     *
     * @param afterDump the child's action after its first dump (post: writes; close: nothing)
     * @param end after the writes of "post": close (and reopen) or flush-halt
     */
    private Outcome run(int cycle, String what, String afterDump, String end) throws Exception {
        ChildPlan plan = new ChildPlan(
                work.toString(),
                mode,
                shards,
                50,
                0,
                1,
                KEYS,
                o.seed(),
                cycle,
                "none",
                false,
                afterDump,
                30,
                end,
                0,
                0,
                0,
                0,
                false,
                compression,
                reclaimThreshold);
        Outcome out = new Outcome();
        int[] opens = {0};
        Map<Integer, Model.Op> pending = new HashMap<>();
        int exit = drive(plan, cycle, what, w -> {
            switch (w[0]) {
                case "O" -> {
                    opens[0]++;
                    long records = Long.parseLong(w[3]);
                    long bytes = Long.parseLong(w[4]);
                    long segments = Long.parseLong(w[5]);
                    if (opens[0] == 1) {
                        out.droppedRecords = records;
                        out.droppedBytes = bytes;
                        out.droppedSegments = segments;
                        figures.opened(Long.parseLong(w[2]), records, bytes, segments);
                    } else if (records + bytes + segments > 0) {
                        out.postProblems.add("the store recovered once, was closed, and a later open dropped " + records
                                + " records, " + bytes + " bytes, " + segments + " segments again");
                    }
                }
                case "O!" -> out.openFailure = rest(w, 1);
                case "V" -> (opens[0] == 1 ? out.first : out.second).put(Integer.parseInt(w[1]), Long.parseLong(w[2]));
                case "X" -> {
                    if (opens[0] == 1) {
                        out.errors.put(Integer.parseInt(w[1]), "X " + rest(w, 2));
                    } else {
                        out.postProblems.add("after reopen, key " + w[1]
                                + ": get returned bytes that are not an intact value: " + rest(w, 2));
                    }
                }
                case "E" -> {
                    if (opens[0] == 1) {
                        out.errors.put(Integer.parseInt(w[1]), rest(w, 2));
                    } else {
                        out.second.put(Integer.parseInt(w[1]), Long.MIN_VALUE);
                        if (!w[2].equals("io.seqs.CorruptionException")) {
                            out.postProblems.add("after reopen, key " + w[1] + ": get threw " + rest(w, 2));
                        }
                    }
                }
                case "B" -> {
                    Model.Op op = Model.Op.parse(w);
                    pending.put(0, op);
                    if (op.kind == 'P') {
                        model.everWritten(op.keys[0]).add(op.results[0]);
                    }
                }
                case "A" -> {
                    Model.Op op = pending.remove(0);
                    if (op.kind == 'P' || op.kind == 'D') {
                        out.postWritten.put(op.keys[0], op.results[0]);
                    }
                }
                case "!" -> out.postProblems.add("a write after recovery threw " + rest(w, 3));
                default -> {
                    // D, W, Z: structure only
                }
            }
        });
        if (exit == -1) {
            throw fail(
                    cycle,
                    null,
                    "the " + what + " child did not finish within " + CHILD_LIMIT_MILLIS / 1000
                            + " s: open or a get hangs");
        }
        if (exit != 0 && !(exit == 3 && !out.postProblems.isEmpty())) {
            throw fail(
                    cycle,
                    null,
                    "the " + what + " child exited with code " + exit
                            + " (JVM crash or unexpected error; see its log)");
        }
        return out;
    }

    /**
     * The manifest is lost a second time, moments after the first loss and a few opens: a child
     * recovers, writes, flushes and halts; the next open must find every one of those writes and
     * everything the first round left.
     *
     * @param before every key's state after the first round
     */
    private void secondManifestLoss(int cycle, Map<Integer, Long> before) throws Exception {
        Files.deleteIfExists(work.resolve("MANIFEST"));
        Outcome writer = run(cycle, "manifest-lost-again", "post", "flush-halt");
        Outcome reader = run(cycle, "after-second-loss", "close", "close");
        List<String> problems = new ArrayList<>(writer.postProblems);
        problems.addAll(reader.postProblems);
        if (writer.openFailure != null || reader.openFailure != null) {
            problems.add("open failed with only the manifest missing: "
                    + (writer.openFailure != null ? writer.openFailure : reader.openFailure));
        }
        List<String> lost = new ArrayList<>();
        for (int k = 0; k < KEYS && problems.isEmpty(); k++) {
            Long want = writer.postWritten.containsKey(k) ? writer.postWritten.get(k) : before.get(k);
            if (want == null || want == Long.MIN_VALUE) {
                continue; // unreadable after the first round's damage
            }
            long seen = reader.first.getOrDefault(k, Values.ABSENT);
            if (seen != want) {
                lost.add("key " + k + ": found " + Model.show(seen) + ", expected " + Model.show(want)
                        + (writer.postWritten.containsKey(k)
                                ? " (written and flushed after the manifest was rebuilt)"
                                : ""));
            }
        }
        keysChecked += KEYS;
        problems.addAll(lost);
        if (!problems.isEmpty()) {
            StringBuilder b =
                    new StringBuilder("after the manifest was lost a second time: " + problems.size() + " problems");
            for (int i = 0; i < Math.min(20, problems.size()); i++) {
                b.append("\n    ").append(problems.get(i));
            }
            throw fail(cycle, null, b.toString());
        }
        figures.count("manifest lost twice, nothing lost");
    }

    /**
     * Runs a child to its end, answering its pauses; returns the exit code, -1 when it overran its
     * time. A child that could not even load its classes is started again (up to three times).
     */
    private int drive(ChildPlan plan, int cycle, String what, Consumer<String[]> handler) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int exit = driveOnce(plan, cycle, what, handler, attempt < 3);
            if (exit != NOT_STARTED) {
                return exit;
            }
            Thread.sleep(2000);
        }
    }

    private int driveOnce(ChildPlan plan, int cycle, String what, Consumer<String[]> handler, boolean mayRetry)
            throws Exception {
        Path log = base.resolve("logs").resolve("cycle-" + cycle + "-" + what + ".log");
        long deadline = System.nanoTime() + CHILD_LIMIT_MILLIS * 1_000_000;
        boolean printed = false;
        try (Child child = Child.start(plan, null, log)) {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    child.kill();
                    return -1;
                }
                String line = child.poll(Math.min(left, 1000));
                if (line == null) {
                    continue;
                }
                if (line.equals(Child.EOF)) {
                    break;
                }
                printed = true;
                String[] w = line.split(" ");
                if (w[0].equals("W")) {
                    child.go();
                } else {
                    handler.accept(w);
                }
            }
            int exit = child.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (mayRetry && child.couldNotStart(exit, printed)) {
                return NOT_STARTED;
            }
            List<String> warnings = child.jvmWarnings();
            if (!warnings.isEmpty()) {
                throw fail(cycle, null, "a child JVM printed warnings: " + warnings);
            }
            if (exit == 0) {
                Files.deleteIfExists(log);
            }
            return exit;
        }
    }

    private CrashTestFailure fail(int cycle, List<Damage> damages, String what) {
        return new CrashTestFailure("crashtest corruption FAILED: seed " + o.seed() + ", cycle " + cycle + ", mode "
                + mode
                + ", " + shards + " shards, " + compression + ", reclaim threshold " + reclaimThreshold
                + "\n  damage: " + (damages == null ? "-" : damages) + "\n  " + what
                + "\n  damaged store as opened: " + base.resolve("last-input") + " (intact original: " + pristine + ")"
                + "\n  child logs: " + base.resolve("logs")
                + "\n  replay the run: " + o.replayCommand(cycle + 1));
    }

    private static String rest(String[] w, int from) {
        return from >= w.length ? "" : String.join(" ", java.util.Arrays.copyOfRange(w, from, w.length));
    }
}
