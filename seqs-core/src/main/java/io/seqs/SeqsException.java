package io.seqs;

/**
 * A failure the store itself reports: a file it cannot read, write or trust, a full disk, a full
 * index. Argument errors stay {@link IllegalArgumentException} and calls on a closed store
 * {@link IllegalStateException}; everything else seqs throws on purpose is a {@code SeqsException}
 * or one of its subclasses ({@link CorruptionException}, {@link DiskFullException},
 * {@link CapacityExceededException}).
 */
public class SeqsException extends RuntimeException {
    /** Serialized form version. */
    private static final long serialVersionUID = 1L;

    /**
     * A failure described by {@code message}.
     *
     * @param message what failed, naming the file or directory concerned
     */
    public SeqsException(String message) {
        super(message);
    }

    /**
     * A failure described by {@code message}, caused by {@code cause}.
     *
     * @param message what failed, naming the file or directory concerned
     * @param cause the underlying failure, usually an {@link java.io.IOException}
     */
    public SeqsException(String message, Throwable cause) {
        super(message, cause);
    }
}
