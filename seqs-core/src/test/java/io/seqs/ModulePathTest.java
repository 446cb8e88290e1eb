package io.seqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * seqs-core as a named module, the way an application on the module path uses it: a small
 * application module that {@code requires io.seqs} is compiled against the module and run in a
 * JVM of its own with the strict flags, once with native access granted to {@code io.seqs} and
 * once without. It writes, reads, deletes, resets and reopens a store; it cannot see the engine's
 * packages; neither JVM prints a warning. Micrometer is not on the module path: the module needs
 * it only when a registry is given.
 */
class ModulePathTest {
    @TempDir
    Path dir;

    private static final String MODULE_INFO = """
            module app {
                requires io.seqs;
            }
            """;

    private static final String MAIN = """
            package app;

            import io.seqs.Seqs;
            import java.nio.file.Path;
            import java.util.Arrays;

            public final class Main {
                public static void main(String[] args) throws Exception {
                    Path dir = Path.of(args[0]);
                    Module seqs = Seqs.class.getModule();
                    System.out.println("module: " + seqs.getName());
                    System.out.println("native access: " + seqs.isNativeAccessEnabled());
                    System.out.println("api exported: " + seqs.isExported("io.seqs"));
                    System.out.println("engine exported: " + seqs.isExported("io.seqs.internal.store"));
                    try (Seqs store = Seqs.builder(dir).shards(2).segmentSize(64 << 10).open()) {
                        for (int i = 0; i < 2_000; i++) {
                            store.put(("key-" + i).getBytes(), ("value-" + i).getBytes());
                        }
                        store.delete("key-0".getBytes());
                    }
                    try (Seqs store = Seqs.open(dir)) {
                        int found = 0;
                        for (int i = 0; i < 2_000; i++) {
                            byte[] v = store.get(("key-" + i).getBytes());
                            if (v != null && Arrays.equals(v, ("value-" + i).getBytes())) {
                                found++;
                            }
                        }
                        System.out.println("found after reopen: " + found);
                        store.resetEpoch();
                        System.out.println("keys after reset: " + store.stats().keys() + " epoch " + store.epoch());
                    }
                    try {
                        Class.forName("io.seqs.internal.store.Shard").getDeclaredConstructors()[0].setAccessible(true);
                        System.out.println("engine reachable: true");
                    } catch (RuntimeException expected) {
                        System.out.println("engine reachable: false");
                    }
                }
            }
            """;

    @Test
    void anApplicationOnTheModulePathUsesTheStore() throws Exception {
        String modules = compileApplication();
        for (boolean nativeAccess : new boolean[] {true, false}) {
            Path store = dir.resolve("store-" + nativeAccess);
            List<String> command = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "--sun-misc-unsafe-memory-access=deny",
                    "--illegal-native-access=deny"));
            if (nativeAccess) {
                command.add("--enable-native-access=io.seqs");
            }
            command.addAll(List.of("--module-path", modules, "-m", "app/app.Main", store.toString()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the application did not finish");
            String out = new String(p.getInputStream().readAllBytes());
            System.out.println("native access " + nativeAccess + ":\n" + out.strip());
            assertEquals(0, p.exitValue(), out);
            assertFalse(out.contains("WARNING"), out);
            assertTrue(out.contains("module: io.seqs"), out);
            assertTrue(out.contains("native access: " + nativeAccess), out);
            assertTrue(out.contains("api exported: true"), out);
            assertTrue(out.contains("engine exported: false"), out);
            assertTrue(out.contains("found after reopen: 1999"), out);
            assertTrue(out.contains("keys after reset: 0 epoch 2"), out);
            assertTrue(out.contains("engine reachable: false"), out);
        }
    }

    /** Compiles the application module; returns the module path that runs it. */
    private String compileApplication() throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("app/Main.java"), MAIN);
        Path classes = dir.resolve("app-classes");
        String modulePath = location(Seqs.class)
                + File.pathSeparator
                + location(com.dynatrace.hash4j.hashing.Hashing.class)
                + File.pathSeparator
                + location(net.jpountz.lz4.LZ4Factory.class);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        int rc = javac.getTask(
                                diagnostics,
                                null,
                                null,
                                List.of("--module-path", modulePath, "-d", classes.toString(), "-Xlint:all", "-Werror"),
                                null,
                                javac.getStandardFileManager(null, null, null)
                                        .getJavaFileObjects(
                                                src.resolve("module-info.java"), src.resolve("app/Main.java")))
                        .call()
                ? 0
                : 1;
        assertEquals(0, rc, diagnostics.toString());
        return classes + File.pathSeparator + modulePath;
    }

    /** The class directory or jar a class was loaded from: seqs-core's own classes, or a dependency's jar. */
    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
    }
}
