package io.hookshard;

import io.hookshard.db.ShardDatabases;
import io.hookshard.move.BucketCleanup;
import io.hookshard.router.BucketFunction;
import io.hookshard.routing.Catalog;
import io.hookshard.support.ConsumerLag;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.TestInfrastructure;
import io.hookshard.support.Webhooks;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Half of shard-a's buckets move to a new shard-c while orders, their refunds and chargebacks keep arriving, then move
 * back: every accepted event is stored once, on the shard the map in force names, no order a reader saw ever answers
 * 404, nothing is dead-lettered, and each order's downstream events arrive in the order of its states, whichever
 * shard published them.
 */
class BucketMoveIT {
    private static final int USERS = 300;
    private static final int STEP_EVENTS = 60;
    private static TestApp app;
    private static List<String> shardUrls;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);
    private final Map<String, String> acceptedOrders = new ConcurrentHashMap<>();
    private final Set<String> acceptedEvents = ConcurrentHashMap.newKeySet();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final List<String> lostSight = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<java.util.Deque<String[]>> refunds = List.of(new java.util.ArrayDeque<>(),
            new java.util.ArrayDeque<>());

    @BeforeAll
    static void start() throws Exception {
        TestApp two = TestApp.onSharedInfrastructure();
        shardUrls = new ArrayList<>(two.shardUrls());
        shardUrls.add(TestInfrastructure.freshDatabase(TestInfrastructure.shared().shards().get(0)));
        // Small steps, so that each way the move goes in several steps, each frozen, verified and switched alone.
        app = two.withShards(shardUrls, "shards.moveStepEvents=" + STEP_EVENTS).withConfig("test-config-new-shard.yml")
                .start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void halfOfShardAMovesToShardCUnderLoadAndBackWithNothingLostOrDoubled() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        String there;
        String back;
        List<Thread> threads = List.of(new Thread(() -> load(running, 0)), new Thread(() -> load(running, 1)),
                new Thread(() -> read(running)));
        threads.forEach(Thread::start);
        try {
            // About a quarter of the events fall in buckets 0-255: enough for several steps of STEP_EVENTS.
            await().atMost(Duration.ofMinutes(2)).until(() -> acceptedEvents.size() >= 20 * STEP_EVENTS);
            there = task("buckets-move?buckets=0-255&to=shard-c");
            assertThat(there).contains("in ").contains(" steps of at most " + STEP_EVENTS + " stored events each")
                    .contains("verified").doesNotContain("verification found differences");
            assertThat(frozenBuckets(there, "shard-a")).isEqualTo(256);
            assertThat(switches(there)).isGreaterThan(1).isEqualTo(count(there, "verified: "));
            Thread.sleep(3_000);
            back = task("buckets-move?buckets=0-255&to=shard-a");
            assertThat(frozenBuckets(back, "shard-c")).isEqualTo(256);
            assertThat(switches(back)).isPositive();
            Thread.sleep(2_000);
        } finally {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(30_000);
            }
        }

        String group = app.configuration().getConsumers().getGroupId();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                ConsumerLag.total(app.bootstrapServers(), group, app.ordersTopic()) == 0
                        && ConsumerLag.total(app.bootstrapServers(), group, app.disputesTopic()) == 0
                        && ConsumerLag.total(app.bootstrapServers(), group, app.disputesTopic() + ".retry") == 0);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> shardUrls.stream()
                .mapToLong(url -> ShardSql.count(url, "SELECT count(*) FROM outbox WHERE published_at IS NULL"))
                .sum() == 0);
        String bucketMap = task("bucket-map");
        assertThat(bucketMap).contains("version " + (1 + switches(there) + switches(back)))
                .contains("shard-a=[0-511]");
        cleanUp();
        assertThat(lostSight).isEmpty();
        assertEveryAcceptedEventStoredOnceWhereTheMapSays();
        assertThat(ShardSql.count(shardUrls.get(2), "SELECT count(*) FROM order_events")).isZero();
        assertThat(ShardSql.count(shardUrls.get(2), "SELECT count(*) FROM bucket_ownership WHERE state = 'moved'"))
                .isEqualTo(256);
        assertThat(acceptedEvents).hasSizeGreaterThan(500);
        assertEachOrdersDownstreamEventsFollowItsStates();
    }

    /**
     * The source publishes a moving bucket's changes made before the switch and the target those after it: each
     * order's events on the events topic must still chain, one status to the next, ending in the stored state.
     */
    private void assertEachOrdersDownstreamEventsFollowItsStates() {
        Map<String, List<io.hookshard.support.DownstreamEvents.Published>> byOrder =
                io.hookshard.support.DownstreamEvents.byKey(io.hookshard.support.DownstreamEvents.readAll(
                        app.bootstrapServers(), app.eventsTopic()));
        int refunded = 0;
        for (Map.Entry<String, String> order : acceptedOrders.entrySet()) {
            List<String> statuses = new ArrayList<>();
            String previous = null;
            for (var event : byOrder.getOrDefault(order.getKey(), List.of())) {
                if (!event.type().startsWith("io.hookshard.order.")) {
                    continue;
                }
                var data = event.data();
                assertThat(data.get("previous_status").isNull() ? null : data.get("previous_status").asText())
                        .as("%s: %s after %s", order.getKey(), data.get("status").asText(), statuses)
                        .isEqualTo(previous);
                previous = data.get("status").asText();
                statuses.add(previous);
            }
            assertThat(statuses).as(order.getKey()).isNotEmpty();
            if (previous.equals("refunded")) {
                refunded++;
            }
        }
        assertThat(refunded).as("orders refunded, most of them after their payment was published").isPositive();
    }

    private void assertEveryAcceptedEventStoredOnceWhereTheMapSays() throws Exception {
        BucketFunction buckets = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);
        Map<String, Long> inboxRows = new LinkedHashMap<>();
        for (String shard : shardUrls) {
            Jdbi.create(shard, "postgres", "").useHandle(handle -> handle
                    .createQuery("SELECT provider_event_id, bucket FROM inbox")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
                    .forEach(row -> {
                        inboxRows.merge(row.getKey(), 1L, Long::sum);
                        int bucket = row.getValue();
                        String owner = bucket < 512 ? shardUrls.get(0) : shardUrls.get(1);
                        assertThat(shard).as("shard of bucket %d", bucket).isEqualTo(owner);
                    }));
        }
        for (String event : acceptedEvents) {
            assertThat(inboxRows.get(event)).as(event).isEqualTo(1L);
        }
        acceptedOrders.forEach((order, user) -> {
            String home = buckets.bucketOf(user) < 512 ? shardUrls.get(0) : shardUrls.get(1);
            assertThat(ShardSql.count(home, "SELECT count(*) FROM orders WHERE order_id = ?", order)).as(order)
                    .isEqualTo(1);
        });
        for (String shard : shardUrls) {
            assertThat(ShardSql.count(shard, "SELECT count(*) FROM (SELECT provider_event_id FROM order_events"
                    + " GROUP BY provider_event_id HAVING count(*) > 1) doubled")).isZero();
        }
        assertThat(io.hookshard.support.Topics.recordCount(app.bootstrapServers(), app.ordersTopic() + ".dlq"))
                .isZero();
        assertThat(io.hookshard.support.Topics.recordCount(app.bootstrapServers(), app.disputesTopic() + ".dlq"))
                .isZero();
    }

    private void cleanUp() {
        Map<String, Jdbi> jdbis = new LinkedHashMap<>();
        String[] ids = {"shard-a", "shard-b", "shard-c"};
        for (int i = 0; i < ids.length; i++) {
            jdbis.put(ids[i], Jdbi.create(shardUrls.get(i), "postgres", ""));
        }
        new BucketCleanup(new ShardDatabases(jdbis), new Catalog(jdbis.get("shard-a"), "shard-a"))
                .run(Duration.ZERO, line -> { });
    }

    /** Orders of a few hundred users, each with a chargeback once accepted, until told to stop. */
    private void load(AtomicBoolean running, int lane) {
        int n = 0;
        while (running.get()) {
            String user = "user-" + lane + "-" + ThreadLocalRandom.current().nextInt(USERS);
            String order = "order-" + lane + "-" + n++;
            String event = Webhooks.randomId("evt");
            try {
                if (provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(event, user, order, "paid",
                        100, "2026-11-20T10:00:00Z")).statusCode() == 202) {
                    acceptedOrders.put(order, user);
                    acceptedEvents.add(event);
                    refundLater(lane, order, user);
                    if (n % 3 == 0) {
                        String chargeback = Webhooks.randomId("evt");
                        if (provider.post(app.url("/webhooks/payments/chargebacks"), Webhooks.chargeback(chargeback,
                                order, Webhooks.randomId("dispute"), "opened", "2026-11-21T10:00:00Z"))
                                .statusCode() == 202) {
                            acceptedEvents.add(chargeback);
                        }
                    }
                }
            } catch (Exception e) {
                if (running.get()) {
                    lostSight.add("load: " + e);
                }
            }
        }
    }

    /**
     * Refunds the order accepted a few requests before this one, so that an order's second state often comes just
     * after a step switched its bucket while the first is still to be published by the source.
     */
    private void refundLater(int lane, String order, String user) throws Exception {
        java.util.Deque<String[]> pending = refunds.get(lane);
        pending.addLast(new String[] {order, user});
        if (pending.size() < 5) {
            return;
        }
        String[] earlier = pending.removeFirst();
        String event = Webhooks.randomId("evt");
        if (provider.post(app.url("/webhooks/payments/orders"), Webhooks.order(event, earlier[1], earlier[0],
                "refunded", 100, "2026-11-20T10:05:00Z")).statusCode() == 202) {
            acceptedEvents.add(event);
        }
    }

    /** Reads orders it saw once, again and again: an order seen must never answer 404 afterwards. */
    private void read(AtomicBoolean running) {
        List<String> orders = new ArrayList<>();
        while (running.get()) {
            try {
                if (orders.size() < acceptedOrders.size()) {
                    orders = new ArrayList<>(acceptedOrders.keySet());
                }
                if (orders.isEmpty()) {
                    Thread.sleep(50);
                    continue;
                }
                String order = orders.get(ThreadLocalRandom.current().nextInt(orders.size()));
                int status = provider.get(app.url("/orders/" + order)).statusCode();
                if (status == 200) {
                    seen.add(order);
                } else if (seen.contains(order)) {
                    lostSight.add(order + " answered " + status + " after it was seen");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (running.get()) {
                    lostSight.add("read: " + e);
                }
            }
        }
    }

    /** The buckets the steps of a move froze on {@code source}, added up. */
    private static int frozenBuckets(String output, String source) {
        java.util.regex.Matcher froze = java.util.regex.Pattern.compile("froze (\\d+) bucket\\(s\\) on " + source)
                .matcher(output);
        int total = 0;
        while (froze.find()) {
            total += Integer.parseInt(froze.group(1));
        }
        return total;
    }

    private static int switches(String output) {
        return count(output, "switched: buckets ");
    }

    private static int count(String output, String text) {
        return output.split(java.util.regex.Pattern.quote(text), -1).length - 1;
    }

    private String task(String pathAndQuery) throws Exception {
        HttpResponse<String> response = provider.send(HttpRequest.newBuilder(app.adminUrl("/tasks/" + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(3)).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        System.out.println("POST /tasks/" + pathAndQuery + "\n" + response.body());
        return response.body();
    }
}
