package io.seqs.crashtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link DiskModel} makes of the steps of a reclamation: a marker written as a forced
 * temporary file renamed into place and made durable by forcing its directory, the segment file
 * deleted with no directory force after it, older checkpoints deleted and their directory forced.
 * Each scenario is replayed under many power-loss seeds; every outcome must be one a real power
 * loss could leave, and each possible outcome must come up.
 */
class DiskModelTest {
    private static final int SEEDS = 64;

    @TempDir
    Path tmp;

    private Path root;
    private DiskModel disk;

    /** A shard directory holding two segments and a checkpoint directory holding two checkpoints, all durable. */
    private void start(int run) throws IOException {
        root = tmp.resolve("store-" + run);
        Files.createDirectories(root.resolve("shard"));
        Files.createDirectories(root.resolve("ckpt"));
        Files.write(root.resolve("shard/1.seg"), bytes(3 * DiskModel.PAGE, 1));
        Files.write(root.resolve("shard/2.seg"), bytes(2 * DiskModel.PAGE, 2));
        Files.write(root.resolve("ckpt/a.ckpt"), bytes(100, 3));
        Files.write(root.resolve("ckpt/b.ckpt"), bytes(100, 4));
        disk = new DiskModel(root);
        disk.assumeAllDurable();
    }

    /** The store forced {@code dir}: the writer reports it with the listing taken right after. */
    private void forceDirectory(String dir) throws IOException {
        Map<String, String> entries = new HashMap<>();
        try (Stream<Path> s = Files.list(root.resolve(dir))) {
            s.forEach(p -> entries.put(p.getFileName().toString(), FileIds.of(p)));
        }
        disk.directorySynced(dir, entries);
    }

    private static byte[] bytes(int n, int salt) {
        byte[] b = new byte[n];
        new SplittableRandom(salt).nextBytes(b);
        return b;
    }

    private byte[] read(String rel) throws IOException {
        Path p = root.resolve(rel);
        return Files.exists(p) ? Files.readAllBytes(p) : null;
    }

    @Test
    void unlinkWithoutDirectoryForceMayBeUndoneAndBringsBackTheLastImage() throws IOException {
        Set<Boolean> seen = new HashSet<>();
        for (int run = 0; run < SEEDS; run++) {
            start(run);
            byte[] imaged = Files.readAllBytes(root.resolve("shard/1.seg"));
            disk.image(); // e.g. the checkpoint that committed the copies forced its file
            Files.delete(root.resolve("shard/1.seg"));
            disk.powerLoss(new SplittableRandom(run));
            byte[] after = read("shard/1.seg");
            seen.add(after != null);
            if (after != null) {
                assertArrayEquals(imaged, after, "an undone unlink brings back the bytes of the file's last image");
            }
            assertArrayEquals(bytes(2 * DiskModel.PAGE, 2), read("shard/2.seg"), "untouched file");
        }
        assertEquals(Set.of(true, false), seen, "an unlink not followed by a directory force may or may not last");
    }

    @Test
    void unlinkFollowedByDirectoryForceLasts() throws IOException {
        for (int run = 0; run < SEEDS; run++) {
            start(run);
            Files.delete(root.resolve("shard/1.seg"));
            forceDirectory("shard");
            disk.powerLoss(new SplittableRandom(run));
            assertFalse(Files.exists(root.resolve("shard/1.seg")));
            assertTrue(Files.exists(root.resolve("shard/2.seg")));
        }
    }

    @Test
    void markerIsAllOrNothingUntilItsDirectoryIsForcedAndThenStays() throws IOException {
        byte[] marker = bytes(80, 9);
        Set<Boolean> seen = new HashSet<>();
        for (int run = 0; run < 2 * SEEDS; run++) {
            boolean forced = run % 2 == 1;
            start(run);
            Files.write(root.resolve("shard/1.reclaimed.tmp"), marker);
            disk.image(); // the temporary file was forced
            Files.move(
                    root.resolve("shard/1.reclaimed.tmp"),
                    root.resolve("shard/1.reclaimed"),
                    StandardCopyOption.ATOMIC_MOVE);
            if (forced) {
                forceDirectory("shard");
            }
            disk.powerLoss(new SplittableRandom(run));
            byte[] after = read("shard/1.reclaimed");
            assertFalse(Files.exists(root.resolve("shard/1.reclaimed.tmp")), "the temporary name never comes back");
            if (after != null) {
                assertArrayEquals(marker, after, "a marker is whole or absent");
            }
            if (forced) {
                assertTrue(after != null, "a marker whose directory was forced survives");
            } else {
                seen.add(after != null);
            }
            assertArrayEquals(bytes(3 * DiskModel.PAGE, 1), read("shard/1.seg"), "the segment is not deleted yet");
        }
        assertEquals(Set.of(true, false), seen, "before its directory force the marker may or may not be there");
    }

    @Test
    void checkpointsDeletedAndTheirDirectoryForcedStayDeleted() throws IOException {
        Set<Boolean> seen = new HashSet<>();
        for (int run = 0; run < SEEDS; run++) {
            start(run);
            Files.delete(root.resolve("ckpt/a.ckpt"));
            forceDirectory("ckpt");
            Files.delete(root.resolve("ckpt/b.ckpt")); // no force after this one
            disk.powerLoss(new SplittableRandom(run));
            assertFalse(Files.exists(root.resolve("ckpt/a.ckpt")));
            byte[] b = read("ckpt/b.ckpt");
            seen.add(b != null);
            if (b != null) {
                assertArrayEquals(bytes(100, 4), b);
            }
        }
        assertEquals(Set.of(true, false), seen);
    }
}
