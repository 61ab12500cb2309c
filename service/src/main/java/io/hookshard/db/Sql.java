package io.hookshard.db;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Collection;
import java.util.function.Function;

/**
 * Helpers to bind a batch in one parameter: parallel arrays for {@code unnest}, or, where rows carry whole JSON
 * payloads, one JSON document for {@code jsonb_to_recordset} (pgjdbc escapes array elements character by character,
 * which for ~1 KiB payloads was the sink's hottest code). One statement, one round trip, any batch size.
 */
final class Sql {
    private static final JsonFactory JSON = new JsonFactory();

    private Sql() {
    }

    /** Writes one JSON object per row; a row writer adds its fields (raw payloads with writeRawValue). */
    static <T> String jsonRows(Collection<T> rows, RowWriter<T> writer) {
        StringWriter text = new StringWriter(rows.size() * 1024);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartArray();
            for (T row : rows) {
                json.writeStartObject();
                writer.write(json, row);
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return text.toString();
    }

    interface RowWriter<T> {
        void write(JsonGenerator json, T row) throws IOException;
    }

    static <T> String[] texts(Collection<T> rows, Function<T, String> column) {
        return rows.stream().map(column).toArray(String[]::new);
    }

    static <T> String[] instants(Collection<T> rows, Function<T, Instant> column) {
        return rows.stream().map(row -> column.apply(row).toString()).toArray(String[]::new);
    }

    static <T> Long[] longs(Collection<T> rows, Function<T, Long> column) {
        return rows.stream().map(column).toArray(Long[]::new);
    }

    static <T> Integer[] ints(Collection<T> rows, Function<T, Integer> column) {
        return rows.stream().map(column).toArray(Integer[]::new);
    }
}
