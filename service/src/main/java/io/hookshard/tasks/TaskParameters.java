package io.hookshard.tasks;

import java.util.List;
import java.util.Map;

/** Reads task query parameters, refusing bad values with a message that names the parameter. */
final class TaskParameters {
    private TaskParameters() {
    }

    static String string(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0).trim();
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

    static boolean flag(Map<String, List<String>> parameters, String name) {
        String value = string(parameters, name);
        return value != null && (value.equals("true") || value.equals("1") || value.equals("yes"));
    }
}
