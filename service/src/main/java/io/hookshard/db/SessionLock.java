package io.hookshard.db;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

import java.util.Optional;

/**
 * One holder at a time across instances: a session-level advisory lock on one connection, held for as long as its
 * holder runs (a bucket move or cleanup, a dead-letter replay). The server releases it when that session ends (the
 * shard restarted, the connection dropped) without telling the holder, and another holder may then start. So a
 * holder checks that it still holds the lock before each step that another would undo or repeat, and stops there if
 * not. This narrows the window, not closes it: a lock lost just after a check goes unnoticed for that step.
 */
public final class SessionLock {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SessionLock.class);

    private final Handle handle;
    private final String name;
    private final long key;

    private SessionLock(Handle handle, String name, long key) {
        this.handle = handle;
        this.name = name;
        this.key = key;
    }

    /**
     * Takes the lock {@code key} for {@code handle}'s session if no other session holds it; never waits. {@code name}
     * says what it guards in the errors.
     */
    public static Optional<SessionLock> tryAcquire(Handle handle, String name, long key) {
        boolean locked = handle.createQuery("SELECT pg_try_advisory_lock(:key)").bind("key", key)
                .mapTo(Boolean.class).one();
        return locked ? Optional.of(new SessionLock(handle, name, key)) : Optional.empty();
    }

    /**
     * Throws unless this session still holds the lock: a connection the shard dropped fails the query, and a session
     * the lock was taken from (an operator's pg_advisory_unlock_all) finds no granted lock. A bigint key shows in
     * pg_locks as its high half (classid) and its low half (objid), with objsubid 1.
     */
    public void requireHeld(String beforeStep) {
        boolean held;
        try {
            held = handle.createQuery("""
                            SELECT EXISTS (SELECT 1 FROM pg_locks
                                           WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                                             AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1)""")
                    .bind("high", key >>> 32)
                    .bind("low", key & 0xffff_ffffL)
                    .mapTo(Boolean.class).one();
        } catch (JdbiException e) {
            throw lost(beforeStep, e);
        }
        if (!held) {
            throw lost(beforeStep, null);
        }
    }

    private IllegalStateException lost(String beforeStep, Throwable cause) {
        return new IllegalStateException("the " + name + " lock was lost before " + beforeStep + " (the session"
                + " holding it ended, as when its shard restarts, or released it), so another holder may be running;"
                + " stopped there", cause);
    }

    /** Releases the lock; a session that has ended released it already, and failing here would hide how the run ended. */
    public void release() {
        try {
            handle.createQuery("SELECT pg_advisory_unlock(:key)").bind("key", key).mapTo(Boolean.class).one();
        } catch (JdbiException e) {
            LOG.warn("could not release the {} lock, whose session has most likely ended and released it: {}", name,
                    e.toString());
        }
    }
}
