package io.hookshard.errors;

/**
 * An operation that runs once at a time (a bucket move, a dead-letter replay) was asked for while it runs: nothing
 * failed, and the same request succeeds once the other run ends. Told apart from a failure, which is logged with its
 * stack trace, so that an admin task answers it 409.
 */
public final class AlreadyRunning extends IllegalStateException {
    public AlreadyRunning(String message) {
        super(message);
    }
}
