package io.hookshard.move;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Copies a bucket set's rows from one shard to another in chunks of buckets sized for {@link #ROWS_PER_CHUNK} rows,
 * each chunk streamed with COPY and merged into the target as the writers would merge it. A pass reads the source
 * under one REPEATABLE READ snapshot and returns it; the next pass copies only rows whose transaction that snapshot
 * did not see (their txid), so a catch-up misses no row that committed after, or was in flight during, the previous
 * pass.
 */
final class BucketCopier {
    /** Deletes go a few buckets at a time, each chunk a statement of its own. */
    private static final int BUCKETS_PER_CHUNK = 8;
    /**
     * The rows a copy chunk is sized for: a chunk's rows are held in memory between the source's COPY and the
     * target's. A delta smaller than this goes in one chunk: in fixed chunks of 8 buckets a final catch-up of a few
     * hundred rows spread over 256 buckets took 192 round trips and target transactions, 5.7 s of frozen buckets.
     */
    static final long ROWS_PER_CHUNK = 20_000;

    /** What a pass did: the source snapshot it read under, and how many rows it copied. */
    record Pass(String snapshot, long rows) {
    }

    /**
     * @param since the snapshot of the previous pass, or null to copy every row of the buckets
     */
    Pass copy(Jdbi source, Jdbi target, List<Integer> buckets, String since, Consumer<String> progress) {
        return source.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, handle -> {
            // The first statement fixes the transaction's snapshot; the second reads it.
            handle.createQuery("SELECT 1").mapTo(Integer.class).one();
            String snapshot = handle.createQuery("SELECT pg_current_snapshot()::text").mapTo(String.class).one();
            long rows = 0;
            for (MovedTable table : MovedTable.values()) {
                long tableRows = 0;
                // Counted under the same snapshot as the copy reads, so the chunks are sized for exactly its rows.
                int perChunk = bucketsPerChunk(handle.createQuery("SELECT count(*) FROM " + table.table() + " WHERE "
                        + filter(buckets, since)).mapTo(Long.class).one(), buckets.size());
                for (int from = 0; from < buckets.size(); from += perChunk) {
                    List<Integer> chunk = buckets.subList(from, Math.min(buckets.size(), from + perChunk));
                    tableRows += copyChunk(handle, target, table, chunk, since);
                    if (from == 0 && table.ordinal() == 0) {
                        MoveHold.after("copy-chunk", progress);
                    }
                }
                if (tableRows > 0) {
                    progress.accept("  " + table.table() + ": " + tableRows + " row(s)");
                }
                rows += tableRows;
            }
            return new Pass(snapshot, rows);
        });
    }

    /** How many of a table's buckets go in one chunk, for {@code rows} rows in {@code buckets} buckets. */
    static int bucketsPerChunk(long rows, int buckets) {
        if (rows <= ROWS_PER_CHUNK) {
            return Math.max(1, buckets);
        }
        return (int) Math.max(1, buckets * ROWS_PER_CHUNK / rows);
    }

    /** A bucket set's rows; with {@code since}, only those written by transactions that snapshot did not see. */
    private static String filter(List<Integer> buckets, String since) {
        String filter = "bucket = ANY('{" + buckets.stream().map(String::valueOf).collect(Collectors.joining(","))
                + "}'::integer[])";
        if (since != null) {
            filter += " AND txid >= pg_snapshot_xmin('" + since + "'::pg_snapshot) AND NOT pg_visible_in_snapshot(txid, '"
                    + since + "'::pg_snapshot)";
        }
        return filter;
    }

    private static long copyChunk(Handle source, Jdbi target, MovedTable table, List<Integer> chunk, String since) {
        String filter = filter(chunk, since);
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        long count;
        try {
            count = copyApi(source).copyOut("COPY (SELECT " + table.columns() + " FROM " + table.table() + " WHERE "
                    + filter + ") TO STDOUT", rows);
        } catch (SQLException e) {
            throw new IllegalStateException("copying " + table.table() + " from the source failed: " + e.getMessage(),
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (count > 0) {
            byte[] bytes = rows.toByteArray();
            target.useTransaction(handle -> {
                handle.execute("CREATE TEMP TABLE move_staging (LIKE " + table.table() + " INCLUDING DEFAULTS)"
                        + " ON COMMIT DROP");
                try {
                    copyApi(handle).copyIn("COPY move_staging (" + table.columns() + ") FROM STDIN",
                            new ByteArrayInputStream(bytes));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (SQLException e) {
                    throw new IllegalStateException("copying " + table.table() + " into the target failed: "
                            + e.getMessage(), e);
                }
                handle.execute(table.mergeFrom("move_staging"));
            });
        }
        return count;
    }

    private static CopyManager copyApi(Handle handle) throws SQLException {
        return handle.getConnection().unwrap(PGConnection.class).getCopyAPI();
    }

    /** Deletes a bucket set's rows from a shard, table by table, in chunks (stale copies, or a source after a move). */
    static long delete(Jdbi shard, List<Integer> buckets) {
        long deleted = 0;
        for (MovedTable table : MovedTable.values()) {
            for (int from = 0; from < buckets.size(); from += BUCKETS_PER_CHUNK) {
                List<Integer> chunk = buckets.subList(from, Math.min(buckets.size(), from + BUCKETS_PER_CHUNK));
                deleted += shard.withHandle(handle -> handle.createUpdate("DELETE FROM " + table.table()
                                + " WHERE bucket = ANY(:buckets::integer[])")
                        .bind("buckets", chunk.toArray(Integer[]::new)).execute());
            }
        }
        return deleted;
    }

    /** Per table, the counts and checksums of a bucket set's rows on the source and on the target. */
    record Checksums(List<String> source, List<String> target) {
    }

    /**
     * Both shards' {@link #checksums}, scanned at once: a move verifies while its buckets are frozen, and each scan is
     * one server's work.
     */
    static Checksums checksumsAtOnce(Jdbi source, Jdbi target, List<Integer> buckets) {
        CompletableFuture<List<String>> onTarget = new CompletableFuture<>();
        Thread targetScan = new Thread(() -> {
            try {
                onTarget.complete(checksums(target, buckets));
            } catch (RuntimeException | Error e) {
                onTarget.completeExceptionally(e);
            }
        }, "bucket-move-verify");
        targetScan.start();
        List<String> onSource = checksums(source, buckets);
        try {
            return new Checksums(onSource, onTarget.join());
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Per table, the count and checksum of a bucket set's rows on a shard. */
    static List<String> checksums(Jdbi shard, List<Integer> buckets) {
        return shard.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, handle -> {
            // Row texts must not depend on the session: timestamps print in UTC on both shards.
            handle.execute("SET LOCAL TimeZone = 'UTC'");
            return java.util.Arrays.stream(MovedTable.values()).map(table -> table.table() + "=" + handle
                    .createQuery(table.checksum()).bind("buckets", buckets.toArray(Integer[]::new))
                    .map((rs, ctx) -> rs.getLong(1) + "/" + rs.getBigDecimal(2).toPlainString()).one()).toList();
        });
    }
}
