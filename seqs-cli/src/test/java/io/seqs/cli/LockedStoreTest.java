package io.seqs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.Seqs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a child JVM, with the strict flags, against a store a writer in this JVM holds. */
final class LockedStoreTest {
    @TempDir
    Path tmp;

    static final class Child {
        final int code;
        final String out;
        final String err;

        Child(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--sun-misc-unsafe-memory-access=deny",
                    "--illegal-native-access=deny",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.seqs.cli.Main"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            byte[] o = p.getInputStream().readAllBytes();
            byte[] e = p.getErrorStream().readAllBytes();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            code = p.exitValue();
            out = new String(o, StandardCharsets.UTF_8);
            err = new String(e, StandardCharsets.UTF_8);
        }
    }

    @Test
    void aLockedStoreGetsAClearMessageAndExitCodeThree() throws Exception {
        Path dir = tmp.resolve("store");
        try (Seqs s = Seqs.builder(dir).shards(2).segmentSize(64 << 10).open()) {
            s.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
            s.flush();
            for (String command : new String[] {"info", "verify", "stats", "dump"}) {
                Child c = new Child(command, dir.toString());
                assertEquals(ExitCode.LOCKED, c.code, command + ": " + c.err);
                assertTrue(c.err.contains("open by a writer elsewhere"), c.err);
                assertFalse(c.err.lines().anyMatch(l -> l.startsWith("WARNING:")), c.err);
            }
        }
        Child c = new Child("get", dir.toString(), "k");
        assertEquals(0, c.code, c.err);
        assertEquals("v", c.out);
        assertFalse(c.err.lines().anyMatch(l -> l.startsWith("WARNING:")), c.err);
        Child v = new Child("verify", dir.toString());
        assertEquals(0, v.code, v.out + v.err);
        assertFalse(v.err.lines().anyMatch(l -> l.startsWith("WARNING:")), v.err);
    }
}
