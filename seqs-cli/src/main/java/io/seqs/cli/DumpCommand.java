package io.seqs.cli;

import io.seqs.Seqs;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dump DIR}: every live record, as JSON lines or the binary format {@code load} reads. */
@Command(
        name = "dump",
        mixinStandardHelpOptions = true,
        description = "Writes every live record (in log order, not key order) as JSON lines or as a binary dump; load "
                + "reads either back. Opens the store read-only.")
public final class DumpCommand implements Callable<Integer> {
    /** The formats. */
    public enum Format {
        /** One JSON object per record. */
        jsonl,
        /** The binary format of {@link DumpFormat}. */
        binary
    }

    @Parameters(index = "0", paramLabel = "DIR", description = "The store directory.")
    Path dir;

    @Option(
            names = {"-f", "--format"},
            defaultValue = "jsonl",
            paramLabel = "FORMAT",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write to FILE instead of stdout (it must not exist).")
    Path file;

    @Mixin
    OutputOptions output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    SeqsCommand parent;

    @Override
    public Integer call() throws IOException {
        try (Seqs store = StoreAccess.openReadOnly(dir, output.checkpointDir)) {
            long keys = store.stats().keys();
            OutputStream target = file == null
                    ? parent.out()
                    : Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE_NEW);
            BufferedOutputStream buffered = new BufferedOutputStream(target, 1 << 16);
            Progress progress = new Progress("dump", "keys", keys, parent.err(), output.progress());
            long[] written = {0};
            try (DumpFormat.Writer w =
                    format == Format.binary ? DumpFormat.binary(buffered) : DumpFormat.jsonLines(buffered)) {
                store.forEach((k, v) -> {
                    try {
                        w.write(k, v);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    written[0]++;
                    progress.advance(1);
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                buffered.flush();
                if (file != null) {
                    target.close();
                }
            }
            progress.finish();
            if (file != null) {
                spec.commandLine().getErr().println("dump: " + written[0] + " records to " + file);
            }
        }
        return ExitCode.OK;
    }
}
