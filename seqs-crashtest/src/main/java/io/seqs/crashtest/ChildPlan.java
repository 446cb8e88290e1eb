package io.seqs.crashtest;

import io.seqs.Compression;
import io.seqs.Durability;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one child JVM does, passed on its command line as {@code name=value} words so that the
 * command printed for a failure is the whole story.
 *
 * @param dir store directory
 * @param mode durability the store is opened with
 * @param shards shard count (fixed when the store is created)
 * @param flushMs flush interval for PERIODIC
 * @param checkpointMs checkpoint interval, 0 for none
 * @param threads writer threads; key {@code k} belongs to thread {@code k % threads}
 * @param keys size of the key space
 * @param seed run seed
 * @param cycle cycle number; with the seed it fixes every random choice of the child
 * @param lockstep after which acknowledgements the child waits for the parent's "go": none,
 *     barriers (flush, checkpoint, reset, reopen, close) or writes (barriers and every write)
 * @param trace whether the store sees the directory through {@link TracingFileSystem}
 * @param afterDump run (random operations), halt (recovered, never closed), post (a few writes,
 *     close, reopen, dump again: used after corruption) or close
 * @param ops operations per thread before the child ends by itself; 0 for no limit
 * @param end how a child that ran out of operations ends: close, or flush-halt (flush, then halt
 *     without closing, leaving a log tail after the last checkpoint)
 * @param flushPer1000 share of flush() among thread 0's operations, per thousand
 * @param checkpointPer1000 share of checkpoint()
 * @param resetPer1000 share of resetEpoch()
 * @param reopenPer1000 share of close-and-reopen
 * @param huge whether values larger than a segment are written
 * @param compression how the store keeps the values this child writes (a store holds both kinds
 *     after cycles with different settings)
 * @param reclaimThreshold the store's reclaim threshold: 0 (no reclamation) or the dead fraction
 *     past which a sealed segment's live records are moved to the tail and the segment deleted
 */
record ChildPlan(
        String dir,
        Durability mode,
        int shards,
        int flushMs,
        int checkpointMs,
        int threads,
        int keys,
        long seed,
        int cycle,
        String lockstep,
        boolean trace,
        String afterDump,
        int ops,
        String end,
        int flushPer1000,
        int checkpointPer1000,
        int resetPer1000,
        int reopenPer1000,
        boolean huge,
        Compression compression,
        double reclaimThreshold) {

    List<String> toArgs() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dir", dir);
        m.put("mode", mode);
        m.put("shards", shards);
        m.put("flushMs", flushMs);
        m.put("checkpointMs", checkpointMs);
        m.put("threads", threads);
        m.put("keys", keys);
        m.put("seed", seed);
        m.put("cycle", cycle);
        m.put("lockstep", lockstep);
        m.put("trace", trace);
        m.put("afterDump", afterDump);
        m.put("ops", ops);
        m.put("end", end);
        m.put("flushPer1000", flushPer1000);
        m.put("checkpointPer1000", checkpointPer1000);
        m.put("resetPer1000", resetPer1000);
        m.put("reopenPer1000", reopenPer1000);
        m.put("huge", huge);
        m.put("compression", compression);
        m.put("reclaimThreshold", reclaimThreshold);
        List<String> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    static ChildPlan parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected name=value, got " + a);
            }
            m.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return new ChildPlan(
                m.get("dir"),
                Durability.valueOf(m.get("mode")),
                Integer.parseInt(m.get("shards")),
                Integer.parseInt(m.get("flushMs")),
                Integer.parseInt(m.get("checkpointMs")),
                Integer.parseInt(m.get("threads")),
                Integer.parseInt(m.get("keys")),
                Long.parseLong(m.get("seed")),
                Integer.parseInt(m.get("cycle")),
                m.get("lockstep"),
                Boolean.parseBoolean(m.get("trace")),
                m.get("afterDump"),
                Integer.parseInt(m.get("ops")),
                m.get("end"),
                Integer.parseInt(m.get("flushPer1000")),
                Integer.parseInt(m.get("checkpointPer1000")),
                Integer.parseInt(m.get("resetPer1000")),
                Integer.parseInt(m.get("reopenPer1000")),
                Boolean.parseBoolean(m.get("huge")),
                Compression.valueOf(m.get("compression")),
                Double.parseDouble(m.get("reclaimThreshold")));
    }

    /** Versions written in a cycle are unique in the run: the cycle in the high bits, the thread, a counter. */
    long versionBase(int thread) {
        return ((long) (cycle + 1) << 32) | ((long) thread << 26);
    }
}
