package io.hookshard.chaos;

/** The two webhooks a provider sends, with the names the inbox and the API give them. */
enum EventKind {
    ORDER("payment.order", "/webhooks/payments/orders"),
    CHARGEBACK("payment.chargeback", "/webhooks/payments/chargebacks");

    private final String inboxType;
    private final String path;

    EventKind(String inboxType, String path) {
        this.inboxType = inboxType;
        this.path = path;
    }

    /** {@code inbox.event_type} of this kind's events. */
    String inboxType() {
        return inboxType;
    }

    String path() {
        return path;
    }

    static EventKind ofInboxType(String type) {
        for (EventKind kind : values()) {
            if (kind.inboxType.equals(type)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown event type " + type);
    }
}
