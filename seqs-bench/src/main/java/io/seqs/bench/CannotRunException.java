package io.seqs.bench;

/**
 * The run cannot start as configured (for instance, not enough free disk); the message says why
 * and what to change, so it is printed without a stack trace.
 */
final class CannotRunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CannotRunException(String message) {
        super(message);
    }
}
