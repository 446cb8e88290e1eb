package io.seqs.crashtest;

import io.seqs.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line entry point of the crash-safety harness:
 *
 * <pre>
 * java -cp ... io.seqs.crashtest.CrashTest --kind kill|power|failpoint|corruption|all
 *      [--seed S] [--cycles N] [--minutes M] [--mode PROCESS,PERIODIC,SYNC] [--dir DIR]
 * </pre>
 *
 * Without a seed one is drawn and printed. Every failure prints its seed and cycle and the
 * command that replays it. Exit code 0 when every kind passed, 1 on a failure, 2 on bad usage.
 */
public final class CrashTest {
    private CrashTest() {}

    public static void main(String[] args) throws Exception {
        List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
        long seed = System.nanoTime();
        int cycles = Integer.MAX_VALUE;
        Duration budget = null;
        List<Durability> modes = List.of(Durability.values());
        Path dir = Path.of("target", "crashtest");
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--kind" ->
                        kinds = v.equals("all") ? List.of(Kind.values()) : List.of(Kind.valueOf(v.toUpperCase()));
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--cycles" -> cycles = Integer.parseInt(v);
                    case "--minutes" -> budget = Duration.ofSeconds((long) (Double.parseDouble(v) * 60));
                    case "--mode" -> {
                        List<Durability> m = new ArrayList<>();
                        for (String s : v.split(",")) {
                            m.add(Durability.valueOf(s.trim().toUpperCase()));
                        }
                        modes = m;
                    }
                    case "--dir" -> dir = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
                i++;
            }
            if (budget == null && cycles == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("give --cycles or --minutes");
            }
        } catch (RuntimeException e) {
            System.err.println(
                    "usage: CrashTest --kind kill|power|failpoint|corruption|all [--seed S] (--cycles N | --minutes M)"
                            + " [--mode PROCESS,PERIODIC,SYNC] [--dir DIR]\n  " + e.getMessage());
            System.exit(2);
            return;
        }
        if (budget == null) {
            budget = Duration.ofDays(365);
        }
        int failures = 0;
        for (Kind k : kinds) {
            Options o = new Options(k, seed, cycles, budget, modes, dir.toAbsolutePath());
            System.out.println("crashtest " + k.name().toLowerCase() + ": seed " + seed + ", modes " + modes);
            try {
                System.out.println(run(o));
            } catch (CrashTestFailure f) {
                System.out.println(f.getMessage());
                failures++;
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Runs one kind and returns its summary; throws {@link CrashTestFailure} on the first broken promise. */
    static String run(Options o) throws Exception {
        if (o.kind() == Kind.CORRUPTION) {
            CorruptionLoop loop = new CorruptionLoop(o);
            loop.run();
            return loop.summary();
        }
        CrashLoop loop = new CrashLoop(o);
        Figures f = loop.run();
        return f.summary(loop.model(), loop.disk());
    }
}
