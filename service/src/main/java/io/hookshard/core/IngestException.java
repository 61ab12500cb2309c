package io.hookshard.core;

/** An admitted webhook that could not be taken now (or ever): the status, code and, for a 503, when to retry. */
public final class IngestException extends RuntimeException {
    private final int status;
    private final String code;
    private final int retryAfterSeconds;

    public IngestException(int status, String code, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
