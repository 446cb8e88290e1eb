package io.seqs.crashtest;

/** The four ways the harness hurts a store. */
enum Kind {
    /** SIGKILL at random moments, several writer threads; every acknowledged write must survive. */
    KILL,
    /** SIGKILL, and most of the time a simulated power loss after it (see {@link DiskModel}). */
    POWER,
    /** The store halts itself at a named failpoint; sometimes a power loss follows. */
    FAILPOINT,
    /** Bits flipped, ranges zeroed, files cut in a closed store whose whole history is known. */
    CORRUPTION
}
