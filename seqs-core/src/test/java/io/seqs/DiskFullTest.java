package io.seqs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a 16 MiB tmpfs: puts fail with a clear exception when the file system is full (and
 * never fault the JVM through a mapping), what was written stays readable, and puts work again
 * once space is freed. Skipped where mounting a tmpfs is not permitted.
 */
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void fullFileSystemIsAnExceptionNotACrash() throws Exception {
        onTmpfs("16m", mnt -> {
            Path filler = mnt.resolve("filler");
            Files.write(filler, new byte[4 << 20]);
            Path dir = mnt.resolve("store");
            byte[] value = new byte[2000];
            java.util.Arrays.fill(value, (byte) 0x5a);
            int written = 0;
            try (Seqs s = Seqs.builder(dir)
                    .compression(Compression.NONE)
                    .shards(2)
                    .segmentSize(1 << 20)
                    .freeSpaceMargin(1 << 20)
                    .durability(Durability.PROCESS)
                    .checkpointInterval(Duration.ZERO)
                    .open()) {
                DiskFullException full = null;
                while (full == null) {
                    try {
                        s.put(("key-" + written).getBytes(), value);
                        written++;
                    } catch (DiskFullException e) {
                        full = e;
                    }
                }
                assertTrue(written > 1000, "wrote " + written);
                assertTrue(full.getMessage().contains(dir.toString()), full.getMessage());
                System.out.println("DiskFullTest: " + written + " puts before: " + full.getMessage());
                DiskFullException again = assertThrows(DiskFullException.class, () -> {
                    for (int i = 0; i < 10_000; i++) {
                        s.put(("more-" + i).getBytes(), value);
                    }
                });
                assertTrue(again.usableBytes() < again.bytesNeeded());
                for (int i = 0; i < written; i++) {
                    assertArrayEquals(value, s.get(("key-" + i).getBytes()), "key-" + i);
                }
                Files.delete(filler);
                for (int i = 0; i < 500; i++) {
                    s.put(("after-" + i).getBytes(), value);
                }
            }
            try (Seqs s = Seqs.open(dir)) {
                for (int i = 0; i < written; i++) {
                    assertArrayEquals(value, s.get(("key-" + i).getBytes()), "key-" + i + " after reopen");
                }
                assertArrayEquals(value, s.get("after-499".getBytes()));
            }
        });
    }

    /** A test body that runs on a freshly mounted tmpfs. */
    private interface OnTmpfs {
        void run(Path mnt) throws Exception;
    }

    /**
     * Runs {@code body} on a tmpfs of {@code size} mounted for it, or skips the test where mounting is not permitted.
     */
    private void onTmpfs(String size, OnTmpfs body) throws Exception {
        Path mnt = tmp.resolve("mnt-" + size);
        Files.createDirectories(mnt);
        Assumptions.assumeTrue(
                run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mnt.toString()),
                "skipped: cannot mount a size-limited tmpfs here (needs root or CAP_SYS_ADMIN)");
        try {
            body.run(mnt);
        } finally {
            run("umount", mnt.toString());
        }
    }

    /**
     * A store with default settings (1 GiB segments, eight or more shards) opens, writes and
     * reopens on a 32 MiB file system: space is reserved in chunks ahead of the writes, not a
     * segment at a time.
     */
    @Test
    void aDefaultStoreFitsASmallFileSystem() throws Exception {
        onTmpfs("32m", mnt -> {
            Path dir = mnt.resolve("store");
            try (Seqs s = Seqs.builder(dir).freeSpaceMargin(1 << 20).open()) {
                for (int i = 0; i < 100; i++) {
                    s.put(("key-" + i).getBytes(), ("value-" + i).getBytes());
                }
            }
            try (Seqs s = Seqs.open(dir)) {
                for (int i = 0; i < 100; i++) {
                    assertArrayEquals(("value-" + i).getBytes(), s.get(("key-" + i).getBytes()), "key-" + i);
                }
            }
        });
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            System.out.println(String.join(" ", command) + ": " + out.strip());
        }
        return p.exitValue() == 0;
    }
}
