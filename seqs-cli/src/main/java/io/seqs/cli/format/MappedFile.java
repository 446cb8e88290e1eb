package io.seqs.cli.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file mapped read-only (it is opened for reading only, so nothing can change its bytes),
 * unmapped by {@link #close()}. Every access through {@link #bytes()} is bounds-checked.
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment bytes;

    private MappedFile(Path path, Arena arena, MemorySegment bytes) {
        this.path = path;
        this.arena = arena;
        this.bytes = bytes;
    }

    /**
     * Maps the whole file read-only.
     *
     * @param path the file
     * @return the mapping
     * @throws IOException when the file cannot be opened or mapped
     */
    public static MappedFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment bytes = size == 0
                    ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFile(path, arena, bytes);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The file's path. */
    public Path path() {
        return path;
    }

    /** The file's bytes, read-only. */
    public MemorySegment bytes() {
        return bytes;
    }

    /** The file's length in bytes when it was mapped. */
    public long size() {
        return bytes.byteSize();
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        arena.close();
    }
}
