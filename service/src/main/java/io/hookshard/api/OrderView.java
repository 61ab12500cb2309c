package io.hookshard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;

/** An order as {@code GET /orders/{order_id}} and {@code GET /users/{user_id}/orders} show it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrderView(
        @JsonProperty("order_id") String orderId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("status") String status,
        @JsonProperty("amount_minor") long amountMinor,
        @JsonProperty("currency") String currency,
        @JsonProperty("last_event_at") Instant lastEventAt,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("events") List<OrderEventView> events,
        @JsonProperty("disputes") List<DisputeView> disputes) {

    public OrderView withDetails(List<OrderEventView> orderEvents, List<DisputeView> orderDisputes) {
        return new OrderView(orderId, userId, status, amountMinor, currency, lastEventAt, updatedAt, orderEvents,
                orderDisputes);
    }
}
