package io.seqs.cli;

import io.seqs.Seqs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code get DIR KEY}: one key's latest value. */
@Command(
        name = "get",
        mixinStandardHelpOptions = true,
        description = "Prints a key's latest value, raw (default) or as a hex dump. Exit code 1 when the key has no "
                + "value. Opens the store read-only.")
public final class GetCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The store directory.")
    Path dir;

    @Parameters(index = "1", paramLabel = "KEY", description = "The key, written as --key-format says.")
    String key;

    @Option(
            names = {"-k", "--key-format"},
            paramLabel = "FORMAT",
            defaultValue = "utf8",
            description = "How KEY is written: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Codec.Encoding keyFormat;

    @Option(
            names = {"-x", "--hex"},
            description = "Print the value as a hex dump instead of raw bytes.")
    boolean hex;

    @Mixin
    OutputOptions output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    SeqsCommand parent;

    @Override
    public Integer call() throws IOException {
        byte[] k = Codec.decode(key, keyFormat);
        if (k.length == 0 || k.length > Seqs.MAX_KEY_LENGTH) {
            throw new CliException(ExitCode.USAGE, "key length " + k.length + ", expected 1.." + Seqs.MAX_KEY_LENGTH);
        }
        byte[] value;
        try (Seqs store = StoreAccess.openReadOnly(dir, output.checkpointDir)) {
            value = store.get(k);
        }
        var out = spec.commandLine().getOut();
        if (value == null) {
            if (output.json()) {
                out.println("{\"key\":" + Json.string(Codec.display(k)) + ",\"found\":false}");
            }
            spec.commandLine().getErr().println("seqs get: no value for key " + Codec.display(k));
            return ExitCode.NEGATIVE;
        }
        if (output.json()) {
            out.println("{\"key\":" + Json.string(Codec.display(k)) + ",\"found\":true,\"value_bytes\":" + value.length
                    + ",\"value_base64\":"
                    + Json.string(java.util.Base64.getEncoder().encodeToString(value)) + "}");
        } else if (hex) {
            out.print(Codec.hexDump(value));
            out.flush();
        } else {
            out.flush();
            parent.out().write(value);
            parent.out().flush();
        }
        return ExitCode.OK;
    }
}
