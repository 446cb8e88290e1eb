package io.seqs.cli;

/** The exit codes of every command. */
public final class ExitCode {
    /** Done; for verify: the store is sound. */
    public static final int OK = 0;
    /** A negative answer: verify found damage, get found no value, salvage could not save everything. */
    public static final int NEGATIVE = 1;
    /** A usage error: unknown command or option, missing or malformed argument. */
    public static final int USAGE = 2;
    /** The store is open by a writer elsewhere. */
    public static final int LOCKED = 3;
    /** The command failed: not a store, an I/O error, damage that stops a read. */
    public static final int FAILED = 4;

    private ExitCode() {}
}
