package io.hookshard.db;

import io.hookshard.core.ChargebackEvent;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.OrderEvent;
import io.hookshard.core.PayloadSchemas;
import io.hookshard.embedded.PostgresServer;
import io.hookshard.router.BucketFunction;
import io.hookshard.router.Route;
import io.hookshard.support.TestInfrastructure;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.Writer;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which event an order or dispute row ends on must not depend on how events fell into polls: the stores pick the
 * newest of a batch in Java (EVENT_TIME) and compare it with the stored row in SQL (the upsert's WHERE). On a shard
 * whose default collation is not C, every arrival order of a set of events tied to the microsecond, cut into batches
 * every possible way, must end on the event the Java model names.
 */
class TieBreakIT {
    private static final String SHARD = "shard-icu";
    // provider_event_id (a JSON string body), status, fraction of a second: all within one microsecond, which
    // PostgreSQL would round down. The newest in C order is "evt-a" + U+1F600; UTF-16 order puts "evt-a" + U+FF5E
    // above it (U+1F600 is the pair D83D DE00), en-US puts "evt-B..." above both (a < B), and nanoseconds would
    // pick the lower-ranked first event.
    private static final String[][] ORDER_EVENTS = {
            {"evt-z", "authorized", ".000000400"}, {"evt-B\\ud83d\\ude00", "paid", ".000000100"},
            {"evt-a\\uff5e", "paid", ".000000300"}, {"evt-a\\ud83d\\ude00", "paid", ".000000200"}};
    private static final String[][] CHARGEBACK_EVENTS = {
            {"evt-z", "opened", ".000000400"}, {"evt-B\\ud83d\\ude00", "won", ".000000100"},
            {"evt-a\\uff5e", "won", ".000000300"}, {"evt-a\\ud83d\\ude00", "won", ".000000200"}};

    private static Connection connection;
    private static final BucketFunction BUCKETS = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);
    private static ShardDatabases shards;
    private final PayloadSchemas schemas = new PayloadSchemas();
    private final EventDecoder decoder = new EventDecoder(schemas);

    @BeforeAll
    static void createAShardWithAnEnUsCollation() throws Exception {
        // No en_US locale on these machines, but PostgreSQL's ICU has en-US, as the Docker image's en_US.utf8 would.
        PostgresServer server = TestInfrastructure.shared().shards().get(0);
        String name = "t_icu_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name
                    + " TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + name);
        dataSource.setUser(PostgresServer.USER);
        ShardMigrator.migrate(dataSource, false, Writer.nullWriter(), BUCKETS);
        // One connection for the whole class: a new one per transaction would cost most of its time.
        connection = dataSource.getConnection();
        shards = new ShardDatabases(Map.of(SHARD, Jdbi.create(connection)));
        // The one shard owns every bucket, as the service's first start would make it vouch.
        shards.jdbi(SHARD).useTransaction(handle -> BucketFence.own(handle,
                java.util.stream.IntStream.range(0, BUCKETS.bucketCount()).boxed().toList(), 1));
    }

    @AfterAll
    static void closeTheConnection() throws Exception {
        connection.close();
    }

    @Test
    void theShardSortsTextOtherwiseThanC() {
        // What makes the other tests mean something: without COLLATE "C" this shard would order ids its own way.
        assertThat(sql("SELECT ('evt-a' < 'evt-B')::text")).isEqualTo("true");
        assertThat(sql("SELECT ('evt-a' < 'evt-B' COLLATE \"C\")::text")).isEqualTo("false");
    }

    @Test
    void tiedOrderEventsEndOnTheJavaModelsNewestWhateverTheirOrderAndBatches() throws Exception {
        OrderStore store = new OrderStore(shards);
        List<String> mismatches = new ArrayList<>();
        int runs = 0;
        for (List<List<Integer>> batches : everyOrderAndBatching(ORDER_EVENTS.length)) {
            String prefix = "r" + runs++ + "-";
            List<OrderEvent> events = new ArrayList<>();
            for (String[] event : ORDER_EVENTS) {
                events.add(order(prefix, event));
            }
            for (List<Integer> batch : batches) {
                store.write(SHARD, batch.stream().map(events::get).map(TieBreakIT::routed).toList());
            }
            OrderEvent newest = events.stream().max(OrderStore.EVENT_TIME).orElseThrow();
            String stored = sql("SELECT last_provider_event_id || ' ' || status FROM orders WHERE order_id = '"
                    + prefix + "order'");
            check(batches, prefix + "evt-a\uD83D\uDE00 paid", newest.providerEventId() + " "
                    + newest.status().wireName(), stored, mismatches);
        }

        assertThat(runs).isEqualTo(24 * 8);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void tiedChargebacksEndOnTheJavaModelsNewestWhateverTheirOrderAndBatches() throws Exception {
        DisputeStore store = new DisputeStore(shards);
        OrderStore orders = new OrderStore(shards);
        List<String> mismatches = new ArrayList<>();
        int runs = 0;
        for (List<List<Integer>> batches : everyOrderAndBatching(CHARGEBACK_EVENTS.length)) {
            String prefix = "r" + runs++ + "-";
            // A chargeback is written only beside its order.
            orders.write(SHARD, List.of(routed(order(prefix, ORDER_EVENTS[0]))));
            List<DisputeStore.OwnedChargeback> events = new ArrayList<>();
            for (String[] event : CHARGEBACK_EVENTS) {
                events.add(new DisputeStore.OwnedChargeback(chargeback(prefix, event), "user-1"));
            }
            for (List<Integer> batch : batches) {
                store.write(SHARD, batch.stream().map(events::get).map(TieBreakIT::routed).toList());
            }
            ChargebackEvent newest = events.stream().max(DisputeStore.EVENT_TIME).orElseThrow().event();
            String stored = sql("SELECT last_provider_event_id || ' ' || status FROM disputes WHERE dispute_id = '"
                    + prefix + "dispute'");
            check(batches, prefix + "evt-a\uD83D\uDE00 won", newest.providerEventId() + " "
                    + newest.status().wireName(), stored, mismatches);
        }

        assertThat(runs).isEqualTo(24 * 8);
        assertThat(mismatches).isEmpty();
    }

    /** The Java model must name the C-order newest, and the row must hold what the model names. */
    private static void check(List<List<Integer>> batches, String newestInCOrder, String model, String stored,
                              List<String> mismatches) {
        if (!model.equals(newestInCOrder)) {
            mismatches.add("batches " + batches + ": the Java model picked " + model + ", not " + newestInCOrder);
        }
        if (!model.equals(stored)) {
            mismatches.add("batches " + batches + ": the Java model picked " + model + ", the row holds " + stored);
        }
    }

    /** Every permutation of events 0..n-1, cut into consecutive batches in each of the 2^(n-1) ways. */
    private static List<List<List<Integer>>> everyOrderAndBatching(int n) {
        List<List<List<Integer>>> all = new ArrayList<>();
        for (List<Integer> permutation : permutations(new ArrayList<>(), n)) {
            for (int cuts = 0; cuts < 1 << (n - 1); cuts++) {
                List<List<Integer>> batches = new ArrayList<>();
                List<Integer> batch = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    batch.add(permutation.get(i));
                    if (i == n - 1 || (cuts & 1 << i) != 0) {
                        batches.add(batch);
                        batch = new ArrayList<>();
                    }
                }
                all.add(batches);
            }
        }
        return all;
    }

    private static List<List<Integer>> permutations(List<Integer> prefix, int n) {
        if (prefix.size() == n) {
            return List.of(List.copyOf(prefix));
        }
        List<List<Integer>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!prefix.contains(i)) {
                prefix.add(i);
                all.addAll(permutations(prefix, n));
                prefix.remove(prefix.size() - 1);
            }
        }
        return all;
    }

    /** Every event of these tests belongs to user-1, on the one shard. */
    private static <T> Routed<T> routed(T event) {
        return new Routed<>(event, new Route("user-1", BUCKETS.bucketOf("user-1"), SHARD));
    }

    /** Decoded as the consumers decode it: the envelope claims this release's schema, so non-ASCII ids pass. */
    private OrderEvent order(String prefix, String[] event) throws Exception {
        return decoder.order(envelope(EventType.ORDER_PAYMENT, """
                {"provider_event_id":"%s%s","user_id":"user-1","order_id":"%sorder","status":"%s","amount_minor":1,\
                "currency":"EUR","occurred_at":"2026-11-20T10:00:00%sZ"}"""
                .formatted(prefix, event[0], prefix, event[1], event[2])));
    }

    private ChargebackEvent chargeback(String prefix, String[] event) throws Exception {
        return decoder.chargeback(envelope(EventType.CHARGEBACK, """
                {"provider_event_id":"%s%s","order_id":"%sorder","dispute_id":"%sdispute","status":"%s",\
                "reason":"fraud","amount_minor":1,"currency":"EUR","occurred_at":"2026-11-20T10:00:00%sZ"}"""
                .formatted(prefix, event[0], prefix, prefix, event[1], event[2])));
    }

    private Envelope envelope(EventType type, String payload) {
        return new Envelope(UUID.randomUUID(), "k", type, null, Instant.now(), schemas.version(type), payload);
    }

    private static String sql(String query) {
        Function<org.jdbi.v3.core.Handle, String> read = handle -> handle.createQuery(query).mapTo(String.class).one();
        return shards.jdbi(SHARD).withHandle(read::apply);
    }
}
