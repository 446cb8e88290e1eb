package io.seqs.internal.log;

import io.seqs.internal.format.RecordDescriptor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * One mapped segment file of a shard's log. The mapping belongs to the shard's arena, so it is
 * released when the shard is closed or its epoch is dropped; records below the published tail
 * never change.
 */
public final class Segment {
    public final Path path;
    public final MemorySegment map;
    /** First window of the log address space this file covers. */
    public final long id;

    final int windowCount;
    /** Log position of the file's first byte: {@code id * windowSize}. */
    public final long base;

    public final long length;

    public Segment(Path path, MemorySegment map, long id, int windowCount, long base) {
        assert map.byteSize() % RecordDescriptor.ALIGNMENT == 0 : map.byteSize();
        this.path = path;
        this.map = map;
        this.id = id;
        this.windowCount = windowCount;
        this.base = base;
        this.length = map.byteSize();
    }

    /** Log position one past the last byte this file could hold. */
    public long limit() {
        return base + length;
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
