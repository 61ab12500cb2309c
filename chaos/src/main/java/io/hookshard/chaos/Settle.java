package io.hookshard.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * After the faults: waits until the consumer group's committed lag is 0 on every topic it reads (webhooks and parked
 * events) and no record waits for a retry on any instance, then asks each instance whether a worker is down or a
 * topic still paused.
 */
final class Settle {
    /** How the run came to rest, and what the instances said about their workers. */
    record Result(boolean settled, long seconds, Map<String, Long> lag, long waiting, List<String> workerProblems,
                  Map<String, Long> workerRestarts) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Settle.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int QUIET_CHECKS = 3;

    private final Cluster cluster;
    private final TopicReader topics;

    Settle(Cluster cluster, TopicReader topics) {
        this.cluster = cluster;
        this.topics = topics;
    }

    Result await(Duration timeout) throws Exception {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        List<String> consumed = new ArrayList<>(Cluster.TOPICS);
        Cluster.TOPICS.forEach(topic -> consumed.add(topic + ".retry"));
        Map<String, Long> lag = Map.of();
        long waiting = -1;
        int quiet = 0;
        long lastLog = 0;
        while (quiet < QUIET_CHECKS && System.nanoTime() - deadline < 0) {
            Thread.sleep(1000);
            try {
                lag = topics.committedLag(Cluster.GROUP, consumed);
                waiting = gaugeSum(".waiting");
            } catch (Exception e) {
                LOG.warn("could not read the lag yet: {}", e.toString());
                quiet = 0;
                continue;
            }
            boolean still = lag.values().stream().allMatch(l -> l == 0) && waiting == 0;
            quiet = still ? quiet + 1 : 0;
            if (System.nanoTime() - lastLog > 10_000_000_000L) {
                LOG.info("settling: committed lag {}, {} record(s) waiting for a retry", lag, waiting);
                lastLog = System.nanoTime();
            }
        }
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        boolean settled = quiet >= QUIET_CHECKS;
        LOG.info("{} after {} s: committed lag {}, {} waiting", settled ? "settled" : "NOT settled", seconds, lag,
                waiting);
        List<String> problems = new ArrayList<>();
        Map<String, Long> restarts = new TreeMap<>();
        workers(problems, restarts);
        return new Result(settled, seconds, lag, waiting, problems, restarts);
    }

    /** Every running instance: no worker down, no topic paused, no record deleted before it was applied. */
    private void workers(List<String> problems, Map<String, Long> restarts) throws InterruptedException {
        for (ServiceInstance instance : cluster.instances()) {
            if (!instance.isRunning()) {
                continue;
            }
            try {
                HttpResponse<String> health = instance.adminGet("/healthcheck");
                JsonNode consumers = JSON.readTree(health.body()).path("consumers");
                if (!consumers.path("healthy").asBoolean(false)) {
                    problems.add(instance.name() + ": consumers unhealthy: " + consumers.path("message").asText());
                }
                JsonNode metrics = JSON.readTree(instance.adminGet("/metrics").body());
                gauges(metrics, ".down").forEach((name, value) -> {
                    if (value != 0) {
                        problems.add(instance.name() + ": " + name + " = " + value);
                    }
                });
                gauges(metrics, ".restarts").forEach((name, value) -> restarts.put(instance.name() + " "
                        + name.replace("hookshard.consumer.", "").replace(".restarts", ""), value));
                counters(metrics, ".deleted-unapplied").forEach((name, value) -> {
                    if (value != 0) {
                        problems.add(instance.name() + ": " + name + " = " + value);
                    }
                });
                // Resuming what is not paused changes nothing, and the task says which topics it found paused.
                for (String line : instance.task("/tasks/consumers-resume").split("\n")) {
                    if (line.endsWith(": resumed")) {
                        problems.add(instance.name() + ": " + line.replace(": resumed", "") + " was still paused");
                    }
                }
            } catch (IOException e) {
                problems.add(instance.name() + ": could not ask it: " + e);
            }
        }
    }

    private long gaugeSum(String suffix) throws IOException, InterruptedException {
        long sum = 0;
        for (ServiceInstance instance : cluster.instances()) {
            if (instance.isRunning()) {
                JsonNode metrics = JSON.readTree(instance.adminGet("/metrics").body());
                sum += gauges(metrics, suffix).values().stream().mapToLong(Long::longValue).sum();
            }
        }
        return sum;
    }

    private static Map<String, Long> gauges(JsonNode metrics, String suffix) {
        return values(metrics.path("gauges"), suffix, "value");
    }

    private static Map<String, Long> counters(JsonNode metrics, String suffix) {
        return values(metrics.path("counters"), suffix, "count");
    }

    private static Map<String, Long> values(JsonNode group, String suffix, String field) {
        Map<String, Long> values = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = group.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> metric = it.next();
            if (metric.getKey().startsWith("hookshard.consumer.") && metric.getKey().endsWith(suffix)) {
                values.put(metric.getKey(), metric.getValue().path(field).asLong());
            }
        }
        return values;
    }
}
