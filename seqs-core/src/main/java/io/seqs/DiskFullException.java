package io.seqs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Thrown by a write when the file system does not have room for the next segment. Everything
 * written before stays readable, and writes succeed again once space is freed.
 */
public final class DiskFullException extends UncheckedIOException {
    private final Path directory;
    private final long neededBytes;
    private final long usableBytes;

    DiskFullException(Path directory, long neededBytes, long usableBytes) {
        super(new IOException("no space for a new segment in " + directory + ": need " + neededBytes
                + " bytes (the segment, the free-space margin and space mapped by other shards but not yet written), " + usableBytes + " usable"));
        this.directory = directory;
        this.neededBytes = neededBytes;
        this.usableBytes = usableBytes;
    }

    public Path directory() {
        return directory;
    }

    public long neededBytes() {
        return neededBytes;
    }

    public long usableBytes() {
        return usableBytes;
    }
}
