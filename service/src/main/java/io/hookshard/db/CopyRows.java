package io.hookshard.db;

import io.hookshard.core.Rfc3339;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Rows streamed with {@code COPY ... FROM STDIN} in PostgreSQL's text format. For event rows, whose ~1 KiB payloads
 * dominate a batch, COPY costs the server a fraction of a multi-row INSERT: no statement to plan and no JSON document
 * to take apart, each value parsed once by its column's type. COPY has no ON CONFLICT: it suits rows the inbox has
 * just admitted in the same transaction, which cannot exist yet; a unique violation would mean inbox and events
 * disagree, and fails the batch like any constraint violation.
 */
final class CopyRows {
    private final Buffer bytes;
    private boolean rowStarted;

    CopyRows(int expectedRows) {
        this.bytes = new Buffer(expectedRows * 1536);
    }

    CopyRows text(String value) {
        separate();
        if (needsEscape(value)) {
            value = escape(value);
        }
        bytes.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    CopyRows number(long value) {
        return text(Long.toString(value));
    }

    CopyRows instant(Instant value) {
        return text(Rfc3339.format(value));
    }

    void endRow() {
        bytes.write('\n');
        rowStarted = false;
    }

    /** Streams the rows into {@code table (columns)} on the handle's connection, inside its transaction. */
    long copyInto(Handle handle, String table, String columns) {
        try {
            CopyIn copy = handle.getConnection().unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + table + " (" + columns + ") FROM STDIN");
            try {
                copy.writeToCopy(bytes.array(), 0, bytes.size());
                return copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        } catch (SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException(e, null);
        }
    }

    /** Hands its array to COPY as it is: a batch is a megabyte or two, and toByteArray() would copy it once more. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }

    private void separate() {
        if (rowStarted) {
            bytes.write('\t');
        }
        rowStarted = true;
    }

    private static boolean needsEscape(String value) {
        // indexOf is a JVM intrinsic: four such scans beat one loop over the characters of a ~1 KiB payload.
        return value.indexOf('\\') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0
                || value.indexOf('\t') >= 0;
    }

    private static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
