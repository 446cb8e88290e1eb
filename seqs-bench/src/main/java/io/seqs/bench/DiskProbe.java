package io.seqs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * The ceiling: how fast this directory's file system takes a large sequential file.
 *
 * <p>The main figure writes through the page cache and ends with {@code fsync}, timing both, which
 * is the path an mmap'd log or a WAL takes: the copy into the page cache and the write-back both
 * count. A second figure writes with {@code O_DIRECT} (where the file system allows it), which
 * shows what the device alone can do. Data is random so that no layer can compress or skip it.
 *
 * <p>The read figure reads the file written back in 8 MiB chunks after dropping it from the page
 * cache ({@link PageCache}), so every byte comes from the disk: the ceiling of an export of a
 * store that is not in memory.
 */
final class DiskProbe {
    private static final int CHUNK = 8 << 20;

    /**
     * @param readMbPerS sequential read of the file from the disk, NaN when the page cache could not be dropped
     */
    record Result(long bytes, double bufferedMbPerS, double directMbPerS, double readMbPerS) {}

    private DiskProbe() {}

    static Result measure(Path dir, long bytes, boolean direct) {
        try {
            Files.createDirectories(dir);
            double[] buffered = buffered(dir.resolve("disk-probe.bin"), bytes);
            double odirect = direct ? direct(dir.resolve("disk-probe-direct.bin"), bytes) : Double.NaN;
            return new Result(bytes, buffered[0], odirect, buffered[1]);
        } catch (IOException e) {
            throw new UncheckedIOException("disk probe in " + dir + " failed", e);
        }
    }

    private static ByteBuffer randomChunk(boolean aligned) {
        ByteBuffer b =
                aligned ? ByteBuffer.allocateDirect(CHUNK + 4096).alignedSlice(4096) : ByteBuffer.allocateDirect(CHUNK);
        SplittableRandom r = new SplittableRandom(7);
        while (b.remaining() >= 8) {
            b.putLong(r.nextLong());
        }
        return b.flip().limit(CHUNK);
    }

    /** {write + fsync MB/s, cold sequential read MB/s (NaN when the cache cannot be dropped)}. */
    private static double[] buffered(Path file, long bytes) throws IOException {
        ByteBuffer chunk = randomChunk(false);
        try {
            long start = System.nanoTime();
            try (FileChannel ch = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                writeAll(ch, chunk, bytes);
                ch.force(true);
            }
            double write = bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
            return new double[] {write, coldRead(file, chunk)};
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double coldRead(Path file, ByteBuffer chunk) throws IOException {
        if (PageCache.evict(file) == null) {
            return Double.NaN;
        }
        long start = System.nanoTime();
        long read = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int n; (n = ch.read(chunk.clear())) >= 0; ) {
                read += n;
            }
        }
        return read / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    private static double direct(Path file, long bytes) throws IOException {
        OpenOption directOption;
        try {
            directOption = com.sun.nio.file.ExtendedOpenOption.DIRECT;
        } catch (LinkageError e) {
            return Double.NaN;
        }
        ByteBuffer chunk = randomChunk(true);
        try {
            long start = System.nanoTime();
            try (FileChannel ch = FileChannel.open(
                    file,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE,
                    directOption)) {
                writeAll(ch, chunk, bytes);
                ch.force(true);
            }
            return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
        } catch (IOException | UnsupportedOperationException e) {
            return Double.NaN; // e.g. tmpfs refuses O_DIRECT
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void writeAll(FileChannel ch, ByteBuffer chunk, long bytes) throws IOException {
        long written = 0;
        while (written < bytes) {
            ByteBuffer b = chunk.duplicate();
            b.limit((int) Math.min(CHUNK, bytes - written));
            while (b.hasRemaining()) {
                written += ch.write(b);
            }
        }
    }
}
