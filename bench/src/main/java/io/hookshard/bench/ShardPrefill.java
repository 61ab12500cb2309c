package io.hookshard.bench;

import io.hookshard.core.EventType;
import io.hookshard.core.OrderStatus;
import io.hookshard.router.BucketFunction;
import io.hookshard.router.BucketMap;
import io.hookshard.router.Route;
import io.hookshard.router.ShardRouter;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fills a deployment's shards with {@code events} stored order events directly in SQL, as the service would have left
 * them: for each event its inbox row, its event row, its order (one order per event, as in the sink phase), its
 * order's directory entry on the shard of the order id, its downstream event in the outbox (published), and the
 * bucket marks. Users, order ids and buckets are routed as the service routes them (the bucket function is Java's:
 * the routing is computed here and handed to each shard, which generates the rows with generate_series). Both shards
 * fill at once. The schema must exist (the service started once on the deployment).
 */
final class ShardPrefill {
    private static final int BUCKETS = BucketFunction.DEFAULT_BUCKETS;
    private static final List<String> SHARD_IDS = List.of("shard-a", "shard-b");

    private ShardPrefill() {
    }

    /** Event i belongs to user-(i % users) and creates order-pre-i; provider event evt-pre-i. */
    static void fill(BenchStack.Deployment deployment, long events, int users) throws Exception {
        ShardRouter router = new ShardRouter(new BucketFunction(BUCKETS), BucketMap.evenSplit(BUCKETS, SHARD_IDS));
        List<StringBuilder> userRows = new ArrayList<>();
        List<StringBuilder> directoryRows = new ArrayList<>();
        for (int s = 0; s < SHARD_IDS.size(); s++) {
            userRows.add(new StringBuilder());
            directoryRows.add(new StringBuilder());
        }
        for (int k = 0; k < users; k++) {
            String user = "user-" + k;
            Route route = router.route(user);
            userRows.get(SHARD_IDS.indexOf(route.shardId())).append(k).append('\t').append(route.bucket())
                    .append('\n');
        }
        for (long i = 0; i < events; i++) {
            Route route = router.route("order-pre-" + i);
            directoryRows.get(SHARD_IDS.indexOf(route.shardId())).append(i).append('\t').append(route.bucket())
                    .append('\t').append("user-").append(i % users).append('\n');
        }
        ExecutorService pool = Executors.newFixedThreadPool(SHARD_IDS.size());
        try {
            List<Future<?>> fills = new ArrayList<>();
            for (int s = 0; s < SHARD_IDS.size(); s++) {
                String url = deployment.shardUrls().get(s);
                String shardId = SHARD_IDS.get(s);
                String shardUsers = userRows.get(s).toString();
                String directory = directoryRows.get(s).toString();
                fills.add(pool.submit(() -> {
                    fillShard(url, shardId, shardUsers, directory, events, users);
                    return null;
                }));
            }
            for (Future<?> fill : fills) {
                fill.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static void fillShard(String url, String shardId, String shardUsers, String directory, long events,
                                  int users) throws SQLException, IOException {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
             Statement sql = connection.createStatement()) {
            sql.execute("CREATE TEMP TABLE prefill_users (k bigint, bucket integer)");
            sql.execute("CREATE TEMP TABLE prefill_directory (i bigint, bucket integer, user_id text)");
            PGConnection pg = connection.unwrap(PGConnection.class);
            pg.getCopyAPI().copyIn("COPY prefill_users FROM STDIN", reader(shardUsers));
            pg.getCopyAPI().copyIn("COPY prefill_directory FROM STDIN", reader(directory));
            // UUID.nameUUIDFromBytes: the MD5 of the name with the version (3) and variant (10) bits set.
            sql.execute("""
                    CREATE FUNCTION pg_temp.name_uuid(name text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
                      SELECT (substr(h, 1, 12) || '3' || substr(h, 14, 3)
                              || to_hex((('x' || substr(h, 17, 1))::bit(4)::integer & 3) | 8)
                              || substr(h, 18))::uuid
                      FROM md5(name) AS h $$""");
            // The events of this shard's users: i = g * users + k for every user k routed here. A view, generated
            // again by each insert: cheaper than writing gigabytes of payloads to a temporary table and back.
            sql.execute(String.format("""
                    CREATE TEMP VIEW prefill_events AS
                    SELECT i, 'user-' || u.k AS user_id, u.bucket, 'evt-pre-' || i AS provider_event_id,
                           'order-pre-' || i AS order_id, 100 + i %% 9000 AS amount_minor,
                           pg_temp.name_uuid('%1$s:evt-pre-' || i) AS event_id,
                           '{"provider_event_id":"evt-pre-' || i || '","user_id":"user-' || u.k
                             || '","order_id":"order-pre-' || i || '","status":"paid","amount_minor":'
                             || (100 + i %% 9000) || ',"currency":"EUR","occurred_at":"2026-11-20T10:00:00Z","note":"'
                             || repeat('p', %2$d) || '"}' AS payload
                    FROM prefill_users u, generate_series(0, %3$d) AS g, LATERAL (SELECT g * %4$d + u.k AS i) AS e
                    WHERE i < %5$d""", EventType.ORDER_PAYMENT.wireName(), SignedRequests.PADDING.length(),
                    (events - 1) / users, users, events));
            insert(sql, String.format("""
                    INSERT INTO inbox (event_type, provider_event_id, event_id, digest, bucket)
                    SELECT '%s', provider_event_id, event_id,
                           substring(sha256(convert_to(payload, 'UTF8')) FROM 1 FOR 16), bucket
                    FROM prefill_events""", EventType.ORDER_PAYMENT.wireName()));
            insert(sql, """
                    INSERT INTO order_events (bucket, order_id, provider_event_id, occurred_at, user_id, status,
                                              amount_minor, currency, event_id, received_at, payload)
                    SELECT bucket, order_id, provider_event_id, '2026-11-20T10:00:00Z', user_id, 'paid',
                           amount_minor, 'EUR', event_id, now(), payload::json
                    FROM prefill_events""");
            insert(sql, String.format("""
                    INSERT INTO orders (order_id, user_id, status, status_rank, amount_minor, currency,
                                        last_event_at, last_provider_event_id, bucket)
                    SELECT order_id, user_id, 'paid', %d, amount_minor, 'EUR', '2026-11-20T10:00:00Z',
                           provider_event_id, bucket
                    FROM prefill_events""", OrderStatus.PAID.rank()));
            // The downstream event of each new order, as CloudEvents writes it, already published by the relay.
            insert(sql, String.format("""
                    INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, bucket, published_at)
                    SELECT id, 'order', order_id, 'io.hookshard.order.paid',
                           ('{"specversion":"1.0","id":"' || id || '","source":"hookshard/%s","type":'
                            || '"io.hookshard.order.paid","subject":"' || order_id || '","time":'
                            || '"2026-11-20T10:00:00Z","datacontenttype":"application/json","data":{"order_id":"'
                            || order_id || '","user_id":"' || user_id || '","status":"paid","previous_status":null,'
                            || '"amount_minor":' || amount_minor || ',"currency":"EUR","occurred_at":'
                            || '"2026-11-20T10:00:00Z","provider_event_id":"' || provider_event_id || '"}}')::json,
                           bucket, now()
                    FROM (SELECT pg_temp.name_uuid('hookshard.outbox' || chr(10) || 'io.hookshard.order.paid'
                                 || chr(10) || order_id || chr(10) || order_id || chr(10) || provider_event_id) AS id, *
                          FROM prefill_events) AS e""", shardId));
            insert(sql, """
                    INSERT INTO order_directory (order_id, user_id, bucket)
                    SELECT 'order-pre-' || i, user_id, bucket FROM prefill_directory""");
            insert(sql, """
                    INSERT INTO bucket_usage (bucket)
                    SELECT DISTINCT bucket FROM prefill_users UNION SELECT DISTINCT bucket FROM prefill_directory
                    ON CONFLICT DO NOTHING""");
            // As a shard that has run for a while: vacuumed (autovacuum would otherwise start on every freshly loaded
            // table inside the measured phase, reading and rewriting all of it), statistics gathered, and the bulk of
            // the WAL checkpointed.
            sql.execute("VACUUM (ANALYZE)");
            sql.execute("CHECKPOINT");
        }
    }

    /**
     * One table's rows in a transaction of their own, then a checkpoint: the WAL of a multi-million-event fill is
     * recycled table by table instead of piling up to max_wal_size (8 GB per shard) on a disk the data also needs.
     */
    private static void insert(Statement sql, String statement) throws SQLException {
        sql.execute(statement);
        sql.execute("CHECKPOINT");
    }

    private static Reader reader(String text) {
        return new java.io.StringReader(text);
    }
}
