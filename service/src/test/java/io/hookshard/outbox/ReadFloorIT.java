package io.hookshard.outbox;

import io.hookshard.db.ShardMigrator;
import io.hookshard.embedded.PostgresServer;
import io.hookshard.router.BucketFunction;
import io.hookshard.support.TestInfrastructure;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's read floor on a real shard: it passes what is published once every transaction that could still commit
 * a lower seq has ended, and never passes a row whose writer is still open, whether or not the relay's role may see
 * that writer's session.
 */
class ReadFloorIT {
    private static final BucketFunction BUCKETS = new BucketFunction(BucketFunction.DEFAULT_BUCKETS);

    private PostgresServer server;
    private String database;
    private Jdbi jdbi;
    private Handle relay;
    private final List<Handle> opened = new ArrayList<>();

    @BeforeEach
    void migrateAFreshShard() throws Exception {
        server = TestInfrastructure.shared().shards().get(0);
        String url = TestInfrastructure.freshDatabase(server);
        database = url.substring(url.lastIndexOf('/') + 1);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(url);
        dataSource.setUser(PostgresServer.USER);
        ShardMigrator.migrate(dataSource, false, Writer.nullWriter(), BUCKETS);
        jdbi = Jdbi.create(dataSource);
        relay = open(jdbi);
    }

    @AfterEach
    void closeEverything() {
        opened.forEach(Handle::close);
    }

    @Test
    void passesPublishedRowsOnceNoEarlierTransactionIsOpen() throws Exception {
        ReadFloor floor = new ReadFloor(Duration.ZERO);
        List<Long> seqs = insertCommitted(jdbi, 20);
        OutboxRows.markPublished(relay, rows(seqs));

        floor.advance(relay);
        Thread.sleep(settle());
        floor.advance(relay);

        assertThat(floor.value()).isEqualTo(seqs.get(seqs.size() - 1));
        assertThat(OutboxRows.unpublished(relay, floor.value(), 100)).isEmpty();
    }

    @Test
    void stopsBelowTheFirstRowStillUnpublished() throws Exception {
        ReadFloor floor = new ReadFloor(Duration.ZERO);
        List<Long> seqs = insertCommitted(jdbi, 20);
        OutboxRows.markPublished(relay, rows(seqs.subList(0, 10)));

        floor.advance(relay);
        Thread.sleep(settle());
        floor.advance(relay);

        assertThat(floor.value()).isEqualTo(seqs.get(9));
        assertThat(OutboxRows.unpublished(relay, floor.value(), 100)).extracting(OutboxRows.Row::seq)
                .containsExactlyElementsOf(seqs.subList(10, 20));
    }

    @Test
    void neverPassesARowWhoseWriterIsStillOpen() throws Exception {
        ReadFloor floor = new ReadFloor(Duration.ZERO);
        Handle writer = open(jdbi);
        writer.begin();
        long straggler = insert(writer);
        List<Long> later = insertCommitted(jdbi, 10);
        OutboxRows.markPublished(relay, rows(later));

        advanceWhileSettling(floor);
        assertThat(floor.value()).isLessThan(straggler);

        writer.commit();
        assertThat(OutboxRows.unpublished(relay, floor.value(), 100)).extracting(OutboxRows.Row::seq)
                .containsExactly(straggler);
    }

