package io.hookshard.tasks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads task query parameters, refusing bad values with a message that names the parameter. A parameter given empty
 * or twice is refused, never read as absent or as its first value: a script whose variable is unset must not pause
 * every topic or replay every dead letter.
 */
final class TaskParameters {
    private TaskParameters() {
    }

    /**
     * Refuses a parameter the task does not take: a mistyped one ({@code dryrun=true}) would otherwise be ignored, and
     * the task run without it.
     */
    static void only(Map<String, List<String>> parameters, String... known) {
        for (String name : parameters.keySet()) {
            if (!List.of(known).contains(name)) {
                throw new IllegalArgumentException("unknown parameter " + name + "; this task takes "
                        + (known.length == 0 ? "none" : String.join(", ", known)));
            }
        }
    }

    /** The parameter's value, or null when it is not given at all. */
    static String string(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException(name + " is given " + values.size() + " times; give it once");
        }
        if (values.get(0).isBlank()) {
            throw new IllegalArgumentException(name + " is empty; leave it out, or give it a value");
        }
        return values.get(0).trim();
    }

    static int integer(Map<String, List<String>> parameters, String name, int fallback, int min, int max) {
        String value = string(parameters, name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got " + value);
        }
    }

    /** Absent is false; {@code true}, {@code yes}, {@code 1} and {@code false}, {@code no}, {@code 0}, in any case. */
    static boolean flag(Map<String, List<String>> parameters, String name) {
        String value = string(parameters, name);
        if (value == null) {
            return false;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got " + value);
        };
    }
}
