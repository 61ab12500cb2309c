package io.hookshard.health;

import com.codahale.metrics.health.HealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;

import java.util.concurrent.TimeUnit;

/** Healthy while the cluster answers and has at least one broker. */
public final class KafkaHealthCheck extends HealthCheck {
    private final Admin admin;

    public KafkaHealthCheck(Admin admin) {
        this.admin = admin;
    }

    @Override
    protected Result check() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        int brokers = cluster.nodes().get(5, TimeUnit.SECONDS).size();
        return brokers > 0 ? Result.healthy("%d broker(s), cluster %s", brokers,
                cluster.clusterId().get(5, TimeUnit.SECONDS)) : Result.unhealthy("no broker is available");
    }
}
