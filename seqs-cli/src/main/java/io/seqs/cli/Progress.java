package io.seqs.cli;

import java.io.PrintStream;

/**
 * Progress of a long command on stderr: done and total, rate and ETA, at most once a second and
 * only once the command has run for a second (short runs print nothing).
 */
public final class Progress {
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    private final String what;
    private final String unit;
    private final long total;
    private final PrintStream out;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long last = start;
    private long done;
    private boolean printed;

    /**
     * @param what the command, as the line's prefix
     * @param unit "bytes" or "keys"
     * @param total expected total, 0 when unknown
     * @param out where the lines go (stderr)
     * @param enabled false for --quiet
     */
    public Progress(String what, String unit, long total, PrintStream out, boolean enabled) {
        this.what = what;
        this.unit = unit;
        this.total = total;
        this.out = out;
        this.enabled = enabled;
    }

    /** A progress that prints nothing. @return it */
    public static Progress none() {
        return new Progress("", "", 0, System.err, false);
    }

    /** Counts {@code n} more units done. @param n units */
    public void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (enabled && now - last >= INTERVAL_NANOS) {
            last = now;
            print(now);
        }
    }

    /** Prints a final line if any line was printed. */
    public void finish() {
        if (printed) {
            print(System.nanoTime());
        }
    }

    private void print(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / seconds;
        StringBuilder b =
                new StringBuilder(what).append(": ").append(done).append(' ').append(unit);
        if (total > 0) {
            b.append(" of ").append(total).append(String.format(" (%.1f%%)", 100.0 * done / total));
        }
        b.append(String.format(", rate %.0f %s/s", rate, unit));
        if (total > 0 && rate > 0 && done < total) {
            b.append(String.format(", eta %.0f s", (total - done) / rate));
        }
        b.append(String.format(", elapsed %.0f s", seconds));
        out.println(b);
        printed = true;
    }
}
