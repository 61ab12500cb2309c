package io.hookshard.core;

import java.util.Locale;

/**
 * An order's payment status. The rank breaks ties between events with the same occurred_at: the later stage of
 * the lifecycle wins, so the stored state does not depend on delivery order.
 */
public enum OrderStatus {
    CREATED(10), AUTHORIZED(20), FAILED(30), PAID(40), REFUNDED(50), CANCELED(60);

    private final int rank;

    OrderStatus(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OrderStatus fromWireName(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
