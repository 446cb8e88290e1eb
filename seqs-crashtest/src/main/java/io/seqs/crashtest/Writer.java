package io.seqs.crashtest;

import io.seqs.Seqs;
import io.seqs.SeqsStats;
import io.seqs.ShardStats;
import io.seqs.WriteBatch;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * The child JVM of every crash test: opens the store, reports what it finds, then does random
 * operations and reports each one, until the parent kills it or it ends as its
 * {@link ChildPlan} says. One line per event on stdout:
 *
 * <pre>
 *  O epoch openNanos droppedRecords droppedBytes droppedSegments keys     store opened
 *  O! class message                                                       open threw
 *  V key version | X key reason | E key class message                     dump: a value, a bad value, a get that threw
 *  D                                                                      dump complete (then waits for "go")
 *  B thread seq op args...                                                an operation begins (written before it
 * starts)
 *  A thread seq [result]                                                  it completed
 *  Z                                                                      store closed
 *  F dir name/id ...                                                      the store forced dir, which now holds these
 * entries
 *  P file                                                                 the store forced file (waits for "go")
 *  ! thread seq class message                                             an operation threw: the child halts with 3
 * </pre>
 *
 * Ops: {@code P key version} put, {@code D key} delete (result 1/0), {@code G key} get (result
 * version or -1), {@code W key version|-1 ...} batch, {@code F} flush, {@code C} checkpoint,
 * {@code R} reset (result: the new epoch), {@code Q} close and reopen (O and V lines inside).
 *
 * <p>A begin line is flushed to the pipe before the operation starts, so the parent always
 * knows every operation that may have reached the store; an acknowledgement may be lost with the
 * process, which only makes the operation "in flight". Key {@code k} is only ever written by
 * thread {@code k % threads}, so per key the order of lines is the order of operations.
 */
