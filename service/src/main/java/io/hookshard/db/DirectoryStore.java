package io.hookshard.db;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The order directory (order_id -> user_id), kept on the shard that hash(order_id) names, so that a chargeback,
 * which carries only the order id, can find its order's owner and so its shard.
 */
public final class DirectoryStore {
    private final ShardDatabases shards;

    public DirectoryStore(ShardDatabases shards) {
        this.shards = shards;
    }

    /** Records owners on {@code shardId}; an order already known keeps its first owner. */
    public void record(String shardId, Map<String, String> ownerByOrderId) {
        Map<String, String> sorted = new TreeMap<>(ownerByOrderId);
        shards.jdbi(shardId).useTransaction(handle -> {
            handle.createUpdate("""
                            INSERT INTO order_directory (order_id, user_id)
                            SELECT * FROM unnest(:orderIds::text[], :userIds::text[])
                            ON CONFLICT (order_id) DO NOTHING""")
                    .bind("orderIds", sorted.keySet().toArray(String[]::new))
                    .bind("userIds", sorted.values().toArray(String[]::new))
                    .execute();
            BucketUsageDao.mark(handle, sorted.keySet().stream()
                    .map(orderId -> shards.router().route(orderId).bucket()).toList());
        });
    }

    /** The owners known on {@code shardId} for {@code orderIds}; unknown orders are absent from the result. */
    public Map<String, String> owners(String shardId, Collection<String> orderIds) {
        Map<String, String> owners = new HashMap<>();
        shards.jdbi(shardId).useHandle(handle -> handle.createQuery(
                        "SELECT order_id, user_id FROM order_directory WHERE order_id = ANY(:orderIds::text[])")
                .bind("orderIds", orderIds.toArray(String[]::new))
                .map((rs, ctx) -> Map.entry(rs.getString("order_id"), rs.getString("user_id")))
                .forEach(entry -> owners.put(entry.getKey(), entry.getValue())));
        return owners;
    }

    /** The owner of one order, looked up on the shard that owns the order id; null when unknown. */
    public String ownerOf(String orderId) {
        return owners(shards.shardOf(orderId), java.util.List.of(orderId)).get(orderId);
    }
}
