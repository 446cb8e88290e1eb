package io.seqs.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Drops files from the kernel's page cache, so that the next read of them comes from the disk: the
 * state of a store larger than memory, reached without filling the machine. Each file is forced
 * ({@code fdatasync}: dirty pages are not dropped) and then given {@code posix_fadvise(DONTNEED)}.
 * Pages mapped by a live process stay, so stores are closed first. Needs native access, which the
 * harness's jar grants; without it {@link #evict} does nothing and says so.
 */
final class PageCache {
    private static final int O_RDONLY = 0;
    private static final int POSIX_FADV_DONTNEED = 4;
    private static final MethodHandle OPEN;
    private static final MethodHandle FDATASYNC;
    private static final MethodHandle FADVISE;
    private static final MethodHandle CLOSE;

    static {
        MethodHandle open = null;
        MethodHandle fdatasync = null;
        MethodHandle fadvise = null;
        MethodHandle close = null;
        if (PageCache.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                open = linker.downcallHandle(
                        libc.find("open").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                        Linker.Option.firstVariadicArg(2));
                fdatasync = linker.downcallHandle(
                        libc.find("fdatasync").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                fadvise = linker.downcallHandle(
                        libc.find("posix_fadvise").orElseThrow(),
                        FunctionDescriptor.of(
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT));
                close = linker.downcallHandle(
                        libc.find("close").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            } catch (RuntimeException | LinkageError e) {
                open = null;
            }
        }
        OPEN = open;
        FDATASYNC = fdatasync;
        FADVISE = fadvise;
        CLOSE = close;
    }

    /** Files and bytes dropped from the cache. */
    record Evicted(int files, long bytes) {}

    private PageCache() {}

    /** Whether {@link #evict} can reach the kernel. */
    static boolean available() {
        return OPEN != null;
    }

    /**
     * Forces and drops every regular file under {@code root} from the page cache.
     *
     * @return what was dropped, or null when native access is not granted
     */
    static Evicted evict(Path root) {
        if (!available()) {
            return null;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        long bytes = 0;
        for (Path file : files) {
            bytes += evictFile(file);
        }
        return new Evicted(files.size(), bytes);
    }

    private static long evictFile(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(file.toString()), O_RDONLY);
            if (fd < 0) {
                return 0; // gone meanwhile (a compaction's input), or not readable
            }
            try {
                int synced = (int) FDATASYNC.invokeExact(fd);
                int rc = (int) FADVISE.invokeExact(fd, 0L, 0L, POSIX_FADV_DONTNEED);
                if (synced != 0 || rc != 0) {
                    throw new IllegalStateException("could not drop " + file + " from the page cache: fdatasync "
                            + synced + ", posix_fadvise " + rc);
                }
                return Files.size(file);
            } finally {
                int closed = (int) CLOSE.invokeExact(fd);
                assert closed == 0 : closed;
            }
        } catch (IOException e) {
            return 0;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("page cache call failed for " + file, t);
        }
    }
}
