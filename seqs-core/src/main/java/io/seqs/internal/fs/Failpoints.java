package io.seqs.internal.fs;

/**
 * Named points where a crash test can stop the process dead, as a power cut or SIGKILL would.
 * Inert unless the system property {@value #PROPERTY} is set to {@code name} (halt at the first
 * hit) or {@code name@n} (halt at the n-th hit). The process halts with exit code
 * {@value #EXIT_CODE}, running no shutdown hooks and flushing nothing.
 */
public final class Failpoints {
    static final String PROPERTY = "seqs.failpoint";
    static final int EXIT_CODE = 86;

    private static final String NAME;
    private static final long AT_HIT;
    private static final java.util.concurrent.atomic.AtomicLong HITS = new java.util.concurrent.atomic.AtomicLong();

    static {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || spec.isBlank()) {
            NAME = null;
            AT_HIT = 0;
        } else {
            int at = spec.indexOf('@');
            NAME = at < 0 ? spec : spec.substring(0, at);
            AT_HIT = at < 0 ? 1 : Long.parseLong(spec.substring(at + 1));
        }
    }

    private Failpoints() {}

    public static void hit(String name) {
        if (NAME != null && NAME.equals(name) && HITS.incrementAndGet() == AT_HIT) {
            System.err.println("seqs: halting at failpoint " + name);
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