public final class Writer {
    private final ChildPlan plan;
    private final PrintStream out =
            new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.US_ASCII);
    private final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    /** Close-and-reopen takes it exclusively, so that no operation sees the store change under it. */
    private final ReentrantReadWriteLock quiesce = new ReentrantReadWriteLock();
    /** One pause at a time: stdin is read by whoever holds it. */
    private final Object pauseLock = new Object();

    private final Path root;
    private final Path storeDir;
    private volatile Seqs store;

    private Writer(ChildPlan plan) {
        this.plan = plan;
        this.root = Path.of(plan.dir()).toAbsolutePath();
        this.storeDir = plan.trace() ? TracingFileSystem.wrap(root, new Reporter()) : root;
    }

    public static void main(String[] args) throws Exception {
        ChildPlan plan = ChildPlan.parse(args);
        new Writer(plan).run();
    }

    private void run() throws Exception {
        if (!open()) {
            out.flush();
            System.exit(0);
        }
        dump();
        line("D");
        awaitGo();
        switch (plan.afterDump()) {
            case "halt" -> {
                out.flush();
                Runtime.getRuntime().halt(0);
            }
            case "close" -> {
                store.close();
                line("Z");
                awaitGo();
            }
            case "post" -> post();
            case "run" -> runThreads();
            default -> throw new IllegalArgumentException("afterDump " + plan.afterDump());
        }
        out.flush();
        System.exit(0);
    }

    // ------------------------------------------------------------------ open and dump

    private boolean open() {
        try {
            var b = Seqs.builder(storeDir)
                    .durability(plan.mode())
                    .shards(plan.shards())
                    .segmentSize(64 << 10)
                    .flushInterval(Duration.ofMillis(plan.flushMs()))
                    .checkpointInterval(Duration.ofMillis(plan.checkpointMs()))
                    .compression(plan.compression())
                    .reclaimThreshold(plan.reclaimThreshold());
            store = b.open();
        } catch (Throwable t) {
            t.printStackTrace();
            line("O! " + t.getClass().getName() + " " + oneLine(t.getMessage()));
            return false;
        }
        SeqsStats s = store.stats();
        long droppedSegments = 0;
        for (ShardStats sh : s.shards()) {
            droppedSegments += sh.recoveryDroppedSegments();
        }
        line("O " + s.epoch() + " " + s.openNanos() + " " + s.recoveryDroppedRecords() + " " + s.recoveryDroppedBytes()
                + " " + droppedSegments + " " + s.keys());
        return true;
    }

    private void dump() {
        for (int k = 0; k < plan.keys(); k++) {
            line(describeGet(k));
        }
    }

    /** The dump line for key {@code k}: V, X or E, or nothing when the key is absent. */
    private String describeGet(int k) {
        byte[] v;
        try {
            v = store.get(Values.key(k));
        } catch (Throwable t) {
            return "E " + k + " " + t.getClass().getName() + " " + oneLine(t.getMessage());
        }
        if (v == null) {
            return "V " + k + " " + Values.ABSENT;
        }
        try {
            return "V " + k + " " + Values.versionOf(k, v);
        } catch (IllegalArgumentException e) {
            return "X " + k + " " + oneLine(e.getMessage());
        }
    }

    // ------------------------------------------------------------------ after corruption

    /**
     * A few writes on the recovered store, then either flush and halt (plan end "flush-halt"),
     * or close and reopen three times and dump again: recovery must leave a working store. The
     * reopens also move the store's generation on, as a store opened again and again would.
     */
    private void post() {
        // a cycle may run two such children (closing and halting): their versions must differ
        long salt = plan.end().equals("flush-halt") ? 1 : 0;
        SplittableRandom rnd = new SplittableRandom(plan.seed() * 31 + plan.cycle() * 2L + salt);
        long version = plan.versionBase(0) + (salt << 25);
        for (int i = 0; i < Math.max(1, plan.ops()); i++) {
            int k = rnd.nextInt(plan.keys());
            try {
                if (rnd.nextInt(5) == 0) {
                    line("B 0 " + i + " D " + k);
                    boolean removed = store.delete(Values.key(k));
                    line("A 0 " + i + " " + (removed ? 1 : 0));
                } else {
                    long v = ++version;
                    line("B 0 " + i + " P " + k + " " + v);
                    store.put(Values.key(k), Values.value(k, v, Values.length(rnd, false)));
                    line("A 0 " + i);
                }
            } catch (Throwable t) {
                fail(0, i, t);
            }
        }
        if (plan.end().equals("flush-halt")) {
            begin("B 0 " + plan.ops() + " F");
            store.flush();
            line("A 0 " + plan.ops());
            out.flush();
            Runtime.getRuntime().halt(0);
        }
        store.close();
        line("Z");
        for (int reopen = 0; reopen < 3; reopen++) {
            if (!open()) {
                return;
            }
            if (reopen < 2) {
                // each session writes, so that its close leaves a checkpoint of its generation
                int k = rnd.nextInt(plan.keys());
                long v = ++version;
                long seq = plan.ops() + reopen;
                begin("B 0 " + seq + " P " + k + " " + v);
                store.put(Values.key(k), Values.value(k, v, Values.length(rnd, false)));
                line("A 0 " + seq);
                store.close();
                line("Z");
            }
        }
        dump();
        line("D");
        store.close();
        line("Z");
    }

    // ------------------------------------------------------------------ random operations

    private void runThreads() throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < plan.threads(); t++) {
            int id = t;
            Thread th = new Thread(() -> work(id), "writer-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        switch (plan.end()) {
            case "close" -> {
                store.close();
                line("Z");
                awaitGoIf(!plan.lockstep().equals("none"));
            }
            case "flush-halt" -> {
                begin("B 0 " + plan.ops() + " F");
                store.flush();
                line("A 0 " + plan.ops());
                awaitGoIf(!plan.lockstep().equals("none"));
                out.flush();
                Runtime.getRuntime().halt(0);
            }
            default -> throw new IllegalArgumentException("end " + plan.end());
        }
    }

    private void work(int thread) {
        SplittableRandom rnd = new SplittableRandom((plan.seed() * 1_000_003L + plan.cycle()) * 31 + thread);
        long version = plan.versionBase(thread);
        int owned = (plan.keys() - thread + plan.threads() - 1) / plan.threads();
        boolean writesLockstep = plan.lockstep().equals("writes");
        boolean barriersLockstep = !plan.lockstep().equals("none");
        for (long seq = 0; plan.ops() == 0 || seq < plan.ops(); seq++) {
            int p = rnd.nextInt(1000);
            int k = thread + plan.threads() * rnd.nextInt(owned);
            boolean barrier = false;
            boolean write = false;
            try {
                if (thread == 0 && (p -= plan.flushPer1000()) < 0) {
                    locked(false, thread, seq, "F", () -> {
                        store.flush();
                        return "";
                    });
                    barrier = true;
                } else if (thread == 0 && (p -= plan.checkpointPer1000()) < 0) {
                    locked(false, thread, seq, "C", () -> {
                        store.checkpoint();
                        return "";
                    });
                    barrier = true;
                } else if (thread == 0 && (p -= plan.resetPer1000()) < 0) {
                    locked(false, thread, seq, "R", () -> {
                        store.resetEpoch();
                        return " " + store.epoch();
                    });
                    barrier = true;
                } else if (thread == 0 && (p -= plan.reopenPer1000()) < 0) {
                    reopen(thread, seq);
                    barrier = true;
                } else if ((p -= 150) < 0) {
                    locked(false, thread, seq, "D " + k, () -> store.delete(Values.key(k)) ? " 1" : " 0");
                    write = true;
                } else if ((p -= 150) < 0) {
                    locked(false, thread, seq, "G " + k, () -> {
                        byte[] v = store.get(Values.key(k));
                        if (v == null) {
                            return " " + Values.ABSENT;
                        }
                        try {
                            return " " + Values.versionOf(k, v);
                        } catch (IllegalArgumentException e) {
                            return " X " + oneLine(e.getMessage());
                        }
                    });
                } else if ((p -= 60) < 0) {
                    WriteBatch batch = new WriteBatch();
                    StringBuilder desc = new StringBuilder("W");
                    int n = 2 + rnd.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        int bk = thread + plan.threads() * rnd.nextInt(owned);
                        if (rnd.nextInt(4) == 0) {
                            batch.delete(Values.key(bk));
                            desc.append(' ').append(bk).append(' ').append(Values.ABSENT);
                        } else {
                            long v = ++version;
                            batch.put(Values.key(bk), Values.value(bk, v, Values.length(rnd, plan.huge())));
                            desc.append(' ').append(bk).append(' ').append(v);
                        }
                    }
                    locked(false, thread, seq, desc.toString(), () -> {
                        store.write(batch);
                        return "";
                    });
                    write = true;
                } else {
                    long v = ++version;
                    byte[] value = Values.value(k, v, Values.length(rnd, plan.huge()));
                    locked(false, thread, seq, "P " + k + " " + v, () -> {
                        store.put(Values.key(k), value);
                        return "";
                    });
                    write = true;
                }
            } catch (Throwable t) {
                fail(thread, seq, t);
            }
            if (barrier && barriersLockstep || write && writesLockstep) {
                awaitGo();
            }
        }
    }

    private interface Op {
        String run() throws Exception;
    }

    /** Runs an operation between its begin and acknowledgement lines. */
    private void locked(boolean exclusive, int thread, long seq, String desc, Op op) throws Exception {
        var l = exclusive ? quiesce.writeLock() : quiesce.readLock();
        l.lock();
        try {
            begin("B " + thread + " " + seq + " " + desc);
            String result = op.run();
            line("A " + thread + " " + seq + result);
        } finally {
            l.unlock();
        }
    }

    private void reopen(int thread, long seq) throws Exception {
        locked(true, thread, seq, "Q", () -> {
            store.close();
            line("Z");
            if (!open()) {
                out.flush();
                Runtime.getRuntime().halt(0);
            }
            dump();
            return "";
        });
    }

    private void fail(int thread, long seq, Throwable t) {
        t.printStackTrace();
        line("! " + thread + " " + seq + " " + t.getClass().getName() + " " + oneLine(t.getMessage()));
        out.flush();
        Runtime.getRuntime().halt(3);
    }

    // ------------------------------------------------------------------ output and pauses

    private void line(String s) {
        synchronized (out) {
            out.print(s);
            out.print('\n');
        }
    }

    /** A begin line must be in the pipe before the operation can touch the store. */
    private void begin(String s) {
        synchronized (out) {
            out.print(s);
            out.print('\n');
            out.flush();
        }
    }

    private void awaitGoIf(boolean wait) {
        if (wait) {
            awaitGo();
        }
    }

    /** Waits until the parent has looked at the store (and copied it, when it models power loss). */
    private void awaitGo() {
        synchronized (pauseLock) {
            synchronized (out) {
                out.print("W\n");
                out.flush();
            }
            try {
                String reply = in.readLine();
                if (reply == null) {
                    Runtime.getRuntime().halt(4); // the parent is gone
                }
            } catch (IOException e) {
                Runtime.getRuntime().halt(4);
            }
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** Reports the store's forces: directory listings as they are durable now, and a pause per forced file. */
    private final class Reporter implements SyncListener {
        /**
         * Lists the directory after its force and prints the listing. Listing and printing are one
         * step under the output's lock: two threads may force one directory at once (the group
         * commit, and reclamation writing a marker), and a listing taken earlier but printed
         * later would tell the parent that entries the later force made durable are not.
         */
        @Override
        public void directorySynced(Path realDir) {
            if (outside(realDir)) {
                return; // e.g. the store directory's own parent: the model takes the store directory as given
            }
            synchronized (out) {
                StringBuilder b = new StringBuilder("F ").append(relative(realDir));
                try (Stream<Path> entries = Files.list(realDir)) {
                    for (Path p : (Iterable<Path>) entries::iterator) {
                        String id = FileIds.of(p);
                        if (id != null) {
                            b.append(' ').append(p.getFileName()).append('/').append(id);
                        }
                    }
                } catch (IOException e) {
                    return; // the directory went away meanwhile (an epoch being dropped): nothing became durable in it
                }
                begin(b.toString());
            }
        }

        @Override
        public void fileSynced(Path realFile) {
            if (outside(realFile)) {
                return;
            }
            synchronized (pauseLock) {
                begin("P " + relative(realFile));
                try {
                    if (in.readLine() == null) {
                        Runtime.getRuntime().halt(4);
                    }
                } catch (IOException e) {
                    Runtime.getRuntime().halt(4);
                }
            }
        }

        private boolean outside(Path p) {
            return !p.toAbsolutePath().normalize().startsWith(root)
                    || p.toAbsolutePath().normalize().equals(root.getParent());
        }

        private String relative(Path p) {
            String r = root.relativize(p.toAbsolutePath()).toString();
            return r.isEmpty() ? "." : r;
        }
    }
}
