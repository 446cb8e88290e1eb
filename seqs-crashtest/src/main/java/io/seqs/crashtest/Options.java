package io.seqs.crashtest;

import io.seqs.Durability;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How much to run.
 *
 * @param kind what to do to the store
 * @param seed fixes every random choice; a failure names it with its cycle
 * @param cycles at most this many cycles
 * @param budget stop starting new cycles after this long (the cycles run so far are reported)
 * @param modes durability modes, used in turn cycle by cycle
 * @param workDir where stores, copies and child logs go; a failing run's files are kept
 */
record Options(Kind kind, long seed, int cycles, Duration budget, List<Durability> modes, Path workDir) {

    /** The command that replays the first {@code cycles} cycles of this run. */
    String replayCommand(int cycles) {
        StringBuilder modeList = new StringBuilder();
        for (Durability d : modes) {
            modeList.append(modeList.isEmpty() ? "" : ",").append(d);
        }
        return "java " + String.join(" ", Child.STRICT_FLAGS) + " -cp " + System.getProperty("java.class.path")
                + " " + CrashTest.class.getName() + " --kind " + kind.name().toLowerCase() + " --seed " + seed
                + " --cycles " + cycles + " --mode " + modeList + " --dir " + workDir;
    }
}
