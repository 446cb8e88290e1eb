package io.seqs.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the run ran on, so that every result carries its context. Linux details where available. */
final class Machine {
    private Machine() {}

    static long totalMemoryBytes() {
        Long kb = meminfoKb("MemTotal:");
        if (kb != null) {
            return kb * 1024;
        }
        // Outside Linux: the JVM's own view of physical memory.
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static Long meminfoKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** The file system holding {@code dir}: type, size and free space. */
    static Map<String, Object> fileSystem(Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            FileStore store = Files.getFileStore(existingAncestor(dir));
            m.put("path", dir.toAbsolutePath().toString());
            m.put("name", store.name());
            m.put("type", store.type());
            m.put("total_bytes", store.getTotalSpace());
            m.put("usable_bytes", store.getUsableSpace());
        } catch (IOException e) {
            m.put("error", e.toString());
        }
        return m;
    }

    static long usableBytes(Path dir) throws IOException {
        return Files.getFileStore(existingAncestor(dir)).getUsableSpace();
    }

    static Path existingAncestor(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? Path.of("/") : p;
    }

    static Map<String, Object> describe(Path dataDir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put("memory_bytes", totalMemoryBytes());
        m.put("cpu", cpuModel());
        m.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("jvm_max_heap_bytes", Runtime.getRuntime().maxMemory());
        m.put("file_system", fileSystem(dataDir));
        m.put("dirty_ratio", sysctl("/proc/sys/vm/dirty_ratio"));
        m.put("dirty_background_ratio", sysctl("/proc/sys/vm/dirty_background_ratio"));
        return m;
    }

    /**
     * The source the run was built from, when run inside a git work tree: the commit and whether
     * files differed from it. Null elsewhere (a copied jar, no git).
     */
    static Map<String, Object> source() {
        String commit = git("rev-parse", "HEAD");
        if (commit == null || commit.isBlank()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("commit", commit.trim());
        String status = git("status", "--porcelain", "--untracked-files=no");
        m.put(
                "modified_files",
                status == null ? null : status.lines().map(String::trim).toList());
        return m;
    }

    private static String git(String... args) {
        try {
            List<String> command = new java.util.ArrayList<>();
            command.add("git");
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Object sysctl(String file) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            return lines.isEmpty() ? null : Long.parseLong(lines.get(0).trim());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
