package io.hookshard.db;

import io.hookshard.router.Route;

/** Something to write, with where its routing key lives: the shard it goes to and the bucket its rows carry. */
public record Routed<T>(T item, Route route) {
    public String shardId() {
        return route.shardId();
    }

    public int bucket() {
        return route.bucket();
    }
}