    @Test
    void aWriterOfAnotherRoleHoldsTheFloorThoughTheRelayCannotSeeItsTransaction() throws Exception {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        String writerRole = "writer_" + suffix;
        String relayRole = "relay_" + suffix;
        relay.execute("CREATE ROLE " + writerRole + " LOGIN");
        relay.execute("CREATE ROLE " + relayRole + " LOGIN");
        relay.execute("GRANT SELECT, INSERT ON outbox TO " + writerRole);
        relay.execute("GRANT SELECT, UPDATE ON outbox TO " + relayRole);
        relay.execute("GRANT SELECT, USAGE ON SEQUENCE outbox_seq_seq TO " + writerRole + ", " + relayRole);
        // Only sessions of the two roles stay: a superuser's session the relay's role cannot see would hold it too.
        opened.remove(relay);
        relay.close();
        Handle relayOfItsOwnRole = open(Jdbi.create(url(), relayRole, ""));
        Handle writer = open(Jdbi.create(url(), writerRole, ""));
        writer.begin();
        long straggler = insert(writer);
        assertThat(relayOfItsOwnRole.createQuery("SELECT xact_start IS NULL AND state IS NULL FROM pg_stat_activity"
                        + " WHERE usename = :role").bind("role", writerRole).mapTo(Boolean.class).one())
                .as("the relay's role does not see the writer's open transaction").isTrue();
        List<Long> later = insertCommitted(Jdbi.create(url(), writerRole, ""), 10);
        OutboxRows.markPublished(relayOfItsOwnRole, rows(later));

        ReadFloor floor = new ReadFloor(Duration.ZERO);
        advanceWhileSettling(floor, relayOfItsOwnRole);
        assertThat(floor.value()).isLessThan(straggler);

        writer.commit();
        assertThat(OutboxRows.unpublished(relayOfItsOwnRole, floor.value(), 100)).extracting(OutboxRows.Row::seq)
                .containsExactly(straggler);
        OutboxRows.markPublished(relayOfItsOwnRole, rows(List.of(straggler)));
        opened.remove(writer);
        writer.close();
        advanceWhileSettling(floor, relayOfItsOwnRole);
        assertThat(floor.value()).as("with the writer gone, the floor passes everything published")
                .isEqualTo(later.get(later.size() - 1));
    }

    @Test
    void startsAgainWhenTheSequenceGoesBack() throws Exception {
        ReadFloor floor = new ReadFloor(Duration.ZERO);
        OutboxRows.markPublished(relay, rows(insertCommitted(jdbi, 20)));
        floor.advance(relay);
        Thread.sleep(settle());
        floor.advance(relay);
        assertThat(floor.value()).isPositive();

        // As a shard restored from a backup taken before these rows would be.
        relay.execute("DELETE FROM outbox");
        relay.execute("ALTER TABLE outbox ALTER COLUMN seq RESTART WITH 1");
        long first = insertCommitted(jdbi, 1).get(0);
        Thread.sleep(settle());
        floor.advance(relay);

        assertThat(floor.value()).isLessThan(first);
        assertThat(OutboxRows.unpublished(relay, floor.value(), 100)).extracting(OutboxRows.Row::seq)
                .containsExactly(first);
    }

    /** Tries to move the floor for longer than it would take to pass every committed row. */
    private void advanceWhileSettling(ReadFloor floor) throws InterruptedException {
        advanceWhileSettling(floor, relay);
    }

    private static void advanceWhileSettling(ReadFloor floor, Handle handle) throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            floor.advance(handle);
            Thread.sleep(settle() / 2);
        }
        floor.advance(handle);
    }

    private static long settle() {
        return ReadFloor.CLOCK_MARGIN.toMillis() + 200;
    }

    private String url() {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database;
    }

    private Handle open(Jdbi on) {
        Handle handle = on.open();
        opened.add(handle);
        return handle;
    }

    private List<Long> insertCommitted(Jdbi on, int count) {
        try (Handle handle = on.open()) {
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                seqs.add(insert(handle));
            }
            return seqs;
        }
    }

    private static long insert(Handle handle) {
        String id = UUID.randomUUID().toString();
        return handle.createQuery("""
                        INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, bucket)
                        VALUES (:id::uuid, 'order', :key, 'io.hookshard.order.paid', '{}'::json, 0) RETURNING seq""")
                .bind("id", id)
                .bind("key", "order-" + id)
                .mapTo(Long.class).one();
    }

    private static List<OutboxRows.Row> rows(List<Long> seqs) {
        return seqs.stream().map(seq -> new OutboxRows.Row(seq, "", "")).toList();
    }
}
