package io.seqs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqs.internal.fs.FileUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What seqs does when the application grants native access (the tests themselves run without
 * it): segment blocks are allocated with posix_fallocate, every segment mapping carries the
 * random-access advice (the kernel shows it as the {@code rr} flag in /proc/self/smaps), recovered
 * segments get it too, large index tables are mapped zero pages that cost nothing until touched
 * (so a reset does not pay for zeroing them), and nothing prints a warning, even with
 * sun.misc.Unsafe denied.
 */
class NativeAccessTest {
    @TempDir
    Path dir;

    @Test
    void mappingsAreAdvisedRandomAndBlocksAllocated() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "--sun-misc-unsafe-memory-access=deny",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Probe.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
        String out = new String(p.getInputStream().readAllBytes());
        System.out.println(out.strip());
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.lines().anyMatch(l -> l.startsWith("WARNING:")), out);
        for (String when : List.of("created", "recovered")) {
            Matcher m = Pattern.compile(
                            when + ": (\\d+) of (\\d+) segment mappings advised random \\((\\d+) segment files")
                    .matcher(out);
            assertTrue(m.find(), out);
            int advised = Integer.parseInt(m.group(1));
            int mapped = Integer.parseInt(m.group(2));
            int files = Integer.parseInt(m.group(3));
            assertTrue(files >= 4, "the probe spans several segments per shard: " + files);
            assertEquals(files, mapped, when + ": every segment file is mapped");
            assertEquals(mapped, advised, when + ": every mapping is advised random");
        }
        assertTrue(out.contains("allocated: true"), out);
        assertTrue(out.contains("small store allocated: true"), out);
        assertTrue(out.contains("lazy index: true"), out);
        assertTrue(out.contains("prefaulted: true"), out);
    }

    /** Runs in a JVM with native access; prints what the kernel says about its mappings. */
    public static final class Probe {
        public static void main(String[] args) throws IOException {
            Path root = Path.of(args[0]);
            Path dir = root.resolve("store");
            if (!FileUtil.canAllocate() || !FileUtil.canAdvise()) {
                System.out.println("native calls unavailable: allocate " + FileUtil.canAllocate() + ", advise "
                        + FileUtil.canAdvise());
                System.exit(2);
            }
            byte[] value = new byte[3000];
            Arrays.fill(value, (byte) 7);
            try (Seqs s = Seqs.builder(dir)
                    .compression(Compression.NONE)
                    .shards(2)
                    .segmentSize(64 << 10)
                    .checkpointInterval(Duration.ZERO)
                    .durability(Durability.PROCESS)
                    .open()) {
                for (int i = 0; i < 100; i++) {
                    s.put(("key-" + i).getBytes(), value);
                }
                System.out.println("created: " + advised(dir));
            }
            try (Seqs s = Seqs.open(dir)) {
                for (int i = 0; i < 100; i++) {
                    if (!Arrays.equals(value, s.get(("key-" + i).getBytes()))) {
                        System.out.println("key-" + i + " lost");
                        System.exit(3);
                    }
                }
                System.out.println("recovered: " + advised(dir));
                // posix_fallocate gives the blocks of what was written and of a chunk ahead of the
                // write cursor: at least the log's bytes, at most one reservation step more per shard.
                long allocated = 0;
                long apparent = 0;
                for (Path seg : segments(dir)) {
                    apparent += Files.size(seg);
                    allocated += allocatedBytes(seg);
                }
                long log = 0;
                for (ShardStats shard : s.stats().shards()) {
                    log += shard.logPosition();
                }
                // at most one segment ahead per shard; at least what was written (a segment's end that
                // a record did not fit in may stay unreserved: under a page and a record per file)
                int files = segments(dir).size();
                boolean ok = allocated >= log - files * (4096L + value.length) && allocated <= log + 2 * (64 << 10);
                System.out.println("allocated: " + ok + " (" + allocated + " bytes allocated for " + log
                        + " bytes of log, " + apparent + " bytes apparent)");
            }
            prefault(root.resolve("prefault"));
            // A store of 100 small keys with default settings allocates little, whatever the segment size.
            Path small = root.resolve("small");
            try (Seqs s = Seqs.open(small)) {
                for (int i = 0; i < 100; i++) {
                    s.put(("key-" + i).getBytes(), ("value-" + i).getBytes());
                }
            }
            long smallBytes = allocatedTree(small);
            System.out.println("small store allocated: " + (smallBytes < (64L << 20)) + " (" + smallBytes + " bytes)");
            // Index tables for 60 M keys (about 600 MB) come from the kernel as untouched zero pages.
            long before = residentBytes();
            try (Seqs s = Seqs.builder(root.resolve("big"))
                    .compression(Compression.NONE)
                    .shards(2)
                    .expectedKeys(60_000_000)
                    .checkpointInterval(Duration.ZERO)
                    .durability(Durability.PROCESS)
                    .open()) {
                long indexBytes = s.stats().indexBytes();
                for (int i = 0; i < 1000; i++) {
                    s.put(("key-" + i).getBytes(), value);
                }
                s.resetEpoch();
                s.put("after".getBytes(), value);
                long grown = residentBytes() - before;
                boolean ok = FileUtil.canAllocateLazily()
                        && indexBytes > 500_000_000L
                        && grown < indexBytes / 4
                        && Arrays.equals(value, s.get("after".getBytes()))
                        && s.get("key-1".getBytes()) == null;
                System.out.println("lazy index: " + ok + " (" + indexBytes + " index bytes per epoch, resident grew by "
                        + grown + " over two epochs)");
            }
        }

        /** This process's resident memory, from /proc/self/status. */
        private static long residentBytes() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/self/status");
        }

        /** Bytes of disk blocks behind every file of a tree. */
        static long allocatedTree(Path root) throws IOException {
            long total = 0;
            try (var files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        total += allocatedBytes(f);
                    }
                }
            }
            return total;
        }

        /** Bytes of disk blocks behind a file, as stat(1) reports them. */
        static long allocatedBytes(Path file) throws IOException {
            Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString())
                    .redirectErrorStream(true)
                    .start();
            String[] out =
                    new String(stat.getInputStream().readAllBytes()).trim().split(" ");
            return Long.parseLong(out[0]) * Long.parseLong(out[1]);
        }

        private static List<Path> segments(Path dir) throws IOException {
            try (var files = Files.walk(dir)) {
                return files.filter(f -> f.toString().endsWith(".seg")).toList();
            }
        }

        /**
         * The pages reserved ahead of the writer are faulted in by a background thread: after one
         * small put, the segment's resident pages cover its first reservation (about 1 MiB).
         */
        private static void prefault(Path prefault) throws IOException {
            try (Seqs s = Seqs.builder(prefault)
                    .shards(1)
                    .segmentSize(64L << 20)
                    .checkpointInterval(Duration.ZERO)
                    .open()) {
                s.put("one".getBytes(), "value".getBytes());
                Path seg = segments(prefault).getFirst();
                long rss = 0;
                for (int i = 0; i < 100 && rss < (512 << 10); i++) {
                    Thread.sleep(20);
                    rss = residentOf(seg);
                }
                System.out.println("prefaulted: " + (rss >= 512 << 10) + " (" + rss + " bytes of " + seg.getFileName()
                        + " resident after one put)");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Resident bytes of this process's mapping of {@code file}, from /proc/self/smaps. */
        private static long residentOf(Path file) throws IOException {
            String name = file.toRealPath().toString();
            boolean current = false;
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 6 && fields[0].contains("-")) {
                    current = fields[5].equals(name);
                } else if (current && line.startsWith("Rss:")) {
                    return Long.parseLong(fields[1]) * 1024;
                }
            }
            return 0;
        }

        /** "n of m segment mappings advised random", from the VmFlags of this process's mappings. */
        private static String advised(Path dir) throws IOException {
            List<String> names = new ArrayList<>();
            for (Path seg : segments(dir)) {
                names.add(seg.toRealPath().toString());
            }
            int advised = 0;
            int mapped = 0;
            String current = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 6 && fields[0].contains("-") && names.contains(fields[5])) {
                    current = fields[5];
                    mapped++;
                } else if (fields.length >= 6 && fields[0].contains("-")) {
                    current = null;
                } else if (current != null
                        && line.startsWith("VmFlags:")
                        && Arrays.asList(fields).contains("rr")) {
                    advised++;
                }
            }
            return advised + " of " + mapped + " segment mappings advised random (" + names.size() + " segment files)";
        }
    }
}
