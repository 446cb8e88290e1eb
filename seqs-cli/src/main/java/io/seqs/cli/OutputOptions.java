package io.seqs.cli;

import picocli.CommandLine.Option;

/** Options every reading command shares: JSON output and quiet progress. */
public final class OutputOptions {
    @Option(names = "--json", description = "Print JSON (one object, or one per line for lists) instead of tables.")
    boolean json;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print no progress on stderr.")
    boolean quiet;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            description = "The store's checkpoint directory, when it was opened with checkpointDirectory(...); "
                    + "default DIR/checkpoints.")
    java.nio.file.Path checkpointDir;

    /** Whether to print JSON. */
    public boolean json() {
        return json;
    }

    /** Whether progress lines are wanted. */
    public boolean progress() {
        return !quiet;
    }

    /** The checkpoint directory for a store. @param store the store directory @return the directory */
    public java.nio.file.Path checkpoints(java.nio.file.Path store) {
        return checkpointDir != null ? checkpointDir : store.resolve("checkpoints");
    }
}
