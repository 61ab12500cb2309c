package io.hookshard.chaos;

import java.util.List;

/**
 * The README's lifecycle ranks, which break ties between events of the same instant: {@code created < authorized <
 * failed < paid < refunded < canceled} and {@code opened < under_review < won < lost < closed}. Written out here, not
 * taken from the service, so that the check does not share the service's mistakes.
 */
final class Lifecycle {
    static final List<String> ORDER = List.of("created", "authorized", "failed", "paid", "refunded", "canceled");
    static final List<String> DISPUTE = List.of("opened", "under_review", "won", "lost", "closed");

    private Lifecycle() {
    }

    static int rank(EventKind kind, String status) {
        int rank = (kind == EventKind.ORDER ? ORDER : DISPUTE).indexOf(status);
        if (rank < 0) {
            throw new IllegalArgumentException("no " + kind + " status " + status);
        }
        return rank;
    }
}
