package io.seqs.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;

/** The top-level {@code seqs} command: only subcommands. */
@Command(
        name = "seqs",
        mixinStandardHelpOptions = true,
        version = "seqs-cli 0.1.0, on-disk format 1 (segment format 1 and 2)",
        description = "Looks into, checks and rescues seqs store directories. No command but salvage (which writes a "
                + "new store) and load (which writes the store it is given) changes a byte of a store.",
        subcommands = {
            InfoCommand.class,
            VerifyCommand.class,
            StatsCommand.class,
            GetCommand.class,
            DumpCommand.class,
            LoadCommand.class,
            SalvageCommand.class,
            AutoComplete.GenerateCompletion.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done; verify: the store is sound",
            "1:verify found damage; get found no value; salvage could not save everything",
            "2:usage error",
            "3:the store is open by a writer elsewhere",
            "4:failure (not a store, I/O error)"
        })
public final class SeqsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final java.io.InputStream in;
    private final java.io.OutputStream out;
    private final java.io.PrintStream err;

    /** For picocli's generated documentation and completion: the process's own streams. */
    public SeqsCommand() {
        this(System.in, System.out, System.err);
    }

    /**
     * @param in where load reads a dump from
     * @param out where values and dumps are written, raw
     * @param err where progress goes
     */
    public SeqsCommand(java.io.InputStream in, java.io.OutputStream out, java.io.PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** Standard input. */
    public java.io.InputStream in() {
        return in;
    }

    /** Standard output, for raw bytes (flush the command's writer first). */
    public java.io.OutputStream out() {
        return out;
    }

    /** Standard error, for progress lines. */
    public java.io.PrintStream err() {
        return err;
    }

    /** Without a subcommand: usage on stderr, exit code 2. */
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
