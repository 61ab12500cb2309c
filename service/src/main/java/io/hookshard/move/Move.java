package io.hookshard.move;

import io.hookshard.router.BucketRange;
import org.jdbi.v3.core.Jdbi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** One bucket move as the catalog records it (table bucket_moves), so that a killed mover can be resumed. */
record Move(Jdbi catalog, long id, List<Integer> buckets, String from, String to, String state, String snapshot,
            long rowsCopied, long mapVersion) {

    static Optional<Move> unfinished(Jdbi catalog) {
        return catalog.withHandle(handle -> handle.createQuery("""
                        SELECT move_id, buckets, from_shard, to_shard, state, snapshot, rows_copied,
                               coalesce(map_version, 0)
                        FROM bucket_moves WHERE state IN ('copying', 'frozen') ORDER BY move_id LIMIT 1""")
                .map((rs, ctx) -> new Move(catalog, rs.getLong(1), buckets(rs.getString(2)), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7), rs.getLong(8)))
                .findOne());
    }

    static Move start(Jdbi catalog, List<Integer> buckets, String from, String to) {
        String ranges = BucketRange.compact(buckets).toString();
        long id = catalog.withHandle(handle -> handle.createQuery("""
                        INSERT INTO bucket_moves (buckets, from_shard, to_shard, state) VALUES (:buckets, :from, :to,
                        'copying') RETURNING move_id""")
                .bind("buckets", ranges).bind("from", from).bind("to", to).mapTo(Long.class).one());
        return new Move(catalog, id, List.copyOf(buckets), from, to, "copying", null, 0, 0);
    }

    Move copied(String newSnapshot, long rows) {
        update("UPDATE bucket_moves SET snapshot = :snapshot, rows_copied = :rows, updated_at = now()"
                + " WHERE move_id = :id", newSnapshot, rows);
        return new Move(catalog, id, buckets, from, to, state, newSnapshot, rows, mapVersion);
    }

    Move frozen() {
        update("UPDATE bucket_moves SET state = 'frozen', frozen_at = now(), updated_at = now() WHERE move_id = :id",
                snapshot, rowsCopied);
        return new Move(catalog, id, buckets, from, to, "frozen", snapshot, rowsCopied, mapVersion);
    }

    void switched(long version) {
        catalog.useHandle(handle -> handle.createUpdate("""
                        UPDATE bucket_moves SET state = 'switched', map_version = :version, switched_at = now(),
                            updated_at = now() WHERE move_id = :id""")
                .bind("version", version).bind("id", id).execute());
    }

    void aborted(String detail) {
        catalog.useHandle(handle -> handle.createUpdate("""
                        UPDATE bucket_moves SET state = 'aborted', detail = :detail, updated_at = now()
                        WHERE move_id = :id""")
                .bind("detail", detail).bind("id", id).execute());
    }

    private void update(String sql, String newSnapshot, long rows) {
        catalog.useHandle(handle -> handle.createUpdate(sql).bindByType("snapshot", newSnapshot, String.class)
                .bind("rows", rows).bind("id", id).execute());
    }

    private static List<Integer> buckets(String ranges) {
        List<Integer> buckets = new ArrayList<>();
        Arrays.stream(ranges.replace("[", "").replace("]", "").split(",")).map(String::trim)
                .filter(range -> !range.isEmpty()).map(BucketRange::parse).forEach(range -> {
                    for (int bucket = range.first(); bucket <= range.last(); bucket++) {
                        buckets.add(bucket);
                    }
                });
        return buckets;
    }
}
