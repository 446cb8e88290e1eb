package io.seqs.cli;

import io.seqs.SeqsException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point: {@code java -jar seqs-cli.jar COMMAND DIR ...}. */
public final class Main {
    private Main() {}

    /**
     * Runs one command and exits with its code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /**
     * Runs one command in this JVM, for tests and embedding.
     *
     * @param args the command line
     * @param in standard input (load reads a dump from it)
     * @param out standard output for tables, JSON, values and dumps
     * @param err standard error for messages and progress
     * @return the exit code ({@link ExitCode})
     */
    public static int run(String[] args, InputStream in, OutputStream out, OutputStream err) {
        PrintStream errStream = err instanceof PrintStream p ? p : new PrintStream(err, true, StandardCharsets.UTF_8);
        SeqsCommand top = new SeqsCommand(in, out, errStream);
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(errStream, StandardCharsets.UTF_8), true);
        try {
            return commandLine(top, outWriter, errWriter).execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /**
     * The command line with every subcommand, exit-code mapping and error handling.
     *
     * @param top the top-level command, holding the raw streams
     * @param out standard output
     * @param err standard error
     * @return the configured command line
     */
    static CommandLine commandLine(SeqsCommand top, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(top);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(Main::exitCode);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("seqs " + line.getCommandName() + ": " + message(ex));
            if (!(ex instanceof CliException) && Boolean.getBoolean("seqs.cli.trace")) {
                ex.printStackTrace(line.getErr());
            }
            return exitCode(ex);
        });
        cl.getCommandSpec().exitCodeOnUsageHelp(ExitCode.OK);
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE);
        return cl;
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof CliException c) {
            return c.exitCode();
        }
        if (ex instanceof CommandLine.ParameterException) {
            return ExitCode.USAGE;
        }
        if (ex instanceof IllegalStateException i
                && i.getMessage() != null
                && i.getMessage().contains("already open")) {
            return ExitCode.LOCKED;
        }
        return ExitCode.FAILED;
    }

    private static String message(Throwable ex) {
        if (ex instanceof CliException || ex instanceof SeqsException || ex instanceof IllegalStateException) {
            String m = ex.getMessage();
            Throwable cause = ex.getCause();
            return cause == null ? m : m + ": " + cause;
        }
        return ex.toString();
    }
}
