package io.seqs.crashtest;

import io.seqs.Compression;
import io.seqs.Durability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The kill, power-loss and failpoint loops. One store lives through the whole run; each cycle
 * starts a writer JVM on it, which first reopens (recovers) the store and dumps every key so the
 * parent can check the previous crash, then writes until it dies: killed at a random moment,
 * halted at a failpoint, or ending by itself. For {@link Kind#POWER} and most failpoint cycles
 * the parent then throws away what a power loss could throw away ({@link DiskModel}).
 *
 * <p>Recovering an already-recovered store comes for free: every cycle's writer recovers the
 * previous writer's crash, and some writers are killed during their own recovery or halt right
 * after it.
 */
final class CrashLoop {
    static final List<String> FAILPOINTS = List.of(
            "manifest.before-rename",
            "manifest.before-directory-sync",
            "reset.after-new-epoch",
            "reset.after-retire",
            "reset.after-commit",
            "reset.before-delete-old",
            "checkpoint.after-log-sync",
            "checkpoint.before-force",
            "checkpoint.before-rename",
            "checkpoint.before-directory-sync",
            "checkpoint.before-prune",
            "segment.after-create",
            "segment.after-reserve",
            "reclaim.after-copy",
            "reclaim.after-checkpoint",
            "reclaim.marker.before-rename",
            "reclaim.marker.before-directory-sync",
            "reclaim.before-delete");
    /** A running writer that prints nothing for this long is stuck (its slowest operations take a fraction of it). */
    private static final long STALL_NANOS = 5_000_000_000L;
    /** A child that prints nothing for this long is hung. */
    private static final long SILENCE_NANOS = 120_000_000_000L;

    private final Options o;
    private final Path base;
    private final Path store;
    private final int shards;
    private final int keys;
    private final Model model;
    private final DiskModel disk;
    private final Figures figures;
    /** A power loss happened since the store was last checked. */
    private boolean powerLossPending;
    /** Reclaimed-segment markers seen after the previous cycle: a new one means a cycle reclaimed a segment. */
    private final Set<String> markersSeen = new HashSet<>();

    CrashLoop(Options o) throws IOException {
        this.o = o;
        this.base = o.workDir().resolve(o.kind().name().toLowerCase() + "-" + o.seed());
        this.store = base.resolve("store");
        FileTrees.delete(base);
        Files.createDirectories(store);
        SplittableRandom rnd = new SplittableRandom(o.seed());
        this.shards = o.kind() == Kind.KILL ? 1 << (1 + rnd.nextInt(3)) : 1 << rnd.nextInt(3);
        this.keys = o.kind() == Kind.KILL ? 1000 : 400;
        this.model = new Model(keys);
        this.disk = o.kind() == Kind.KILL ? null : new DiskModel(store);
        if (disk != null) {
            disk.assumeAllDurable();
        }
        this.figures = new Figures(o.kind(), o.seed());
    }

    Figures figures() {
        return figures;
    }

    Model model() {
        return model;
    }

    DiskModel disk() {
        return disk;
    }

    /**
     * Runs the cycles, then reopens twice: once to check the last crash, once to check that a clean close lost nothing.
     */
    Figures run() throws Exception {
        long deadline = System.nanoTime() + o.budget().toNanos();
        int c = 0;
        while (c < o.cycles() && System.nanoTime() < deadline) {
            runCycle(c, false);
            c++;
            figures.cycles = c;
        }
        runCycle(c, true);
        runCycle(c + 1, true);
        FileTrees.delete(base);
        return figures;
    }

    // ------------------------------------------------------------------ one cycle

    /** What one cycle does; every choice comes from (seed, cycle). */
    private record CyclePlan(
            ChildPlan child, String failpoint, boolean early, long killAfterMillis, boolean powerLoss) {}

    // every choice of a cycle in one place, in the order it is drawn from the cycle's random stream
    @SuppressWarnings("checkstyle:MethodLength")
    private CyclePlan plan(int cycle, boolean finalCheck) {
        SplittableRandom rnd = new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + cycle);
        Durability mode = o.modes().get(cycle % o.modes().size());
        boolean power = o.kind() != Kind.KILL;
        int threads = power ? 1 : 1 + rnd.nextInt(3);
        int flushMs = pick(rnd, 2, 10, 50, 250, 1000);
        int checkpointMs = pick(rnd, 0, 0, 20, 100, 500);
        String afterDump = finalCheck ? "close" : rnd.nextInt(100) < 8 ? "halt" : "run";
        int ops = 0;
        String end = "close";
        if (rnd.nextInt(100) < 8) {
            ops = 50 + rnd.nextInt(250);
            end = rnd.nextBoolean() ? "close" : "flush-halt";
        }
        // fewer durability points under power loss, so that more acknowledged data is at stake
        int flush = power ? 10 : 25;
        int checkpoint = power ? 6 : 12;
        // A reset empties the store: a store reset every few hundred writes seldom holds a sealed
        // segment dead enough to reclaim, one never reset grows faster than reclamation (two
        // fsyncs per 64 KiB segment) shrinks it. Most cycles reset, some do not (and see below).
        int reset = pick(rnd, 0, 1, 3, 3);
        int reopen = 2;
        // LZ4 most of the time; reclamation mostly on, at thresholds from eager to lazy
        Compression compression = rnd.nextInt(4) == 0 ? Compression.NONE : Compression.LZ4;
        double reclaimThreshold = rnd.nextInt(5) == 0 ? 0 : (20 + rnd.nextInt(41)) / 100.0;
        String failpoint = null;
        if (o.kind() == Kind.FAILPOINT && !finalCheck) {
            String name = FAILPOINTS.get(cycle % FAILPOINTS.size());
            int n = 1;
            if (name.startsWith("manifest.")) {
                n = 1 + rnd.nextInt(3); // the first hit is the open itself, later ones resets and reopens
                reset = 40;
                reopen = 10;
            } else if (name.startsWith("reset.")) {
                n = 1 + rnd.nextInt(2);
                reset = 40;
            } else if (name.startsWith("checkpoint.")) {
                n = 1 + rnd.nextInt(2 * shards);
                checkpoint = 60;
            } else if (name.startsWith("reclaim.")) {
                // Reached once a sealed segment is dead enough: a low threshold and overwrites,
                // no resets (they leave nothing to reclaim) and no reopens (they restart the
                // background task). A batch passes after-copy and after-checkpoint once, the
                // other three once per segment; a batch may hold a single segment, and the next
                // one comes 250 ms later at the earliest.
                n = 1 + rnd.nextInt(2);
                reclaimThreshold = (15 + rnd.nextInt(11)) / 100.0;
                reset = 0;
                reopen = 0;
            } else {
                n = 1 + rnd.nextInt(6);
            }
            failpoint = name + "@" + n;
            afterDump = "run";
            ops = 0;
        }
        boolean early = failpoint == null && !finalCheck && rnd.nextInt(100) < 12;
        long killAfter =
                early ? 20 + rnd.nextInt(500) : rnd.nextInt(100) < 50 ? rnd.nextInt(300) : 300 + rnd.nextInt(1200);
        if (failpoint == null && !early && !finalCheck && reclaimThreshold > 0 && rnd.nextInt(4) == 0) {
            // A reclamation batch (copies, a checkpoint, then a marker and a deletion per segment)
            // starts 250 ms after the open and may take a second or more, and a reset cuts it
            // short: some writers live long enough, without resets, to be killed in its later steps.
            killAfter = 1500 + rnd.nextInt(2000);
            reset = 0;
        }
        String lockstep = !power ? "none" : mode == Durability.SYNC ? "writes" : "barriers";
        ChildPlan child = new ChildPlan(
                store.toString(),
                mode,
                shards,
                flushMs,
                checkpointMs,
                threads,
                keys,
                o.seed(),
                cycle,
                lockstep,
                power,
                afterDump,
                ops,
                end,
                flush,
                checkpoint,
                reset,
                reopen,
                true,
                compression,
                reclaimThreshold);
        if (failpoint != null) {
            killAfter = 6000; // the failpoint should halt it long before
        }
        boolean powerLoss = switch (o.kind()) {
            case POWER -> rnd.nextInt(100) < 70;
            case FAILPOINT -> rnd.nextBoolean();
            default -> false;
        };
        return new CyclePlan(child, failpoint, early, killAfter, powerLoss && !finalCheck);
    }

    /** Thrown when a writer JVM died before running anything of ours; the cycle is started again. */
    private static final class NotStarted extends Exception {
        NotStarted() {
            super(null, null, false, false);
        }
    }

    private void runCycle(int cycle, boolean finalCheck) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                runCycleOnce(cycle, finalCheck);
                return;
            } catch (NotStarted e) {
                if (attempt == 3) {
                    throw new CrashTestFailure("crashtest: the writer JVM of cycle " + cycle
                            + " could not load its classes three times; see "
                            + base.resolve("logs").resolve("cycle-" + cycle + ".log"));
                }
                Thread.sleep(2000);
            }
        }
    }

    private void runCycleOnce(int cycle, boolean finalCheck) throws Exception {
        CyclePlan p = plan(cycle, finalCheck);
        Path input = base.resolve("last-input");
        FileTrees.copy(store, input); // the store as this cycle's writer will find it, kept when it fails
        if (disk != null) {
            disk.prune();
        }
        Path log = base.resolve("logs").resolve("cycle-" + cycle + ".log");
        // every line the writer printed, kept for the cycle that failed and the one before it
        Path transcript = base.resolve("logs").resolve("cycle-" + cycle + ".out");
        Files.deleteIfExists(base.resolve("logs").resolve("cycle-" + (cycle - 2) + ".out"));
        CycleState s = new CycleState(cycle, p);
        long spawned = System.nanoTime();
        long killAt = p.early() ? spawned + p.killAfterMillis() * 1_000_000 : Long.MAX_VALUE;
        try (Child child = Child.start(p.child(), p.failpoint(), log);
                java.io.BufferedWriter out = Files.newBufferedWriter(transcript)) {
            s.child = child;
            s.transcript = out;
            long lastLine = System.nanoTime();
            while (true) {
                long now = System.nanoTime();
                if (!child.killed() && now >= killAt) {
                    if (s.goSent && now - lastLine > STALL_NANOS) {
                        // a writer stuck inside the store would otherwise just be killed on time
                        throw fail(
                                s,
                                "the writer printed nothing for " + (now - lastLine) / 1_000_000
                                        + " ms before its kill: an operation hangs");
                    }
                    child.kill();
                    figures.kills++;
                }
                long waitMs = child.killed() ? 30_000 : Math.max(1, Math.min(1000, (killAt - now) / 1_000_000 + 1));
                String line = child.poll(waitMs);
                if (line == null) {
                    if (child.killed() || System.nanoTime() - lastLine > SILENCE_NANOS) {
                        throw fail(
                                s,
                                "the writer printed nothing for " + (System.nanoTime() - lastLine) / 1_000_000_000
                                        + " s (hung)");
                    }
                    continue;
                }
                lastLine = System.nanoTime();
                if (line.equals(Child.EOF)) {
                    break;
                }
                boolean live = !child.killed();
                s.lines++;
                out.write(live ? line : "(after kill) " + line);
                out.newLine();
                handle(s, line, live);
                if (s.goSent && killAt == Long.MAX_VALUE && !finalCheck) {
                    killAt = System.nanoTime() + p.killAfterMillis() * 1_000_000;
                }
            }
            int exit = child.waitFor(30_000);
            if (!child.killed() && child.couldNotStart(exit, s.lines > 0)) {
                throw new NotStarted();
            }
            List<String> warnings = child.jvmWarnings();
            if (!warnings.isEmpty()) {
                throw fail(s, "the writer JVM printed warnings: " + warnings);
            }
            if (!child.killed()) {
                if (exit == 86 && p.failpoint() != null) {
                    figures.failpointsHit.merge(
                            p.failpoint().substring(0, p.failpoint().indexOf('@')), 1, Integer::sum);
                    figures.halts++;
                } else if (exit == 0 && s.closed) {
                    figures.cleanEnds++;
                } else if (exit == 0) {
                    figures.halts++; // halted on purpose after recovery or after a final flush
                } else {
                    throw fail(
                            s,
                            "the writer exited with code " + exit
                                    + " (a JVM crash or an unexpected error; see its log)");
                }
            } else if (p.failpoint() != null) {
                figures.failpointsMissed.merge(p.failpoint(), 1, Integer::sum);
            }
            if (finalCheck && !s.verified) {
                throw fail(s, "the final reopen did not complete");
            }
        }
        census(p.child());
        if (p.powerLoss()) {
            disk.powerLoss(new SplittableRandom(o.seed() * 31 + cycle));
            powerLossPending = true;
        }
        Files.deleteIfExists(log);
    }

    /** Counts what the cycle's writer did with compression and reclamation, from the files it left. */
    private void census(ChildPlan child) throws IOException {
        StoreCensus c = StoreCensus.of(store);
        figures.planned(child.compression(), child.reclaimThreshold());
        int fresh = 0;
        for (String m : c.markers) {
            if (!markersSeen.contains(m)) {
                fresh++;
            }
        }
        markersSeen.clear(); // a marker a reset or a power loss took away and that comes back is a new reclamation
        markersSeen.addAll(c.markers);
        figures.censused(c, fresh);
    }

    /** Everything a cycle's lines have told so far. */
    private static final class CycleState {
        final int cycle;
        final CyclePlan plan;
        Child child;
        java.io.Writer transcript;
        long lines;
        final Map<Integer, Long> dump = new HashMap<>();
        long openEpoch = -1;
        long openKeys = -1;
        boolean verified;
        boolean goSent;
        boolean closed;

        CycleState(int cycle, CyclePlan plan) {
            this.cycle = cycle;
            this.plan = plan;
        }
    }

    private void handle(CycleState s, String line, boolean live) {
        String[] w = line.split(" ");
        switch (w[0]) {
            case "O" -> {
                s.openEpoch = Long.parseLong(w[1]);
                s.openKeys = Long.parseLong(w[6]);
                s.dump.clear();
                figures.opened(Long.parseLong(w[2]), Long.parseLong(w[3]), Long.parseLong(w[4]), Long.parseLong(w[5]));
            }
            case "O!" -> throw fail(s, "open threw: " + line.substring(3));
            case "V" -> s.dump.put(Integer.parseInt(w[1]), Long.parseLong(w[2]));
            case "X" ->
                throw fail(
                        s,
                        "key " + w[1] + ": get returned bytes that are not an intact value of the key: " + rest(w, 2));
            case "E" -> throw fail(s, "key " + w[1] + ": get threw " + rest(w, 2));
            case "D" -> {
                check(
                        s,
                        model.checkAfterCrash(s.openEpoch, s.dump, powerLossPending),
                        "reopen after the previous crash");
                powerLossPending = false;
                s.verified = true;
                figures.verifications++;
            }
            case "W" -> {
                if (disk != null && s.verified && !s.goSent) {
                    disk.image(); // the store as recovery left it
                }
                if (live) {
                    s.child.go();
                    s.goSent = true;
                }
            }
            case "P" -> {
                if (live) {
                    disk.image();
                    s.child.go();
                }
            }
            case "F" -> {
                if (disk != null) {
                    disk.directorySynced(w[1], DiskModel.parseEntries(w, 2));
                }
            }
            case "B" -> {
                Model.Op op = Model.Op.parse(w);
                if (op.kind == 'Q') {
                    s.dump.clear();
                }
                model.begin(op);
            }
            case "A" -> {
                int thread = Integer.parseInt(w[1]);
                long seq = Long.parseLong(w[2]);
                Model.Op op = model.inflight(thread);
                if (op != null && op.kind == 'Q') {
                    check(s, model.checkReopen(s.dump), "close() and reopen inside the writer");
                    figures.verifications++;
                }
                boolean sync = s.plan.child().mode() == Durability.SYNC;
                String failure = model.ack(thread, seq, rest(w, 3), sync);
                if (failure != null) {
                    throw fail(s, failure);
                }
                if (disk != null && op != null && ("FCRQ".indexOf(op.kind) >= 0 || sync && op.writes())) {
                    // The model now requires more to survive a power loss: take the image now,
                    // not at the pause line that follows, which a kill may cut off. After a kill
                    // this images the store as the writer left it, which is as sound.
                    disk.image();
                }
            }
            case "Z" -> {
                model.makeEverythingDurable();
                s.closed = true;
                if (disk != null) {
                    disk.image();
                }
            }
            case "!" -> throw fail(s, "thread " + w[1] + " op " + w[2] + " threw " + rest(w, 3));
            default -> throw fail(s, "unexpected line from the writer: " + line);
        }
    }

    private void check(CycleState s, List<String> failures, String when) {
        if (failures.isEmpty()) {
            long present =
                    s.dump.values().stream().filter(v -> v != Values.ABSENT).count();
            if (s.openKeys >= 0 && present != s.openKeys) {
                throw fail(s, when + ": stats().keys() says " + s.openKeys + " keys, the dump found " + present);
            }
            return;
        }
        model.lost += failures.size();
        StringBuilder b = new StringBuilder(
                when + ": " + failures.size() + " keys in a state the durability contract does not allow");
        for (int i = 0; i < Math.min(20, failures.size()); i++) {
            b.append("\n    ").append(failures.get(i));
        }
        throw fail(s, b.toString());
    }

    private CrashTestFailure fail(CycleState s, String what) {
        if (s.child != null) {
            s.child.kill();
        }
        try {
            if (s.transcript != null) {
                s.transcript.flush();
            }
        } catch (IOException ignored) {
            // the message below is what matters
        }
        String msg = "crashtest " + o.kind().name().toLowerCase() + " FAILED: seed " + o.seed() + ", cycle " + s.cycle
                + ", mode " + s.plan.child().mode()
                + (s.plan.failpoint() != null ? ", failpoint " + s.plan.failpoint() : "")
                + (s.plan.powerLoss() ? ", power loss after this cycle" : "") + "\n  " + what
                + "\n  store as this cycle's writer found it: " + base.resolve("last-input")
                + "\n  writer log: " + (s.child != null ? s.child.log() : "-")
                + " (its output, and the previous cycle's: cycle-N.out beside it)"
                + "\n  writer command: " + (s.child != null ? s.child.commandLine() : "-")
                + "\n  replay the run: " + o.replayCommand(s.cycle + 1);
        return new CrashTestFailure(msg);
    }

    private static String rest(String[] w, int from) {
        return from >= w.length ? "" : String.join(" ", java.util.Arrays.copyOfRange(w, from, w.length));
    }

    private static int pick(SplittableRandom rnd, int... choices) {
        return choices[rnd.nextInt(choices.length)];
    }
}
