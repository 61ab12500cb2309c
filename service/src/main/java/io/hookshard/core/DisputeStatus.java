package io.hookshard.core;

import java.util.Locale;

/** A chargeback's status; the rank breaks ties between events with the same occurred_at (see {@link OrderStatus}). */
public enum DisputeStatus {
    OPENED(10), UNDER_REVIEW(20), WON(30), LOST(31), CLOSED(40);

    private final int rank;

    DisputeStatus(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DisputeStatus fromWireName(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
