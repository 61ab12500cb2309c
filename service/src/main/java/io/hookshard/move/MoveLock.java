package io.hookshard.move;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

import java.util.Optional;

/**
 * One mover or cleanup at a time, across instances: a session-level advisory lock on one catalog connection, held for
 * as long as the mover or the cleanup runs. The server releases it when that session ends (the catalog shard
 * restarted, the connection dropped) without telling the holder, and another mover may then start. So the holder
 * checks that it still holds the lock before each step that changes which shard owns a bucket, and before it deletes
 * rows; a holder that lost it stops there, and the move resumes when it is run again. This narrows the window, not
 * closes it: a lock lost just after a check goes unnoticed for that step. Copy passes are not checked: two movers
 * copying the same rows merge them idempotently.
 */
final class MoveLock {
    /** "hookmove" in ASCII, recognisable in pg_locks (classid 1752133483, objid 1836021349). */
    static final long KEY = 0x686f6f6b6d6f7665L;

    private final Handle handle;

    private MoveLock(Handle handle) {
        this.handle = handle;
    }

    /** Takes the lock for {@code handle}'s session if no other session holds it; never waits. */
    static Optional<MoveLock> tryAcquire(Handle handle) {
        boolean locked = handle.createQuery("SELECT pg_try_advisory_lock(:key)").bind("key", KEY)
                .mapTo(Boolean.class).one();
        return locked ? Optional.of(new MoveLock(handle)) : Optional.empty();
    }

    /**
     * Throws unless this session still holds the lock: a connection the catalog shard dropped fails the query, and a
     * session the lock was taken from (an operator's pg_advisory_unlock_all) finds no granted lock.
     */
    void requireHeld(String beforeStep) {
        boolean held;
        try {
            held = handle.createQuery("""
                            SELECT EXISTS (SELECT 1 FROM pg_locks
                                           WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                                             AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1)""")
                    .bind("high", KEY >>> 32)
                    .bind("low", KEY & 0xffff_ffffL)
                    .mapTo(Boolean.class).one();
        } catch (JdbiException e) {
            throw lost(beforeStep, e);
        }
        if (!held) {
            throw lost(beforeStep, null);
        }
    }

    private static IllegalStateException lost(String beforeStep, Throwable cause) {
        return new IllegalStateException("the bucket-move lock was lost before " + beforeStep + " (the catalog"
                + " session holding it ended, as when the catalog shard restarts, or released it), so another mover"
                + " may be running; stopped there", cause);
    }

    /** Releases the lock; a session that has ended released it already, and its failure is not the caller's news. */
    void release() {
        try {
            handle.createQuery("SELECT pg_advisory_unlock(:key)").bind("key", KEY).mapTo(Boolean.class).one();
        } catch (JdbiException e) {
            // The session is gone, and the lock with it; the step that found it gone has said so.
        }
    }
}
