package io.hookshard.security;

/** A webhook whose signature cannot be trusted; {@link #reason()} is a stable code for metrics and logs. */
public final class SignatureException extends Exception {
    private final String reason;

    public SignatureException(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
