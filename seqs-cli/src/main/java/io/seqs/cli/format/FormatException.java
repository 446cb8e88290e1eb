package io.seqs.cli.format;

/** A structure failed one of the checks of docs/format.md; names the offset in its file. */
public final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;
    private final long offset;

    /**
     * @param offset byte offset in the file where the check failed
     * @param message what failed, with the value found and the value expected
     */
    public FormatException(long offset, String message) {
        super(message);
        this.offset = offset;
    }

    /** Byte offset in the file where the check failed. */
    public long offset() {
        return offset;
    }
}
