package io.seqs;

import java.nio.file.Path;

/**
 * Bytes on disk that do not parse or fail their checksum: a record, a segment header, a
 * checkpoint or the manifest. Names the file and the offset of the damage; the message says what
 * was expected there.
 */
public final class CorruptionException extends SeqsException {
    /** Serialized form version. */
    private static final long serialVersionUID = 1L;
    /** The damaged file; not serialized. */
    private final transient Path file;
    /** Where in the file the damage is. */
    private final long offset;

    /**
     * Reports damage; the store throws this, applications normally only catch it.
     *
     * @param file the damaged file
     * @param offset where in the file the damage is
     * @param detail what was expected there and what was found
     */
    public CorruptionException(Path file, long offset, String detail) {
        super(file + " at offset " + offset + ": " + detail);
        this.file = file;
        this.offset = offset;
    }

    /**
     * Reports damage found by a parser that failed with {@code cause}.
     *
     * @param file the damaged file
     * @param offset where in the file the damage is
     * @param detail what was expected there and what was found
     * @param cause the parser's own exception
     */
    public CorruptionException(Path file, long offset, String detail, Throwable cause) {
        super(file + " at offset " + offset + ": " + detail, cause);
        this.file = file;
        this.offset = offset;
    }

    /**
     * The damaged file.
     *
     * @return its path
     */
    public Path file() {
        return file;
    }

    /**
     * Where in {@link #file()} the damage was found.
     *
     * @return a byte offset from the start of the file
     */
    public long offset() {
        return offset;
    }
}
