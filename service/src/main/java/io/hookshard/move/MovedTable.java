package io.hookshard.move;

import java.util.List;

/**
 * A sharded table as a bucket move sees it: the columns a copy carries (all but txid, which records the copy's own
 * transaction on the target), how a copied row meets a row the target may already hold, and what the verification
 * compares. Every table's rows carry their bucket, so a bucket's rows are {@code WHERE bucket = ANY(...)}.
 */
enum MovedTable {
    INBOX("inbox", "event_type, provider_event_id, event_id, processed_at, digest, bucket",
            "ON CONFLICT (event_type, provider_event_id) DO NOTHING"),
    ORDER_DIRECTORY("order_directory", "order_id, user_id, created_at, bucket", "ON CONFLICT (order_id) DO NOTHING"),
    ORDER_EVENTS("order_events", "order_id, provider_event_id, occurred_at, user_id, status, amount_minor, currency,"
            + " event_id, received_at, stored_at, payload, bucket",
            "ON CONFLICT (order_id, provider_event_id, occurred_at) DO NOTHING"),
    DISPUTE_EVENTS("dispute_events", "dispute_id, provider_event_id, occurred_at, order_id, user_id, status, reason,"
            + " amount_minor, currency, event_id, received_at, stored_at, payload, bucket",
            "ON CONFLICT (dispute_id, provider_event_id, occurred_at) DO NOTHING"),
    // State rows merge as the writers merge them: a copy replaces a row only with a strictly newer state, so copy
    // passes and catch-ups converge whatever order they come in.
    ORDERS("orders", "order_id, user_id, status, status_rank, amount_minor, currency, last_event_at,"
            + " last_provider_event_id, created_at, updated_at, bucket", newerWins("orders", "order_id",
            List.of("user_id", "status", "status_rank", "amount_minor", "currency", "last_event_at",
                    "last_provider_event_id", "updated_at"))),
    DISPUTES("disputes", "dispute_id, order_id, user_id, status, status_rank, reason, amount_minor, currency,"
            + " last_event_at, last_provider_event_id, created_at, updated_at, bucket", newerWins("disputes",
            "dispute_id, order_id", List.of("status", "status_rank", "reason", "amount_minor", "currency", "last_event_at",
                    "last_provider_event_id", "updated_at")));

    private final String table;
    private final String columns;
    private final String onConflict;

    MovedTable(String table, String columns, String onConflict) {
        this.table = table;
        this.columns = columns;
        this.onConflict = onConflict;
    }

    String table() {
        return table;
    }

    String columns() {
        return columns;
    }

    /** Moves rows staged in {@code staging} into the table, merging with what is there. */
    String mergeFrom(String staging) {
        return "INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + staging + " " + onConflict;
    }

    /** Count and an order-independent checksum of a bucket set's rows, equal on two shards holding the same rows. */
    String checksum() {
        return "SELECT count(*), coalesce(sum(hashtextextended(ROW(" + columns + ")::text, 0)::numeric), 0) FROM "
                + table + " WHERE bucket = ANY(:buckets::integer[])";
    }

    private static String newerWins(String table, String key, List<String> updated) {
        StringBuilder set = new StringBuilder();
        for (String column : updated) {
            set.append(set.isEmpty() ? "" : ", ").append(column).append(" = EXCLUDED.").append(column);
        }
        return "ON CONFLICT (" + key + ") DO UPDATE SET " + set + ", txid = pg_current_xact_id()"
                + " WHERE (EXCLUDED.last_event_at, EXCLUDED.status_rank, EXCLUDED.last_provider_event_id COLLATE \"C\")"
                + " > (" + table + ".last_event_at, " + table + ".status_rank, " + table
                + ".last_provider_event_id COLLATE \"C\")";
    }
}
