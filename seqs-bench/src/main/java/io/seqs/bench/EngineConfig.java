package io.seqs.bench;

import io.seqs.Compression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to open one engine, the same way in the harness and in the recovery child
 * (which receives it as {@code key=value} arguments).
 */
record EngineConfig(
        String name,
        Path dir,
        Options.DurabilityClass durability,
        long expectedKeys,
        long seqsSegmentBytes,
        int seqsShards,
        long seqsCheckpointSeconds,
        long rocksCacheBytes,
        String rocksCompression,
        long lmdbMapBytes) {

    Engine open() {
        return switch (name) {
            case "seqs", "seqs-lz4" ->
                new SeqsEngine(
                        name,
                        dir,
                        durability,
                        expectedKeys,
                        seqsSegmentBytes,
                        seqsShards,
                        seqsCheckpointSeconds,
                        name.equals("seqs-lz4") ? Compression.LZ4 : Compression.NONE);
            case "lmdb" -> new LmdbEngine(dir, durability, lmdbMapBytes);
            default ->
                new RocksEngine(RocksEngine.Variant.of(name), dir, durability, rocksCacheBytes, rocksCompression);
        };
    }

    EngineConfig withDir(Path other) {
        return with(other, expectedKeys);
    }

    /** Loads the engine's native library, if it has one (its class's initializer does). */
    void loadNativeLibrary() throws ClassNotFoundException {
        String engineClass = switch (name) {
            case "seqs", "seqs-lz4" -> SeqsEngine.class.getName();
            case "lmdb" -> LmdbEngine.class.getName();
            default -> RocksEngine.class.getName();
        };
        Class.forName(engineClass, true, EngineConfig.class.getClassLoader());
    }

    EngineConfig withExpectedKeys(long keys) {
        return with(dir, keys);
    }

    /** This configuration with another directory and expected key count. */
    private EngineConfig with(Path otherDir, long keys) {
        return new EngineConfig(
                name,
                otherDir,
                durability,
                keys,
                seqsSegmentBytes,
                seqsShards,
                seqsCheckpointSeconds,
                rocksCacheBytes,
                rocksCompression,
                lmdbMapBytes);
    }

    List<String> toArgs() {
        List<String> a = new ArrayList<>();
        a.add("engine=" + name);
        a.add("dir=" + dir.toAbsolutePath());
        a.add("durability=" + durability.name());
        a.add("expectedKeys=" + expectedKeys);
        a.add("segmentBytes=" + seqsSegmentBytes);
        a.add("shards=" + seqsShards);
        a.add("checkpointSeconds=" + seqsCheckpointSeconds);
        a.add("cacheBytes=" + rocksCacheBytes);
        a.add("compression=" + rocksCompression);
        a.add("mapBytes=" + lmdbMapBytes);
        return a;
    }

    static Map<String, String> parseArgs(String[] args, int from) {
        Map<String, String> m = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, was '" + args[i] + "'");
            }
            m.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return m;
    }

    static EngineConfig fromArgs(Map<String, String> m) {
        return new EngineConfig(
                required(m, "engine"),
                Path.of(required(m, "dir")),
                Options.DurabilityClass.valueOf(required(m, "durability")),
                Long.parseLong(required(m, "expectedKeys")),
                Long.parseLong(required(m, "segmentBytes")),
                Integer.parseInt(required(m, "shards")),
                Long.parseLong(required(m, "checkpointSeconds")),
                Long.parseLong(required(m, "cacheBytes")),
                required(m, "compression"),
                Long.parseLong(required(m, "mapBytes")));
    }

    private static String required(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing argument " + key + "=...");
        }
        return v;
    }
}
