package io.hookshard.chaos;

import io.hookshard.core.ChargebackEvent;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.OrderEvent;
import io.hookshard.core.PayloadSchemas;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker's idea of an inbox digest is the service's: the digest of what the service's decoder compares. */
class ChaosDigestTest {
    private final PayloadSchemas schemas = new PayloadSchemas();
    private final EventDecoder decoder = new EventDecoder(schemas);

    @Test
    void inboxDigestOfEveryPlannedEventIsWhatTheServiceStores() throws Exception {
        Workload workload = new Workload(3, 500);
        int checked = 0;
        for (int i = 0; i < 300; i++) {
            for (Workload.Delivery delivery : workload.next().deliveries()) {
                PlannedEvent event = delivery.event();
                String body = new String(delivery.body(), StandardCharsets.UTF_8);
                String content = event.kind() == EventKind.ORDER
                        ? order(body).content() : chargeback(body).content();
                assertThat(event.inboxDigest()).as(event.providerEventId())
                        .isEqualTo(Bodies.digest(content.getBytes(StandardCharsets.UTF_8)));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(300);
    }

    private OrderEvent order(String payload) throws Exception {
        return decoder.order(envelope(EventType.ORDER_PAYMENT, payload));
    }

    private ChargebackEvent chargeback(String payload) throws Exception {
        return decoder.chargeback(envelope(EventType.CHARGEBACK, payload));
    }

    private Envelope envelope(EventType type, String payload) {
        return new Envelope(UUID.randomUUID(), "k", type, null, Instant.now(), schemas.version(type), payload);
    }
}
