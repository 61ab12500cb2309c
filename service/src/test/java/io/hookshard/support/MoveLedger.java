package io.hookshard.support;

import io.hookshard.router.BucketFunction;
import io.hookshard.router.BucketMap;
import io.hookshard.routing.Catalog;
import org.jdbi.v3.core.Jdbi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a {@link MoveLoad} had accepted, checked row by row against the shards once the moves are over and cleaned
 * up: every accepted event stored once, on the shard the catalog's newest map names for its bucket, and nothing
 * else; every order in its newest state; every shard vouching for exactly the buckets that map gives it.
 */
public final class MoveLedger {
    private final BucketFunction buckets = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);
    private final Map<String, String> shardUrls;
    private final BucketMap map;

    /** @param shardUrls shard id -> JDBC URL, the catalog's shard first */
    public MoveLedger(Map<String, String> shardUrls) {
        this.shardUrls = new LinkedHashMap<>(shardUrls);
        String catalog = shardUrls.keySet().iterator().next();
        this.map = new Catalog(jdbi(shardUrls.get(catalog)), catalog).latest().orElseThrow().map();
    }

    public BucketMap map() {
        return map;
    }

    public void assertEveryAcceptedEventStoredOnceWhereTheMapSays(MoveLoad load) {
        assertThat(load.acceptedEvents()).as("accepted events").isGreaterThan(300);
        assertOwnership();
        // Each accepted event, order or chargeback: its inbox row once, on its order's user's shard, and no other.
        Map<String, List<String>> inbox = rowsByShard("SELECT provider_event_id FROM inbox");
        assertThat(inbox.values().stream().mapToLong(List::size).sum()).as("inbox rows on all shards")
                .isEqualTo(load.events.size());
        inbox.forEach((shard, events) -> events.forEach(event -> {
            assertThat(load.events).as("inbox row %s on %s was accepted", event, shard).containsKey(event);
            assertThat(shard).as("shard of event %s", event).isEqualTo(home(load.orders.get(load.events.get(event))));
        }));
        assertThat(inbox.values().stream().flatMap(List::stream).distinct().count()).as("distinct inbox rows")
                .isEqualTo(load.events.size());

        Map<String, List<String>> orderEvents = rowsByShard("SELECT order_id FROM order_events");
        long expectedOrderEvents = load.orders.size() + load.refunded.size();
        assertThat(orderEvents.values().stream().mapToLong(List::size).sum()).as("order events on all shards")
                .isEqualTo(expectedOrderEvents);
        orderEvents.forEach((shard, orders) -> orders.forEach(order -> assertThat(shard)
                .as("shard of an event of %s", order).isEqualTo(home(load.orders.get(order)))));

        Map<String, List<String>> orders = rowsByShard("SELECT order_id || ' ' || status FROM orders");
        Map<String, String> stored = new HashMap<>();
        orders.forEach((shard, rows) -> rows.forEach(row -> {
            String order = row.substring(0, row.indexOf(' '));
            assertThat(stored.put(order, row.substring(row.indexOf(' ') + 1))).as("a second row of %s", order)
                    .isNull();
            assertThat(shard).as("shard of order %s", order).isEqualTo(home(load.orders.get(order)));
        }));
        Map<String, String> expectedStatus = new HashMap<>();
        load.orders.keySet().forEach(order -> expectedStatus.put(order, load.refunded.contains(order) ? "refunded"
                : "paid"));
        assertThat(stored).as("orders and their newest status").isEqualTo(expectedStatus);

        Map<String, List<String>> directory = rowsByShard("SELECT order_id FROM order_directory");
        assertThat(directory.values().stream().mapToLong(List::size).sum()).as("directory rows")
                .isEqualTo(load.orders.size());
        directory.forEach((shard, rows) -> rows.forEach(order -> assertThat(shard)
                .as("directory shard of %s", order).isEqualTo(shardOf(buckets.bucketOf(order)))));

        Map<String, List<String>> disputeEvents = rowsByShard("SELECT provider_event_id FROM dispute_events");
        assertThat(disputeEvents.values().stream().mapToLong(List::size).sum()).as("dispute events")
                .isEqualTo(load.chargebacks.size());
        disputeEvents.forEach((shard, rows) -> rows.forEach(event -> {
            assertThat(load.chargebacks).as("accepted chargebacks").contains(event);
            assertThat(shard).as("shard of chargeback %s", event)
                    .isEqualTo(home(load.orders.get(load.events.get(event))));
        }));
        assertThat(rowsByShard("SELECT dispute_id FROM disputes").values().stream().mapToLong(List::size).sum())
                .as("disputes").isEqualTo(load.chargebacks.size());
    }

    /** Every shard owns exactly the buckets the map gives it; no bucket is left frozen anywhere. */
    private void assertOwnership() {
        shardUrls.forEach((shard, url) -> {
            List<Integer> owned = jdbi(url).withHandle(handle -> handle.createQuery(
                    "SELECT bucket FROM bucket_ownership WHERE state = 'owned' ORDER BY bucket")
                    .mapTo(Integer.class).list());
            TreeSet<Integer> given = new TreeSet<>();
            map.allocation().getOrDefault(shard, List.of()).forEach(range -> {
                for (int bucket = range.first(); bucket <= range.last(); bucket++) {
                    given.add(bucket);
                }
            });
            assertThat(owned).as("buckets %s owns", shard).containsExactlyElementsOf(given);
            assertThat(ShardSql.count(url, "SELECT count(*) FROM bucket_ownership WHERE state = 'frozen'"))
                    .as("frozen buckets on %s", shard).isZero();
        });
    }

    private String home(String user) {
        assertThat(user).as("the user of an accepted order").isNotNull();
        return shardOf(buckets.bucketOf(user));
    }

    private String shardOf(int bucket) {
        return map.shardOf(bucket);
    }

    private Map<String, List<String>> rowsByShard(String sql) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        shardUrls.forEach((shard, url) -> rows.put(shard, new ArrayList<>(jdbi(url).withHandle(handle ->
                handle.createQuery(sql).mapTo(String.class).list()))));
        return rows;
    }

    private static Jdbi jdbi(String url) {
        return Jdbi.create(url, "postgres", "");
    }
}
