package io.seqs;

import java.nio.file.Path;

/**
 * Thrown by a write when the file system does not have room for the log to grow. Everything
 * written before stays readable, and writes succeed again once space is freed.
 */
public final class DiskFullException extends SeqsException {
    /** Serialized form version. */
    private static final long serialVersionUID = 1L;
    /** The directory that could not grow; not serialized. */
    private final transient Path directory;
    /** Free space the write needed. */
    private final long bytesNeeded;
    /** Free space there was. */
    private final long usableBytes;

    /**
     * Reports a full file system; the store throws this, applications normally only catch it.
     *
     * @param directory the directory whose file system is full
     * @param bytesNeeded free space the write needed
     * @param usableBytes free space there was
     */
    public DiskFullException(Path directory, long bytesNeeded, long usableBytes) {
        super("no space for the log to grow in " + directory + ": need " + bytesNeeded
                + " bytes (the next reservation, the free-space margin and space reserved by other shards but "
                + "not yet written), "
                + usableBytes + " usable");
        this.directory = directory;
        this.bytesNeeded = bytesNeeded;
        this.usableBytes = usableBytes;
    }

    /**
     * The directory whose file system is full.
     *
     * @return the shard directory that could not grow
     */
    public Path directory() {
        return directory;
    }

    /**
     * The free space the write needed.
     *
     * @return bytes
     */
    public long bytesNeeded() {
        return bytesNeeded;
    }

    /**
     * The free space the file system reported when the write failed.
     *
     * @return bytes usable by this process
     */
    public long usableBytes() {
        return usableBytes;
    }
}
