package io.seqs.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes seqs' log records (System.Logger, backed by java.util.logging) into the run's output: one
 * line each, prefixed with the logger and level, and kept for results.json. A torn tail dropped at
 * recovery after the SIGKILL, for instance, is logged by seqs at WARNING level; it is an expected
 * event of that phase and the line says which component reported it, unlike the JVM's own warnings
 * (on Unsafe or native access), which must never appear.
 */
final class EngineLog {
    /** Keeps a strong reference: java.util.logging holds loggers weakly and would drop the configuration. */
    private static Logger seqsLogger;

    private EngineLog() {}

    /**
     * @param sink where messages are collected (null: not kept)
     * @param console where they are printed, INFO and above
     */
    static synchronized void install(List<String> sink, PrintStream console) {
        Logger logger = Logger.getLogger("io.seqs");
        for (Handler h : logger.getHandlers()) {
            logger.removeHandler(h);
        }
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.INFO);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = format(record);
                if (sink != null) {
                    sink.add(record.getLevel().getName().toLowerCase(Locale.ROOT) + ": " + message);
                }
                console.println("  [io.seqs " + record.getLevel().getName().toLowerCase(Locale.ROOT) + "] " + message);
            }

            @Override
            public void flush() {
                console.flush();
            }

            @Override
            public void close() {}
        });
        seqsLogger = logger;
    }

    private static String format(LogRecord r) {
        String msg = r.getMessage();
        Object[] params = r.getParameters();
        if (msg != null && params != null && params.length > 0) {
            try {
                msg = java.text.MessageFormat.format(msg, params);
            } catch (IllegalArgumentException e) {
                // keep the raw pattern
            }
        }
        if (r.getThrown() != null) {
            msg = msg + " (" + r.getThrown() + ")";
        }
        return msg;
    }
}
