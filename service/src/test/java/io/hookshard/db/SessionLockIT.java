package io.hookshard.db;

import io.hookshard.embedded.PostgresServer;
import io.hookshard.support.TestInfrastructure;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A session lock (here the bucket move's) on a real shard database: one holder at a time, and a holder whose session
 * ended (the shard restarted, the connection dropped) finds out before its next step instead of carrying on beside a
 * new holder.
 */
class SessionLockIT {
    /** "hookmove": the bucket move's lock, with the name its errors give it. */
    private static final long KEY = 0x686f6f6b6d6f7665L;

    private Jdbi jdbi;
    private Handle holder;
    private Handle other;

    @BeforeEach
    void openTwoSessions() {
        jdbi = Jdbi.create(TestInfrastructure.freshDatabase(TestInfrastructure.shared().shards().get(0)),
                PostgresServer.USER, "");
        holder = jdbi.open();
        other = jdbi.open();
    }

    @AfterEach
    void close() {
        other.close();
        holder.close();
    }

    @Test
    void oneSessionHoldsTheLockAtATime() {
        SessionLock lock = SessionLock.tryAcquire(holder, "bucket-move", KEY).orElseThrow();

        lock.requireHeld("the first step");
        assertThat(SessionLock.tryAcquire(other, "bucket-move", KEY)).isEmpty();

        lock.release();
        assertThat(SessionLock.tryAcquire(other, "bucket-move", KEY)).isPresent();
    }

    @Test
    void aHolderWhoseSessionEndedStopsBeforeItsNextStepAndAnotherMayTakeTheLock() {
        SessionLock lock = SessionLock.tryAcquire(holder, "bucket-move", KEY).orElseThrow();
        int pid = holder.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one();

        other.createQuery("SELECT pg_terminate_backend(:pid)").bind("pid", pid).mapTo(Boolean.class).one();

        assertThatThrownBy(() -> lock.requireHeld("publishing the next bucket map"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the bucket-move lock was lost before publishing the next bucket map");
        assertThat(SessionLock.tryAcquire(other, "bucket-move", KEY)).isPresent();
        lock.release();
    }

    @Test
    void aHolderWhoseLockWasReleasedUnderItStopsBeforeItsNextStep() {
        SessionLock lock = SessionLock.tryAcquire(holder, "bucket-move", KEY).orElseThrow();

        holder.execute("SELECT pg_advisory_unlock_all()");

        assertThatThrownBy(() -> lock.requireHeld("freezing the buckets on shard-a"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lost before freezing the buckets on shard-a");
    }
}
