package io.seqs.cli.check;

import java.nio.file.Path;

/**
 * One problem found in a store's files, or a note about one.
 *
 * @param severity how bad it is
 * @param file the file it is in (or the file that is missing)
 * @param offset byte offset in that file
 * @param what what failed, with the values found and expected
 * @param openWould what opening the store would do about it
 */
public record Finding(Severity severity, Path file, long offset, String what, String openWould) {
    /** How bad a finding is. */
    public enum Severity {
        /** Bytes failed their checks after they were written: open drops or repairs something. */
        DAMAGE,
        /** The log ends with a write that did not complete: what an unclean shutdown leaves. */
        TAIL,
        /** Not damage: leftovers a crash can leave, removed at the next open. */
        NOTE
    }

    /** A copy with another severity and action. @param s severity @param action what open would do @return the copy */
    public Finding with(Severity s, String action) {
        return new Finding(s, file, offset, what, action);
    }
}
