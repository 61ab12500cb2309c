package io.hookshard.router;

/** Where a routing key lives: its bucket and the shard that owns that bucket. */
public record Route(String key, int bucket, String shardId) {
}
