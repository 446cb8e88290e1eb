package io.seqs.internal.fs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading files past the page cache, for scans of logs larger than memory: {@code open} with
 * {@code O_DIRECT}, {@code pread} into memory of the caller's, and {@code mincore} to tell
 * whether a mapped range is in memory already. Linux only, and only with native access enabled
 * for seqs; elsewhere {@link #available()} is false and callers read through their mappings.
 *
 * <p>{@code pread} and {@code mincore} are linked when this class is first used (by the first
 * scan that reads past the page cache), not when a store opens, so that opening a store does not
 * pay for them; {@code open} and {@code close} are {@link FileUtil}'s.
 */
public final class DirectReads {
    private DirectReads() {}

    /**
     * Alignment of a direct read's buffer address, file offset and length: the largest logical
     * block size of the usual devices (and the page size), so that every such device takes it.
     */
    public static final long ALIGNMENT = 4096;

    /** open(2)'s {@code O_RDONLY}. */
    private static final int O_RDONLY = 0;

    /**
     * open(2)'s {@code O_DIRECT}, whose value differs between architectures: {@code 040000} on
     * x86-64, {@code 0200000} on 64-bit ARM; 0 (no direct reads) elsewhere.
     */
    private static final int O_DIRECT = FileUtil.LINUX
            ? switch (System.getProperty("os.arch", "")) {
                case "amd64", "x86_64" -> 040000;
                case "aarch64" -> 0200000;
                default -> 0;
            }
            : 0;

    private static final String WITHOUT = "scans read through their mappings";

    /** FileUtil's open(2) and close(2), where direct reads exist. */
    private static final MethodHandle OPEN = O_DIRECT != 0 ? FileUtil.OPEN : null;

    private static final MethodHandle CLOSE = OPEN != null ? FileUtil.CLOSE : null;
    private static final MethodHandle PREAD = CLOSE != null
            ? FileUtil.downcall(
                    "pread",
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS,
                            ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG),
                    WITHOUT)
            : null;
    private static final MethodHandle MINCORE = PREAD != null
            ? FileUtil.downcall(
                    "mincore",
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                    WITHOUT)
            : null;

    /** Whether files can be read past the page cache here: Linux, a known architecture, native access. */
    public static boolean available() {
        return MINCORE != null;
    }

    /**
     * Memory the kernel could give to the page cache without swapping ({@code MemAvailable} in
     * /proc/meminfo), in bytes, or -1 when it cannot be told.
     */
    public static long availableMemory() {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.trim().split("\\s+"); // "MemAvailable:   123456 kB"
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a kernel without the field
        }
        return -1;
    }

    private static final Path MEMINFO = Path.of("/proc/meminfo");

    /**
     * Opens {@code file} for reading past the page cache.
     *
     * @return the file descriptor, or -1 when that is not possible (not {@link #available()}, or
     *     a file system without direct I/O, such as tmpfs)
     */
    public static int open(Path file) {
        if (!available()) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), O_RDONLY | O_DIRECT);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open(" + file + ", O_DIRECT) failed", t);
        }
    }

    /**
     * Reads {@code into.byteSize()} bytes of a file {@link #open} returned, at {@code offset}, or
     * fewer at the end of the file; {@code into}'s address and size and {@code offset} must be
     * multiples of {@link #ALIGNMENT}.
     *
     * @return the bytes read, or -1 when the read failed
     */
    public static long pread(int fd, MemorySegment into, long offset) {
        assert into.address() % ALIGNMENT == 0 && into.byteSize() % ALIGNMENT == 0 && offset % ALIGNMENT == 0
                : into + " at " + offset;
        try {
            return (long) PREAD.invokeExact(fd, into, into.byteSize(), offset);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("pread(" + fd + ") failed", t);
        }
    }

    /** Closes a descriptor {@link #open} returned. */
    public static void close(int fd) {
        try {
            int _ = (int) CLOSE.invokeExact(fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("close(" + fd + ") failed", t);
        }
    }

    /**
     * The fraction of the pages of {@code range} (a page-aligned part of a live mapping) that are
     * in memory, from mincore(2); 1 when that cannot be told, so that callers keep to the mapping.
     *
     * @param vector scratch memory of at least one byte per page of {@code range}
     */
    public static double residentFraction(MemorySegment range, MemorySegment vector) {
        long pages = (range.byteSize() + ALIGNMENT - 1) / ALIGNMENT;
        if (!available() || pages == 0) {
            return 1;
        }
        assert vector.byteSize() >= pages : vector.byteSize() + " < " + pages;
        int rc;
        try {
            rc = (int) MINCORE.invokeExact(range, range.byteSize(), vector);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mincore failed", t);
        }
        if (rc != 0) {
            return 1;
        }
        long resident = 0;
        for (long i = 0; i < pages; i++) {
            resident += vector.get(ValueLayout.JAVA_BYTE, i) & 1;
        }
        return (double) resident / pages;
    }
}
