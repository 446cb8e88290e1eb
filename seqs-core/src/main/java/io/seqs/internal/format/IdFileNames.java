package io.seqs.internal.format;

/**
 * Names of the files a store names by a number: 16 lower-case hex digits and a suffix (segments
 * and reclaimed-segment markers by segment id, checkpoints by the log position they cover).
 */
public final class IdFileNames {
    /** Hex digits of the number in a name. */
    static final int DIGITS = 16;

    private IdFileNames() {}

    /** The name of the file numbered {@code id} with {@code suffix}. */
    public static String name(long id, String suffix) {
        return String.format("%016x%s", id, suffix);
    }

    /** The number a name with {@code suffix} carries, or -1 when the name is not one of those. */
    public static long parse(String name, String suffix) {
        if (!name.endsWith(suffix) || name.length() != DIGITS + suffix.length()) {
            return -1;
        }
        try {
            long id = Long.parseUnsignedLong(name, 0, DIGITS, 16);
            return id >= 0 ? id : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
