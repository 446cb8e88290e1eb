package io.seqs.cli;

import io.seqs.SeqsException;
import java.io.PrintWriter;
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
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs one command in this JVM, for tests and embedding.
     *
     * @param args the command line
     * @param out standard output for tables, JSON and help
     * @param err standard error for messages and progress
     * @return the exit code ({@link ExitCode})
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return commandLine(out, err).execute(args);
    }

    /**
     * The command line with every subcommand, exit-code mapping and error handling.
     *
     * @param out standard output
     * @param err standard error
     * @return the configured command line
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SeqsCommand());
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
        if (ex instanceof IllegalStateException i && i.getMessage() != null && i.getMessage().contains("already open")) {
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
