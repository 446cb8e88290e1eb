package io.seqs.crashtest;

import static io.seqs.crashtest.Values.ABSENT;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the store may hold, per key, given every line a writer child printed. A state is a version
 * or {@link Values#ABSENT}; the model keeps sets of states because some outcomes are legitimately
 * open: an operation in flight when the process died, or one that overlapped a concurrent
 * {@code resetEpoch()}.
 *
 * <ul>
 *   <li>{@code now[k]}: the states k may have at this instant. A kill (SIGKILL) must leave one of
 *       them, or the result of k's operation in flight.
 *   <li>{@code disk[k]}: the states a power loss may leave: the state at the last durability
 *       point (a returned {@code flush()}, {@code close()} or {@code resetEpoch()}; under SYNC also
 *       each returned write of k) and every state written since, since any suffix of them may be
 *       lost.
 * </ul>
 *
 * Every check names the key, the states allowed and the state found.
 */
final class Model {
    /** One operation between its begin line and its acknowledgement. */
    static final class Op {
        final int thread;
        final long seq;
        final char kind;
        final int[] keys;
        final long[] results;
        /** It may have taken effect before or after a reset that ran concurrently. */
        boolean overlapsReset;

        Op(int thread, long seq, char kind, int[] keys, long[] results) {
            this.thread = thread;
            this.seq = seq;
            this.kind = kind;
            this.keys = keys;
            this.results = results;
        }

        boolean writes() {
            return kind == 'P' || kind == 'D' || kind == 'W';
        }

        /**
         * The operation of a writer's begin line, split into words:
         * {@code B thread seq kind [key value | key | key value key value ...]}.
         */
        static Op parse(String[] w) {
            int thread = Integer.parseInt(w[1]);
            long seq = Long.parseLong(w[2]);
            char kind = w[3].charAt(0);
            return switch (kind) {
                case 'P' ->
                    new Op(thread, seq, kind, new int[] {Integer.parseInt(w[4])}, new long[] {Long.parseLong(w[5])});
                case 'D', 'G' ->
                    new Op(thread, seq, kind, new int[] {Integer.parseInt(w[4])}, new long[] {Values.ABSENT});
                case 'W' -> {
                    int n = (w.length - 4) / 2;
                    int[] ks = new int[n];
                    long[] vs = new long[n];
                    for (int i = 0; i < n; i++) {
                        ks[i] = Integer.parseInt(w[4 + 2 * i]);
                        vs[i] = Long.parseLong(w[5 + 2 * i]);
                    }
                    yield new Op(thread, seq, kind, ks, vs);
                }
                default -> new Op(thread, seq, kind, new int[0], new long[0]);
            };
        }
    }

    private final int keys;
    private final List<Set<Long>> now = new ArrayList<>();
    private final List<Set<Long>> disk = new ArrayList<>();
    private final List<Set<Long>> ever = new ArrayList<>();
    private final Map<Integer, Op> inflight = new HashMap<>();
    private long epoch = 1;
    private boolean resetInFlight;
    /** During a reset: per key, the results of the operations that overlapped it. */
    private List<Set<Long>> window;

    private boolean[] touchedInWindow;

    long ackedWrites;
    long keysChecked;
    /** Keys found in a state the contract does not allow (a run stops at the first such check). */
    long lost;

    long inflightSurvived;
    long inflightLost;
    /** Keys whose acknowledged but not yet durable state a power loss took away, as it may. */
    long unsyncedLost;

    Model(int keys) {
        this.keys = keys;
        for (int k = 0; k < keys; k++) {
            now.add(set(ABSENT));
            disk.add(set(ABSENT));
            ever.add(new HashSet<>());
        }
    }

    long epoch() {
        return epoch;
    }

    /** The operation thread {@code thread} has in flight, or null. */
    Op inflight(int thread) {
        return inflight.get(thread);
    }

    /** Every version ever written to key {@code k}. */
    Set<Long> everWritten(int k) {
        return ever.get(k);
    }

    /** The state of k when nothing is in doubt, for tools that need one answer. */
    long single(int k) {
        Set<Long> s = now.get(k);
        if (s.size() != 1) {
            throw new IllegalStateException("key " + k + " is one of " + s);
        }
        return s.iterator().next();
    }

    // ------------------------------------------------------------------ while the child runs

    void begin(Op op) {
        Op previous = inflight.put(op.thread, op);
        if (previous != null) {
            throw new IllegalStateException(
                    "thread " + op.thread + " began op " + op.seq + " while op " + previous.seq + " was in flight");
        }
        if (op.kind == 'R') {
            resetInFlight = true;
            window = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                window.add(new HashSet<>());
            }
            touchedInWindow = new boolean[keys];
            for (Op other : inflight.values()) {
                if (other != op) {
                    other.overlapsReset = true;
                    addToWindow(other);
                }
            }
            return;
        }
        if (resetInFlight) {
            op.overlapsReset = true;
            addToWindow(op);
        }
        if (op.writes()) {
            for (int i = 0; i < op.keys.length; i++) {
                disk.get(op.keys[i]).add(op.results[i]);
                if (op.results[i] != ABSENT) {
                    ever.get(op.keys[i]).add(op.results[i]);
                }
            }
        }
    }

    private void addToWindow(Op op) {
        if (op.writes()) {
            for (int i = 0; i < op.keys.length; i++) {
                window.get(op.keys[i]).add(op.results[i]);
            }
        }
    }

    /**
     * Applies an acknowledgement.
     *
     * @param result what the child printed after the sequence number (may be empty)
     * @param sync whether the store runs in SYNC mode, where a returned write is durable
     * @return a failure description, or null
     */
    String ack(int thread, long seq, String result, boolean sync) {
        Op op = inflight.remove(thread);
        if (op == null || op.seq != seq) {
            return "acknowledgement of thread " + thread + " op " + seq + " without its begin line";
        }
        switch (op.kind) {
            case 'P', 'W' -> {
                ackedWrites += op.keys.length;
                for (int i = 0; i < op.keys.length; i++) {
                    settle(op, op.keys[i], op.results[i]);
                    if (sync) {
                        disk.set(op.keys[i], new HashSet<>(now.get(op.keys[i])));
                    }
                }
            }
            case 'D' -> {
                ackedWrites++;
                int k = op.keys[0];
                boolean removed = result.trim().equals("1");
                Set<Long> before = now.get(k);
                if (!op.overlapsReset) {
                    boolean couldRemove = before.stream().anyMatch(v -> v != ABSENT);
                    boolean couldMiss = before.contains(ABSENT);
                    if (removed && !couldRemove || !removed && !couldMiss) {
                        return "key " + k + ": delete returned " + removed + " but the key's state was one of "
                                + show(before);
                    }
                }
                settle(op, k, ABSENT);
                if (sync && removed) {
                    disk.set(k, new HashSet<>(now.get(k)));
                }
            }
            case 'G' -> {
                int k = op.keys[0];
                String r = result.trim();
                if (r.startsWith("X")) {
                    return "key " + k + ": get returned bytes that are not an intact value of the key: "
                            + r.substring(1).trim();
                }
                long seen = Long.parseLong(r);
                if (!op.overlapsReset && !now.get(k).contains(seen)) {
                    return "key " + k + ": get returned " + show(seen) + ", expected one of " + show(now.get(k));
                }
                settle(op, k, seen);
            }
            case 'F' -> makeEverythingDurable();
            case 'C' -> {
                // a checkpoint promises nothing about durability beyond what flush() promises
            }
            case 'R' -> {
                long next = Long.parseLong(result.trim());
                if (next != epoch + 1) {
                    return "resetEpoch() moved the epoch from " + epoch + " to " + next;
                }
                epoch = next;
                for (int k = 0; k < keys; k++) {
                    if (touchedInWindow[k]) {
                        now.get(k).add(ABSENT);
                    } else {
                        now.set(k, set(ABSENT));
                    }
                }
                resetInFlight = false;
                window = null;
                touchedInWindow = null;
                makeEverythingDurable(); // the reset committed its manifest with a directory fsync
            }
            case 'Q' -> {
                // checked by the runner against the dump printed inside the operation
            }
            default -> throw new IllegalStateException("op " + op.kind);
        }
        return null;
    }

    /** Key k took state {@code state} by an acknowledged operation. */
    private void settle(Op op, int k, long state) {
        if (op.overlapsReset && resetInFlight) {
            now.set(k, set(state));
            touchedInWindow[k] = true;
        } else if (op.overlapsReset) {
            now.set(k, set(state, ABSENT)); // before the reset (erased) or after it
        } else {
            now.set(k, set(state));
        }
    }

    /** flush(), close() or a reset returned: what may be current now is what a power loss may leave. */
    void makeEverythingDurable() {
        for (int k = 0; k < keys; k++) {
            disk.set(k, new HashSet<>(now.get(k)));
        }
        for (Op op : inflight.values()) {
            if (op.writes()) {
                for (int i = 0; i < op.keys.length; i++) {
                    disk.get(op.keys[i]).add(op.results[i]);
                }
            }
        }
    }

    /**
     * Checks the dump printed inside a close-and-reopen against the current states: a clean close
     * loses nothing, so every key must hold one of them. Collapses each key to what was found.
     */
    List<String> checkReopen(Map<Integer, Long> dump) {
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            long seen = dump.getOrDefault(k, ABSENT);
            keysChecked++;
            if (!now.get(k).contains(seen)) {
                failures.add(describe(k, seen, now.get(k), "after close() and reopen"));
            } else {
                now.set(k, set(seen));
            }
        }
        return failures;
    }

    // ------------------------------------------------------------------ after a crash

    /**
     * Checks a store reopened after the child died.
     *
     * @param seenEpoch the epoch the reopened store reports
     * @param dump key to the state found (absent keys may be missing from the map)
     * @param powerLoss whether unsynced data may have been lost since the last check
     * @return failure descriptions; empty when the store is in an allowed state
     */
    List<String> checkAfterCrash(long seenEpoch, Map<Integer, Long> dump, boolean powerLoss) {
        List<String> failures = new ArrayList<>();
        boolean resetTookEffect = resetInFlight && seenEpoch == epoch + 1;
        if (seenEpoch != epoch && !resetTookEffect) {
            failures.add("store reopened in epoch " + seenEpoch + ", expected " + epoch
                    + (resetInFlight ? " or " + (epoch + 1) + " (a reset was in flight)" : ""));
            return failures;
        }
        Map<Integer, Set<Long>> inflightResults = new HashMap<>();
        for (Op op : inflight.values()) {
            if (op.writes()) {
                for (int i = 0; i < op.keys.length; i++) {
                    inflightResults
                            .computeIfAbsent(op.keys[i], x -> new HashSet<>())
                            .add(op.results[i]);
                }
            }
        }
        for (int k = 0; k < keys; k++) {
            Set<Long> allowed;
            if (resetTookEffect) {
                allowed = set(ABSENT);
                allowed.addAll(window.get(k));
            } else if (powerLoss) {
                allowed = new HashSet<>(disk.get(k));
            } else {
                allowed = new HashSet<>(now.get(k));
                allowed.addAll(inflightResults.getOrDefault(k, Set.of()));
            }
            long seen = dump.getOrDefault(k, ABSENT);
            keysChecked++;
            if (!allowed.contains(seen)) {
                failures.add(describe(k, seen, allowed, powerLoss ? "after a power loss" : "after a kill"));
                continue;
            }
            if (powerLoss && !resetTookEffect && !now.get(k).contains(seen)) {
                unsyncedLost++;
            }
            Set<Long> pending = inflightResults.get(k);
            if (pending != null && !now.get(k).containsAll(pending)) {
                if (pending.contains(seen) && !now.get(k).contains(seen)) {
                    inflightSurvived++;
                } else {
                    inflightLost++;
                }
            }
            now.set(k, set(seen));
            if (powerLoss) {
                disk.set(k, set(seen));
            } else if (resetTookEffect) {
                disk.set(k, set(ABSENT, seen));
            } else {
                disk.get(k).add(seen);
            }
        }
        epoch = seenEpoch;
        inflight.clear();
        resetInFlight = false;
        window = null;
        touchedInWindow = null;
        return failures;
    }

    private String describe(int k, long seen, Set<Long> allowed, String when) {
        String what;
        if (seen != ABSENT && !ever.get(k).contains(seen)) {
            what = "INVENTED (a version never written to this key)";
        } else if (seen == ABSENT) {
            what = "LOST (the key is missing)";
        } else if (allowed.equals(Set.of(ABSENT))) {
            what = "RESURRECTED (a deleted or reset key came back)";
        } else {
            what = "LOST (an older value came back)";
        }
        return "key " + k + " " + when + ": " + what + ": found " + show(seen) + ", expected one of " + show(allowed);
    }

    static String show(long state) {
        if (state == ABSENT) {
            return "absent";
        }
        return "v" + (state >>> 32) + "." + Long.toHexString(state & 0xffff_ffffL);
    }

    static String show(Set<Long> states) {
        List<String> out = new ArrayList<>();
        for (long s : new TreeSet<>(states)) {
            out.add(show(s));
        }
        return out.toString();
    }

    private static Set<Long> set(long... states) {
        Set<Long> s = new HashSet<>();
        for (long v : states) {
            s.add(v);
        }
        return s;
    }
}
