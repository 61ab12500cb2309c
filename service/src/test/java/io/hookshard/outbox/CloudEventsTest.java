package io.hookshard.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.core.ChargebackEvent;
import io.hookshard.core.DisputeStatus;
import io.hookshard.core.OrderEvent;
import io.hookshard.core.OrderStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Downstream events are CloudEvents 1.0 whose id names the change, never where or when it was written. */
class CloudEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant OCCURRED = Instant.parse("2026-11-23T10:00:00.123456Z");

    @Test
    void anOrderChangeIsAStructuredCloudEventWithTheStateAfterIt() throws Exception {
        OutboxEvent event = CloudEvents.orderChanged("shard-a", 17, order("evt_1", OrderStatus.PAID), "authorized");
        JsonNode document = JSON.readTree(event.payload());

        assertThat(document.get("specversion").asText()).isEqualTo("1.0");
        assertThat(document.get("id").asText()).isEqualTo(event.id().toString());
        assertThat(document.get("source").asText()).isEqualTo("hookshard/shard-a");
        assertThat(document.get("type").asText()).isEqualTo("io.hookshard.order.paid").isEqualTo(event.type());
        assertThat(document.get("subject").asText()).isEqualTo("order-1");
        assertThat(document.get("time").asText()).isEqualTo("2026-11-23T10:00:00.123456Z");
        assertThat(document.get("datacontenttype").asText()).isEqualTo("application/json");
        assertThat(document.get("data")).isEqualTo(JSON.readTree("""
                {"order_id":"order-1","user_id":"user-1","status":"paid","previous_status":"authorized",
                 "amount_minor":1999,"currency":"EUR","occurred_at":"2026-11-23T10:00:00.123456Z",
                 "provider_event_id":"evt_1"}"""));
        assertThat(event.aggregateType()).isEqualTo("order");
        assertThat(event.aggregateId()).isEqualTo("order-1");
        assertThat(event.bucket()).isEqualTo(17);
    }

    @Test
    void aDisputeChangeIsKeyedAndSubjectedByItsOrderAndCarriesItsOwner() throws Exception {
        OutboxEvent event = CloudEvents.disputeChanged("shard-b", 3, chargeback("evt_2", DisputeStatus.UNDER_REVIEW),
                "user-1", null);
        JsonNode document = JSON.readTree(event.payload());

        assertThat(document.get("type").asText()).isEqualTo("io.hookshard.dispute.under_review");
        assertThat(document.get("subject").asText()).isEqualTo("order-1");
        assertThat(event.aggregateId()).isEqualTo("order-1");
        assertThat(document.get("data").get("dispute_id").asText()).isEqualTo("dp_1");
        assertThat(document.get("data").get("user_id").asText()).isEqualTo("user-1");
        assertThat(document.get("data").get("previous_status").isNull()).isTrue();
    }

    @Test
    void theIdDependsOnTheChangeAloneNotOnTheShardTheDeliveryOrThePreviousState() {
        OutboxEvent onA = CloudEvents.orderChanged("shard-a", 17, order("evt_1", OrderStatus.PAID), "authorized");
        OrderEvent redelivered = new OrderEvent(UUID.randomUUID(), "evt_1", "user-1", "order-1", OrderStatus.PAID, 1999,
                "EUR", OCCURRED, Instant.now(), "{\"other\":\"text\"}");
        OutboxEvent onB = CloudEvents.orderChanged("shard-b", 17, redelivered, null);

        assertThat(onB.id()).isEqualTo(onA.id());
        assertThat(CloudEvents.orderChanged("shard-a", 17, order("evt_2", OrderStatus.PAID), null).id())
                .isNotEqualTo(onA.id());
        assertThat(CloudEvents.disputeChanged("shard-a", 17, chargeback("evt_1", DisputeStatus.OPENED), "user-1",
                null).id()).isNotEqualTo(onA.id());
    }

    private static OrderEvent order(String providerEventId, OrderStatus status) {
        return new OrderEvent(UUID.nameUUIDFromBytes(providerEventId.getBytes()), providerEventId, "user-1", "order-1",
                status, 1999, "EUR", OCCURRED, Instant.parse("2026-11-23T10:00:01Z"), "{}");
    }

    private static ChargebackEvent chargeback(String providerEventId, DisputeStatus status) {
        return new ChargebackEvent(UUID.nameUUIDFromBytes(providerEventId.getBytes()), providerEventId, "order-1",
                "dp_1", status, "fraudulent", 1999, "EUR", OCCURRED, Instant.parse("2026-11-23T10:00:01Z"), "{}");
    }
}
