package io.seqs.internal.fs;

import io.seqs.DiskFullException;
import io.seqs.SeqsException;
import io.seqs.internal.format.RecordDescriptor;
import java.io.IOException;
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
public final class FileUtil {
    private static final System.Logger LOG = System.getLogger("io.seqs");

    private FileUtil() {}

    /** Suffix of the temporary file an atomic write renames over its target. */
    public static final String TMP_SUFFIX = ".tmp";

    /** A file-system step for {@link #uninterruptibly}: it opens and closes every channel it uses. */
    @FunctionalInterface
    public interface IoStep<T> {
        T run() throws IOException;
    }

    /**
     * Runs a file-system step so that no interrupt of the calling thread can spoil it or be lost:
     * on a thread of seqs' own (see {@link IoThreads}), with the caller's interrupt status kept
     * for the caller.
     */
    public static <T> T uninterruptibly(IoStep<T> step) throws IOException {
        return IoThreads.run(step);
    }

    /** Makes a directory's entries (creations, renames, deletions) durable. */
    public static void fsyncDirectory(Path dir) {
        try {
            uninterruptibly(() -> {
                try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                    ch.force(true);
                }
                return null;
            });
        } catch (IOException e) {
            throw new SeqsException("fsync of directory " + dir + " failed", e);
        }
    }

    /**
     * Writes {@code bytes} to {@code target} atomically: a temporary file is written and forced,
     * renamed over the target, and the directory is forced.
     */
    public static void writeAtomically(Path target, ByteBuffer bytes, String failpoint) {
        Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        try {
            uninterruptibly(() -> {
                ByteBuffer remaining = bytes.duplicate();
                try (FileChannel ch = FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    while (remaining.hasRemaining()) {
                        ch.write(remaining);
                    }
                    ch.force(true);
                }
                return null;
            });
            Failpoints.hit(failpoint + ".before-rename");
            moveAtomically(tmp, target);
            Failpoints.hit(failpoint + ".before-directory-sync");
        } catch (IOException e) {
            throw new SeqsException("atomic write of " + target + " failed", e);
        }
        fsyncDirectory(target.getParent());
    }

    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to + " cannot rename atomically; seqs needs it", e);
        }
    }

    /** Deletes a tree, tolerating entries that vanish meanwhile. */
    public static void deleteTree(Path root) throws IOException {
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
    /** madvise(2) advice: the range will be read soon, start reading it now; 3 on Linux and the BSDs. */
    private static final int MADV_WILLNEED = 3;
    /** madvise(2) advice (Linux 5.14+): fault the range in writable now, as writes would. */
    private static final int MADV_POPULATE_WRITE = 23;
    /** madvise(2) advice (Linux): back the range with transparent huge pages where the kernel can. */
    private static final int MADV_HUGEPAGE = 14;

    // Native calls only with native access granted by the application: otherwise the restricted
    // linker calls would print a warning or throw, and seqs falls back to a free-space check,
    // leaves the kernel's readahead on its mappings and zeroes index tables when it allocates them.
    private static final boolean NATIVE = FileUtil.class.getModule().isNativeAccessEnabled();
    static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");
    /** open(2), also used by {@link DirectReads}. */
    static final MethodHandle OPEN = NATIVE
            ? downcall(
                    "open",
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                    "using free-space checks")
            : null;
    /** close(2), also used by {@link DirectReads}. */
    static final MethodHandle CLOSE = NATIVE
            ? downcall(
                    "close",
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    "using free-space checks")
            : null;

    private static final MethodHandle POSIX_FALLOCATE = OPEN != null && CLOSE != null
            ? downcall(
                    "posix_fallocate",
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    "using free-space checks")
            : null;
    private static final MethodHandle MADVISE = NATIVE
            ? downcall(
                    "madvise",
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
                    "mappings keep the kernel's readahead")
            : null;
    private static final MethodHandle MUNMAP = NATIVE && LINUX
            ? downcall(
                    "munmap",
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    "index tables are zeroed when allocated")
            : null;
    private static final MethodHandle MMAP = MUNMAP != null
            ? downcall(
                    "mmap",
                    FunctionDescriptor.of(
                            ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_LONG),
                    "index tables are zeroed when allocated")
            : null;

    /**
     * A handle on the C library's {@code name}, or null (logged) when it cannot be linked; then seqs does {@code
     * without}.
     */
    @SuppressWarnings("restricted") // called only when the application enabled native access for seqs
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, String without) {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(), descriptor);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, name + " unavailable; " + without, e);
            return null;
        }
    }

    public static boolean canAllocate() {
        return POSIX_FALLOCATE != null;
    }

    private static final int O_WRONLY = 1;
    /** posix_fallocate's answer when the file system has no room. */
    private static final int ENOSPC = 28;

    /**
     * Creates an empty segment file of {@code length} bytes. No block is allocated: the file is
     * sparse until {@link #reserve} promises space for the part about to be written.
     *
     * @throws SeqsException when the file cannot be created; nothing is left behind
     */
    public static void createSparse(Path file, long length) {
        assert length > 0 && length % RecordDescriptor.ALIGNMENT == 0 : length;
        try {
            uninterruptibly(() -> {
                Files.deleteIfExists(file); // left by a roll a crash cut short; it held nothing
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.allocate(1), length - 1);
                }
                return null;
            });
        } catch (IOException e) {
            deleteAfterFailure(file, e);
            throw new SeqsException("cannot create segment file " + file + " of " + length + " bytes", e);
        }
    }

    /**
     * Makes sure the file system can store bytes {@code [from, to)} of {@code file}, so that
     * writes through a mapping into them cannot fault for lack of space (SIGBUS). With native
     * access the blocks are allocated with posix_fallocate; otherwise the file system must show
     * {@code to - from + marginBytes} usable bytes, {@code marginBytes} covering what other
     * writers have been promised the same way.
     *
     * @throws DiskFullException when the space is not there; the file is left as it was
     */
    public static void reserve(Path file, long from, long to, long marginBytes) {
        assert 0 <= from && from < to : from + ".." + to;
        Path dir = file.getParent();
        long bytes = to - from;
        try {
            if (POSIX_FALLOCATE == null) {
                long usable = Files.getFileStore(dir).getUsableSpace();
                if (usable < bytes + marginBytes) {
                    throw new DiskFullException(dir, bytes + marginBytes, usable);
                }
                return;
            }
            int rc = fallocate(file, from, bytes);
            if (rc == ENOSPC) {
                throw new DiskFullException(dir, bytes, Files.getFileStore(dir).getUsableSpace());
            }
            if (rc != 0) {
                throw new IOException(
                        "posix_fallocate(" + file + ", " + from + ", " + bytes + ") failed with errno " + rc);
            }
        } catch (IOException e) {
            throw new SeqsException("cannot reserve bytes " + from + ".." + to + " of segment file " + file, e);
        }
    }

    private static void deleteAfterFailure(Path file, IOException failure) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    private static int fallocate(Path file, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(file.toString());
            int fd = (int) OPEN.invokeExact(cPath, O_WRONLY);
            if (fd < 0) {
                throw new IOException("open(" + file + ") for posix_fallocate failed");
            }
            try {
                return (int) POSIX_FALLOCATE.invokeExact(fd, offset, length);
            } finally {
                int _ = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("posix_fallocate(" + file + ") failed", t);
        }
    }

    // ---- access advice -----------------------------------------------------------------

    /** Whether {@link #adviseRandomAccess} can reach the kernel (native access is enabled). */
    public static boolean canAdvise() {
        return MADVISE != null;
    }

    /**
     * Tells the kernel that {@code mapping} is read in random order, so that a page fault reads
     * the one page it needs instead of a readahead window around it. Gets touch one record at a
     * random place; once the log is larger than memory, the default readahead turns every
     * missed get into 128 KiB or more of reads that evict pages other gets need. Without native
     * access this does nothing and returns false; a failing call is logged and returns false.
     */
    public static boolean adviseRandomAccess(MemorySegment mapping) {
        return advise(mapping, MADV_RANDOM, "MADV_RANDOM");
    }

    /**
     * Tells the kernel that {@code range} of a mapping (page-aligned) is about to be read in
     * order, so that it starts reading it now: a scan of mappings advised for random access
     * would otherwise fault one page at a time. Without native access this does nothing and
     * returns false (such mappings keep the kernel's default readahead).
     */
    public static boolean adviseWillNeed(MemorySegment range) {
        return advise(range, MADV_WILLNEED, "MADV_WILLNEED");
    }

    /**
     * Faults {@code range} of a shared file mapping in writable now (Linux 5.14 and later), so
     * that the writes that follow find their pages mapped. Without native access, or elsewhere
     * than on Linux, does nothing and returns false.
     */
    public static boolean populateWrite(MemorySegment range) {
        return LINUX && advise(range, MADV_POPULATE_WRITE, "MADV_POPULATE_WRITE");
    }

    /**
     * Asks the kernel to back {@code range} of private anonymous memory (2 MiB-aligned, not yet
     * touched) with huge pages as its pages are first touched, where transparent huge pages are
     * enabled for such advice. Memory read into with {@code O_DIRECT} in one physically
     * contiguous piece per huge page reaches the device as a few large requests rather than many
     * small ones (docs/design.md, "Whole-store scans"). Without native access, or elsewhere than on
     * Linux, does nothing and returns false.
     */
    public static boolean adviseHugePages(MemorySegment range) {
        return LINUX && advise(range, MADV_HUGEPAGE, "MADV_HUGEPAGE");
    }

    private static boolean advise(MemorySegment mapping, int advice, String name) {
        if (MADVISE == null || mapping.byteSize() == 0) {
            return false;
        }
        try {
            int rc = (int) MADVISE.invokeExact(mapping, mapping.byteSize(), advice);
            if (rc != 0) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "madvise({0}) of a {1}-byte mapping returned {2}",
                        name,
                        mapping.byteSize(),
                        rc);
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
     * {@code bytes} of zeroed memory, 64-byte aligned, freed when {@code arena} closes, whose pages
     * cost nothing until they are first touched: allocating a table for a billion keys costs the
     * same as one for a thousand, and the zeroing is spread over the inserts that touch the pages.
     * With native access on Linux it is a private anonymous mapping. Otherwise, when
     * {@code scratchDir} is given, it is a private (copy-on-write) mapping of a sparse file
     * created there and unlinked at once: its pages read as zeros, and a page written becomes
     * the process's own memory, never written back to the file. Small blocks, and any failure of
     * these, come from the arena, which zeroes every byte up front.
     *
     * @param scratchDir a directory of the store's own for the sparse file, or null for none
     */
    @SuppressWarnings("restricted")
    public static MemorySegment allocateZeroed(Arena arena, long bytes, Path scratchDir) {
        if (bytes < LAZY_ZEROING_MIN_BYTES) {
            return arena.allocate(bytes, 64);
        }
        if (MMAP == null) {
            MemorySegment mapped = scratchDir == null ? null : mapSparse(arena, bytes, scratchDir);
            return mapped != null ? mapped : arena.allocate(bytes, 64);
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

    /** Names of the sparse files behind {@link #allocateZeroed}: {@code .zero-<n>.scratch}. */
    private static final String SCRATCH_PREFIX = ".zero-";

    private static final String SCRATCH_SUFFIX = ".scratch";
    private static final java.util.concurrent.atomic.AtomicLong SCRATCH_FILES =
            new java.util.concurrent.atomic.AtomicLong();

    /**
     * Whether a directory entry is a sparse file {@link #allocateZeroed} left behind (a crash between create and
     * unlink).
     */
    public static boolean isScratchFile(String name) {
        return name.startsWith(SCRATCH_PREFIX) && name.endsWith(SCRATCH_SUFFIX);
    }

    /** Deletes the scratch files a crashed session left in {@code dir}. */
    public static void deleteScratchFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, SCRATCH_PREFIX + "*" + SCRATCH_SUFFIX)) {
            for (Path p : entries) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A private mapping of a new sparse file, unlinked before returning; null (logged) when that fails. */
    private static MemorySegment mapSparse(Arena arena, long bytes, Path dir) {
        Path file = dir.resolve(SCRATCH_PREFIX + ProcessHandle.current().pid() + "-" + SCRATCH_FILES.incrementAndGet()
                + SCRATCH_SUFFIX);
        try {
            return uninterruptibly(() -> {
                try (FileChannel ch = FileChannel.open(
                        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    // the mapping extends the empty file to its size (a hole); copy-on-write keeps the file a hole
                    return ch.map(FileChannel.MapMode.PRIVATE, 0, bytes, arena);
                } finally {
                    Files.deleteIfExists(file);
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "cannot map " + bytes + " lazily zeroed bytes through " + file + "; zeroing them up front",
                    e);
            return null;
        }
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
            LOG.log(
                    System.Logger.Level.WARNING,
                    "munmap of {0} bytes at 0x{1} returned {2}",
                    bytes,
                    Long.toHexString(address),
                    rc);
        }
    }

    /** Whether {@link #allocateZeroed} maps large tables anonymously (native access on Linux). */
    public static boolean canAllocateLazily() {
        return MMAP != null;
    }
}
