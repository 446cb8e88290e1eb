package io.seqs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI smoke test of the main job: runs the harness with {@code --quick} end to end (seqs,
 * RocksDB and LMDB, all four phases, the recovery child JVM, plots) and checks that results.json is
 * well-formed and carries every required figure with a sane value. It asserts nothing about speed.
 */
class QuickRunTest {
    private static final List<String> ENGINE_FIELDS = List.of(
            "ingest_records_per_s",
            "ingest_mb_s",
            "write_amplification",
            "get_p50_us",
            "get_p99_us",
            "get_p999_us",
            "update_records_per_s",
            "reset_ms",
            "recovery_ms",
            "disk_bytes",
            "index_bytes_per_key");

    @Test
    @Timeout(180)
    void quickRunWritesCompleteResults(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("results");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int code = Main.run(
                new String[] {"--quick", "--engines", "seqs,rocksdb,lmdb", "--out", out.toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8),
                new PrintStream(errors, true, StandardCharsets.UTF_8));
        String log = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, () -> "harness failed:\n" + errors.toString(StandardCharsets.UTF_8) + "\n" + log);
        assertTrue(log.contains("== summary"), log);
        assertFalse(log.contains("WARNING:"), () -> "a JVM warning was printed:\n" + log);

        Map<?, ?> root = assertInstanceOf(Map.class, MiniJson.parse(Files.readString(out.resolve("results.json"))));
        positive(root, "disk_write_mb_s");
        assertEquals(50_000.0, number(root, "records"));
        positive(root, "value_bytes_mean");

        Map<?, ?> engines = assertInstanceOf(Map.class, root.get("engines"));
        assertEquals(List.of("seqs", "rocksdb", "lmdb"), List.copyOf(engines.keySet()));
        for (Object name : engines.keySet()) {
            Map<?, ?> e = assertInstanceOf(Map.class, engines.get(name), name + " is not an object");
            for (String field : ENGINE_FIELDS) {
                assertTrue(e.containsKey(field), name + " lacks " + field);
                Object v = e.get(field);
                if (v != null) {
                    double d = assertInstanceOf(Double.class, v, name + "." + field + " is not a number");
                    assertTrue(d >= 0 && Double.isFinite(d), name + "." + field + " = " + d);
                }
            }
            for (String field : List.of(
                    "ingest_records_per_s", "ingest_mb_s", "update_records_per_s", "recovery_ms", "get_p99_us")) {
                positive(e, field);
            }
            assertTrue(number(e, "get_p50_us") <= number(e, "get_p99_us"), name + ": p50 above p99");
            assertTrue(number(e, "get_p99_us") <= number(e, "get_p999_us"), name + ": p99 above p99.9");

            Map<?, ?> phases = assertInstanceOf(Map.class, e.get("phases"));
            Map<?, ?> bootstrap = assertInstanceOf(Map.class, phases.get("bootstrap"));
            assertEquals(50_000.0, number(bootstrap, "records"), name + " bootstrap records");
            assertEquals(0.0, number(bootstrap, "get_misses"), name + ": a get missed a written key");
            assertEquals(0.0, number(bootstrap, "get_errors"), name + ": a get returned another record");
            Map<?, ?> incremental = assertInstanceOf(Map.class, phases.get("incremental"));
            assertEquals(0.0, number(incremental, "get_misses"), name + ": an incremental get missed");
            assertEquals(0.0, number(incremental, "get_errors"), name + ": an incremental get returned another record");
            Map<?, ?> reset = assertInstanceOf(Map.class, phases.get("reset"));
            assertEquals(Boolean.TRUE, reset.get("old_keys_gone"), name + ": keys survived the reset");
            Map<?, ?> recovery = assertInstanceOf(Map.class, phases.get("recovery"));
            assertEquals(
                    Boolean.TRUE, recovery.get("first_get_found"), name + ": last completed write lost at SIGKILL");
            assertEquals(0.0, number(recovery, "lost_keys"), name + ": completed writes lost at SIGKILL");
            assertEquals(List.of(), recovery.get("child_jvm_warnings"), name + ": the child JVM printed warnings");
        }
        Map<?, ?> ratios = assertInstanceOf(Map.class, root.get("ratios"));
        assertNotNull(ratios.get("seqs/rocksdb"));
        assertNotNull(ratios.get("seqs/lmdb"));
        for (String png : List.of("throughput.png", "latency.png", "ingest.png")) {
            byte[] head = Files.readAllBytes(out.resolve(png));
            assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', png + " is not a PNG");
        }
        assertTrue(Files.exists(out.resolve("summary.txt")));
        assertTrue(Files.exists(out.resolve("summary.md")));
        // The stores are deleted after their phases; only the (empty) data directory remains.
        try (var left = Files.list(out.resolve("data"))) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void helpListsTheFlags() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int code =
                Main.run(new String[] {"--help"}, new PrintStream(console, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, code);
        String help = console.toString(StandardCharsets.UTF_8);
        for (String flag : List.of(
                "--records",
                "--value-size",
                "--writers",
                "--readers",
                "--durability",
                "--engines",
                "--out",
                "--quick",
                "--large")) {
            assertTrue(help.contains(flag), "help lacks " + flag);
        }
    }

    @Test
    void badFlagsFailWithUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(new String[] {"--records", "zero"}, System.out, errStream));
        assertEquals(2, Main.run(new String[] {"--engines", "leveldb"}, System.out, errStream));
        assertEquals(2, Main.run(new String[] {"--quick", "--large"}, System.out, errStream));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--records needs a whole number"), text);
        assertTrue(text.contains("unknown engine 'leveldb'"), text);
    }

    private static double number(Map<?, ?> m, String key) {
        return assertInstanceOf(Double.class, m.get(key), key + " is not a number in " + m.keySet());
    }

    private static void positive(Map<?, ?> m, String key) {
        double d = number(m, key);
        assertTrue(d > 0 && Double.isFinite(d), key + " = " + d);
    }
}
