package io.hookshard.core;

import java.util.List;

/** An event that can never be applied, whatever is retried: it belongs in the dead-letter topic. */
public final class InvalidEventException extends Exception {
    private final String reason;
    private final List<Violation> violations;

    public InvalidEventException(String reason, String message) {
        this(reason, message, List.of());
    }

    public InvalidEventException(String reason, String message, List<Violation> violations) {
        super(message, null, false, false);
        this.reason = reason;
        this.violations = List.copyOf(violations);
    }

    /** A stable code (e.g. {@code schema_violation}) for metrics, logs and the dead-letter record. */
    public String reason() {
        return reason;
    }

    public List<Violation> violations() {
        return violations;
    }
}
