package io.hookshard.providers;

import io.hookshard.core.Violation;

import java.util.List;

/** A provider event that cannot be read as one, at a pointer into the event: answered 422, never stored. */
public final class MappingException extends Exception {
    private final List<Violation> violations;

    public MappingException(String pointer, String message) {
        this(List.of(new Violation(pointer, message)));
    }

    MappingException(List<Violation> violations) {
        super(violations.get(0).pointer() + " " + violations.get(0).message(), null, false, false);
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
