package io.seqs.crashtest;

/** A broken promise of the store, with everything needed to replay it. */
final class CrashTestFailure extends AssertionError {
    CrashTestFailure(String message) {
        super(message);
    }
}
