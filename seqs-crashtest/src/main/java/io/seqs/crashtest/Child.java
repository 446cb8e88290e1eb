package io.seqs.crashtest;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A writer JVM seen from the parent: its stdout lines arrive on a queue filled by a reader
 * thread (so that a child blocked on a full pipe never stalls), stdin carries the "go" replies,
 * stderr goes to a log file that is checked for JVM warnings.
 */
final class Child implements AutoCloseable {
    /** Queued after the child's last line. */
    static final String EOF = "<eof>";
    /** The JVM flags every JVM of this project runs with; a child must be held to the same. */
    static final List<String> STRICT_FLAGS =
            List.of("--sun-misc-unsafe-memory-access=deny", "--illegal-native-access=deny");

    private final Process process;
    private final List<String> command;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final OutputStream stdin;
    private boolean killed;

    private Child(Process process, List<String> command, Path log) {
        this.process = process;
        this.command = command;
        this.log = log;
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(this::pump, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a writer with {@code plan}; {@code failpoint} (may be null) is passed as seqs.failpoint. */
    static Child start(ChildPlan plan, String failpoint, Path log) {
        List<String> cmd = command(plan, failpoint);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
            return new Child(pb.start(), cmd, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
        }
    }

    static List<String> command(ChildPlan plan, String failpoint) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(STRICT_FLAGS);
        // asserts on: the engine checks its own invariants; a small heap: a get that trusts a
        // damaged length fails fast instead of allocating gigabytes
        cmd.addAll(List.of("-ea", "-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.add("-Djava.util.logging.SimpleFormatter.format=[%4$s] %3$s: %5$s%6$s%n");
        if (failpoint != null) {
            cmd.add("-Dseqs.failpoint=" + failpoint);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Writer.class.getName());
        cmd.addAll(plan.toArgs());
        return cmd;
    }

    /**
     * Queues the child's lines, each once its newline arrived. A last line without one is what a
     * kill cut short while the child printed it (a directory listing of a shard holding hundreds
     * of reclaimed-segment markers runs to many kilobytes): it is dropped, as if the kill had
     * landed before the child began to print it. That is sound for every line, because the child
     * acts on nothing it printed before the line is complete: an operation starts after its
     * begin line, a force returns after its report, a pause waits after its line.
     */
    private void pump() {
        try (Reader r = new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)) {
            StringBuilder line = new StringBuilder();
            char[] buf = new char[8192];
            for (int n; (n = r.read(buf)) >= 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines.add(line.toString());
                        line.setLength(0);
                    } else {
                        line.append(buf[i]);
                    }
                }
            }
        } catch (IOException e) {
            // the pipe broke with the process
        } finally {
            lines.add(EOF);
        }
    }

    /** The next line, or null when none came within {@code millis}. */
    String poll(long millis) throws InterruptedException {
        return lines.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** Answers a pause; a child that died meanwhile is not an error. */
    void go() {
        try {
            stdin.write("go\n".getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
        } catch (IOException e) {
            // the child is gone
        }
    }

    /**
     * SIGKILL. Sent through the process handle, not {@code Process.destroyForcibly()}: on Linux
     * the latter also closes the pipe of the child's stdout, throwing away the lines it wrote just
     * before dying, and those lines name the operations that may have reached the store.
     */
    void kill() {
        killed = true;
        process.toHandle().destroyForcibly();
    }

    boolean killed() {
        return killed;
    }

    /**
     * Waits for the exit; kills the child when it takes longer than {@code millis}.
     *
     * @return exit code, or -1 on timeout
     */
    int waitFor(long millis) throws InterruptedException {
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            kill();
            process.waitFor();
            return -1;
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    String commandLine() {
        StringBuilder b = new StringBuilder();
        for (String c : command) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(c.contains(" ") || c.contains("$") ? "'" + c + "'" : c);
        }
        return b.toString();
    }

    Path log() {
        return log;
    }

    /**
     * Whether the JVM died before running any of the harness: its class path changed under it
     * (a jar rebuilt meanwhile, as happens when a build runs in the same tree). Such a child has
     * not touched the store, so it can simply be started again.
     */
    boolean couldNotStart(int exit, boolean printedAnything) {
        if (exit == 0 || printedAnything) {
            return false;
        }
        try {
            String err = Files.readString(log, StandardCharsets.ISO_8859_1);
            return err.contains("NoClassDefFoundError")
                    || err.contains("ClassNotFoundException")
                    || err.contains("Could not find or load main class")
                    || err.contains("ZipException");
        } catch (IOException e) {
            return false;
        }
    }

    /** Lines of the child's stderr that a JVM prints for Unsafe use, native access and the like. */
    List<String> jvmWarnings() {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.startsWith("WARNING:"))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        try {
            stdin.close();
        } catch (IOException ignored) {
            // gone
        }
    }
}
