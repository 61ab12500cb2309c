package io.hookshard.move;

import java.util.function.Consumer;

/**
 * A test hook, inert unless the JVM runs with {@code -Dhookshard.move.holdAt=<step>[@<seconds>]}: the mover then stops
 * right after that step and waits (for ever, or that many seconds), so that a kill test can SIGKILL it, or the
 * service beside it, at a known point of a move (BucketMoveKillIT). The steps: {@code copy-chunk} (the first chunk of
 * a pass is in the target, the pass is not recorded), {@code copied} (a pass is recorded), {@code frozen} (the
 * freeze is recorded), {@code published} (the next map is in the catalog, the target does not vouch yet),
 * {@code owned} (the target vouches, the source is still frozen).
 */
final class MoveHold {
    static final String PROPERTY = "hookshard.move.holdAt";

    private MoveHold() {
    }

    static void after(String step, Consumer<String> progress) {
        String hold = System.getProperty(PROPERTY, "");
        int at = hold.indexOf('@');
        if (!(at < 0 ? hold : hold.substring(0, at)).equals(step)) {
            return;
        }
        long seconds = at < 0 ? Long.MAX_VALUE / 1_000 : Long.parseLong(hold.substring(at + 1));
        progress.accept("holding after " + step + " (" + PROPERTY + "=" + hold + ")");
        try {
            Thread.sleep(seconds * 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while holding after " + step, e);
        }
    }
}
