package io.seqs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** File system steps that durability depends on, each in one place. */
final class FileUtil {
    private static final System.Logger LOG = System.getLogger("io.seqs");

    private FileUtil() {}

    /** Makes a directory's entries (creations, renames, deletions) durable. */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("fsync of directory " + dir + " failed", e);
        }
    }

    /**
     * Writes {@code bytes} to {@code target} atomically: a temporary file is written and forced,
     * renamed over the target, and the directory is forced.
     */
    static void writeAtomically(Path target, ByteBuffer bytes, String failpoint) {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            Failpoints.hit(failpoint + ".before-rename");
            moveAtomically(tmp, target);
            Failpoints.hit(failpoint + ".before-directory-sync");
        } catch (IOException e) {
            throw new UncheckedIOException("atomic write of " + target + " failed", e);
        }
        fsyncDirectory(target.getParent());
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to + " cannot rename atomically; seqs needs it", e);
        }
    }

    /** Deletes a tree, tolerating entries that vanish meanwhile. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
                for (Path p : entries) {
                    deleteTree(p);
                }
            }
        }
        try {
            Files.delete(root);
        } catch (NoSuchFileException ignored) {
            // already gone
        }
    }

    // ---- space reservation -------------------------------------------------------------

    /** mmap(2) protection and flags for private anonymous memory; the flag values are Linux's. */
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    /** What mmap returns on failure. */
    private static final long MAP_FAILED = -1L;
    /** madvise(2) advice: expect page references in random order (no readahead on faults); 1 on Linux and the BSDs. */
    private static final int MADV_RANDOM = 1;

    // Native calls only with native access granted by the application: otherwise the restricted
    // linker calls would print a warning or throw, and seqs falls back to a free-space check,
    // leaves the kernel's readahead on its mappings and zeroes index tables when it allocates them.
    private static final boolean NATIVE = FileUtil.class.getModule().isNativeAccessEnabled();
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");
    private static final MethodHandle OPEN = NATIVE
            ? downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), "using free-space checks")
            : null;
    private static final MethodHandle CLOSE = NATIVE
            ? downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), "using free-space checks")
            : null;
    private static final MethodHandle POSIX_FALLOCATE = OPEN != null && CLOSE != null
            ? downcall("posix_fallocate", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG), "using free-space checks")
            : null;
    private static final MethodHandle MADVISE = NATIVE
            ? downcall("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
                    "mappings keep the kernel's readahead")
            : null;
    private static final MethodHandle MUNMAP = NATIVE && LINUX
            ? downcall("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    "index tables are zeroed when allocated")
            : null;
    private static final MethodHandle MMAP = MUNMAP != null
            ? downcall("mmap", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), "index tables are zeroed when allocated")
            : null;

    /** A handle on the C library's {@code name}, or null (logged) when it cannot be linked; then seqs does {@code without}. */
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, String without) {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(), descriptor);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, name + " unavailable; " + without, e);
            return null;
        }
    }

    static boolean canAllocate() {
        return POSIX_FALLOCATE != null;
    }

    private static final int O_WRONLY = 1;

    /**
     * Creates {@code file} with {@code length} bytes whose blocks the file system has promised, so
     * that writes through a mapping cannot fault for lack of space. With native access enabled the
     * blocks are allocated with posix_fallocate; otherwise the file system must show
     * {@code length + marginBytes} usable bytes and the file is created sparse.
     *
     * @throws DiskFullException when the space is not there; nothing is left behind
     */
    static void createReserved(Path file, long length, long marginBytes) {
        Path dir = file.getParent();
        try {
            long usable = Files.getFileStore(dir).getUsableSpace();
            if (usable < length + marginBytes) {
                throw new DiskFullException(dir, length + marginBytes, usable);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(1), length - 1);
            }
            if (POSIX_FALLOCATE != null) {
                int rc = fallocate(file, length);
                if (rc != 0) {
                    Files.deleteIfExists(file);
                    if (rc == 28) { // ENOSPC
                        throw new DiskFullException(dir, length, Files.getFileStore(dir).getUsableSpace());
                    }
                    throw new IOException("posix_fallocate(" + file + ", " + length + ") failed with errno " + rc);
                }
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot create segment file " + file + " of " + length + " bytes", e);
        }
    }

    private static int fallocate(Path file, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(file.toString());
            int fd = (int) OPEN.invokeExact(cPath, O_WRONLY);
            if (fd < 0) {
                throw new IOException("open(" + file + ") for posix_fallocate failed");
            }
            try {
                return (int) POSIX_FALLOCATE.invokeExact(fd, 0L, length);
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("posix_fallocate(" + file + ") failed", t);
        }
    }

    // ---- access advice -----------------------------------------------------------------

    /** Whether {@link #adviseRandomAccess} can reach the kernel (native access is enabled). */
    static boolean canAdvise() {
        return MADVISE != null;
    }

    /**
     * Tells the kernel that {@code mapping} is read in random order, so that a page fault reads
     * the one page it needs instead of a readahead window around it. Gets touch one record at a
     * random place; once the log is larger than memory, the default readahead turns every
     * missed get into 128 KiB or more of reads that evict pages other gets need. Without native
     * access this does nothing and returns false; a failing call is logged and returns false.
     */
    static boolean adviseRandomAccess(MemorySegment mapping) {
        if (MADVISE == null || mapping.byteSize() == 0) {
            return false;
        }
        try {
            int rc = (int) MADVISE.invokeExact(mapping, mapping.byteSize(), MADV_RANDOM);
            if (rc != 0) {
                LOG.log(System.Logger.Level.DEBUG, "madvise(MADV_RANDOM) of a {0}-byte mapping returned {1}", mapping.byteSize(), rc);
            }
            return rc == 0;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("madvise failed", t);
        }
    }

    // ---- zeroed memory -------------------------------------------------------------------

    /**
     * {@code bytes} of zeroed memory, 64-byte aligned, freed when {@code arena} closes. With
     * native access on Linux it is a private anonymous mapping: the kernel hands out zero pages
     * as they are first touched, so allocating a table for a billion keys costs the same as one
     * for a thousand, and the cost of zeroing is spread over the inserts that touch the pages.
     * Otherwise the arena allocates and zeroes every byte up front.
     */
    @SuppressWarnings("restricted")
    static MemorySegment allocateZeroed(Arena arena, long bytes) {
        if (MMAP == null || bytes < LAZY_ZEROING_MIN_BYTES) {
            return arena.allocate(bytes, 64);
        }
        long address;
        try {
            address = (long) MMAP.invokeExact(0L, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap of " + bytes + " bytes failed", t);
        }
        if (address == MAP_FAILED || address == 0) {
            return arena.allocate(bytes, 64); // out of address space or a refusing kernel: let the arena try
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena, segment -> unmap(address, bytes));
    }

    /** Below this, allocating from the arena is as cheap as a mapping. */
    private static final long LAZY_ZEROING_MIN_BYTES = 1L << 20;

    private static void unmap(long address, long bytes) {
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(address, bytes);
        } catch (Throwable t) {
            throw new IllegalStateException("munmap of " + bytes + " bytes failed", t);
        }
        if (rc != 0) {
            LOG.log(System.Logger.Level.WARNING, "munmap of {0} bytes at 0x{1} returned {2}", bytes, Long.toHexString(address), rc);
        }
    }

    /** Whether {@link #allocateZeroed} maps large tables lazily (native access on Linux). */
    static boolean canAllocateLazily() {
        return MMAP != null;
    }
}
