package io.hookshard.db;

import io.hookshard.core.Rfc3339;

import java.time.Instant;
import java.util.Collection;
import java.util.function.Function;

/**
 * Helpers to bind a batch as parallel arrays for {@code unnest}: one statement, one round trip, any batch size. For
 * short values only: pgjdbc escapes array elements character by character, so rows with payloads go through
 * {@link CopyRows}.
 */
final class Sql {
    private Sql() {
    }

    static <T> String[] texts(Collection<T> rows, Function<T, String> column) {
        return rows.stream().map(column).toArray(String[]::new);
    }

    static <T> String[] instants(Collection<T> rows, Function<T, Instant> column) {
        return rows.stream().map(row -> Rfc3339.format(column.apply(row))).toArray(String[]::new);
    }

    static <T> Long[] longs(Collection<T> rows, Function<T, Long> column) {
        return rows.stream().map(column).toArray(Long[]::new);
    }

    static <T> Integer[] ints(Collection<T> rows, Function<T, Integer> column) {
        return rows.stream().map(column).toArray(Integer[]::new);
    }
}
