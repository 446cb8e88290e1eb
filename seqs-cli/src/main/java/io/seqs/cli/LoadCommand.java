package io.seqs.cli;

import io.seqs.Seqs;
import io.seqs.SeqsBuilder;
import io.seqs.WriteBatch;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code load DIR [FILE]}: puts every record of a dump into a store (created when absent). */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        description = "Puts every record of a dump (binary or JSON lines, told apart by its first bytes) into the "
                + "store in DIR, creating it when absent. Reads FILE, or stdin when FILE is absent or "
                + "'-'. This command writes to DIR.")
public final class LoadCommand implements Callable<Integer> {
    private static final int BATCH = 1024;

    @Parameters(index = "0", paramLabel = "DIR", description = "The store to write (created when absent).")
    Path dir;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", description = "The dump; stdin when absent or '-'.")
    String file;

    @Option(names = "--shards", paramLabel = "N", description = "Shards of a new store (default: seqs' default).")
    Integer shards;

    @Option(
            names = "--segment-size",
            paramLabel = "BYTES",
            description = "Segment size of a new store (default: seqs' default).")
    Long segmentSize;

    @Mixin
    OutputOptions output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    SeqsCommand parent;

    @Override
    public Integer call() throws IOException {
        InputStream source = file == null || file.equals("-") ? parent.in() : Files.newInputStream(Path.of(file));
        long total = file == null || file.equals("-") ? 0 : Files.size(Path.of(file));
        SeqsBuilder builder = Seqs.builder(dir);
        if (shards != null) {
            builder.shards(shards);
        }
        if (segmentSize != null) {
            builder.segmentSize(segmentSize);
        }
        long count;
        try (Seqs store = open(builder);
                InputStream in = new BufferedInputStream(source, 1 << 16)) {
            Progress progress = new Progress("load", "records", 0, parent.err(), output.progress() && total > 0);
            WriteBatch batch = new WriteBatch();
            count = DumpFormat.read(in, (k, v) -> {
                batch.put(k, v);
                if (batch.size() >= BATCH) {
                    store.write(batch);
                    batch.clear();
                }
                progress.advance(1);
            });
            if (batch.size() > 0) {
                store.write(batch);
            }
            progress.finish();
        }
        spec.commandLine().getErr().println("load: " + count + " records into " + dir);
        return ExitCode.OK;
    }

    private Seqs open(SeqsBuilder builder) {
        try {
            return builder.open();
        } catch (IllegalStateException e) {
            throw new CliException(ExitCode.LOCKED, "store " + dir + " is open elsewhere: " + e.getMessage());
        }
    }
}
