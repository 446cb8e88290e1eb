package io.seqs.bench;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of {@code seqs-bench.jar}.
 *
 * <ul>
 *   <li>no sub-command: the workload harness (see {@link Options#HELP});
 *   <li>{@code jmh ...}: the JMH microbenchmarks ({@link io.seqs.bench.jmh.JmhSuite});
 *   <li>{@code footprint [DIR]}: what a store costs before its data arrives ({@link Footprint});
 *   <li>{@code ycsb-load ...}: a YCSB core workload's load phase, seqs against RocksDB ({@link YcsbLoad});
 *   <li>{@code recovery-child ...}: internal, the JVM that the recovery phase kills.
 *   <li>{@code recovery-fresh ...}: internal, the JVM that times recovery of a copy of the killed store.
 * </ul>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (args.length > 0 && args[0].equals("jmh")) {
            io.seqs.bench.jmh.JmhSuite.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals(Footprint.COMMAND)) {
            Footprint.run(args, System.out);
            return;
        }
        if (args.length > 0 && args[0].equals(YcsbLoad.COMMAND)) {
            YcsbLoad.run(args, System.out);
            return;
        }
        if (args.length > 0 && args[0].equals(RecoveryPhase.CHILD_COMMAND)) {
            RecoveryPhase.child(args);
            return;
        }
        if (args.length > 0 && args[0].equals(RecoveryPhase.FRESH_COMMAND)) {
            RecoveryPhase.fresh(args);
            return;
        }
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the harness.
     *
     * @return the exit code: 0 on success, 2 for a usage error, 1 when the run failed
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("seqs-bench: " + e.getMessage());
            return 2;
        }
        if (o.help) {
            out.print(Options.HELP);
            return 0;
        }
        try {
            Harness.run(o, out);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("seqs-bench: interrupted");
            return 1;
        } catch (CannotRunException e) {
            err.println("seqs-bench: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("seqs-bench: the run failed: " + e.getMessage());
            e.printStackTrace(err);
            return 1;
        }
    }
}
