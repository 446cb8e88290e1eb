package io.seqs.internal.log;

import io.seqs.internal.format.RecordDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * One mapped segment file of a shard's log. Each file has its own mapping scope, released when
 * the segment is reclaimed, the shard closed or its epoch dropped; records below the published
 * tail never change.
 */
public final class Segment {
    public final Path path;
    public final MemorySegment map;
    /** The scope of {@link #map}; closing it unmaps the file. */
    private final Arena arena;
    /**
     * Set when reclamation took the segment out of its log, before it waits out the readers
     * and unmaps it: work holding a reference of its own (a prefault) checks it inside the read
     * gate, as gets check that their shard is not released.
     */
    private volatile boolean unlinked;
    /** First window of the log address space this file covers. */
    public final long id;

    final int windowCount;
    /** Log position of the file's first byte: {@code id * windowSize}. */
    public final long base;

    public final long length;

    public Segment(Path path, MemorySegment map, Arena arena, long id, int windowCount, long base) {
        assert map.byteSize() % RecordDescriptor.ALIGNMENT == 0 : map.byteSize();
        assert map.scope().equals(arena.scope()) : path;
        this.path = path;
        this.map = map;
        this.arena = arena;
        this.id = id;
        this.windowCount = windowCount;
        this.base = base;
        this.length = map.byteSize();
    }

    /**
     * Unmaps the file; idempotent. The caller makes sure no reader can still be in the mapping
     * (the shard's read gate).
     */
    public void unmap() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** Marks the segment taken out of its log; see {@link #isUnlinked()}. */
    public void unlink() {
        unlinked = true;
    }

    /** Whether the segment was taken out of its log (it is unmapped once no reader can be in it). */
    public boolean isUnlinked() {
        return unlinked;
    }

    /** Log position one past the last byte this file could hold. */
    public long limit() {
        return base + length;
    }

    /** Windows of the log's address space this file covers. */
    public int windowCount() {
        return windowCount;
    }

    /** The id of the segment that follows this one. */
    public long nextId() {
        return id + windowCount;
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
