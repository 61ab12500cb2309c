package io.hookshard.db;

import io.hookshard.core.ChargebackEvent;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventDecoder;
import io.hookshard.core.EventType;
import io.hookshard.core.OrderEvent;
import io.hookshard.core.PayloadSchemas;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The stores' choice of the newest event, as Java makes it within a batch: the order SQL applies across batches. */
class EventTimeTest {
    // U+FF5E (one UTF-16 unit) against U+1F600 (the pair D83D DE00): UTF-16 order and code point order disagree.
    private static final String FULLWIDTH_TILDE = "\uFF5E";
    private static final String GRINNING_FACE = "\uD83D\uDE00";

    private final PayloadSchemas schemas = new PayloadSchemas();
    private final EventDecoder decoder = new EventDecoder(schemas);

    @Test
    void comparesIdsByCodePointAsCollateCDoesNotByUtf16Units() {
        assertThat(FULLWIDTH_TILDE.compareTo(GRINNING_FACE)).as("String.compareTo").isPositive();
        assertThat(CollationC.compare(FULLWIDTH_TILDE, GRINNING_FACE)).isNegative();

        List<String> ids = List.of("", "a", "B", "ab", "evt-a", "evt-B", "\u00E9", "\uD7FF", "\uE000", FULLWIDTH_TILDE,
                "\uFFFF", "\uD800\uDC00", GRINNING_FACE, "\uDBFF\uDFFF", "a" + FULLWIDTH_TILDE, "a" + GRINNING_FACE,
                GRINNING_FACE + "a", GRINNING_FACE + FULLWIDTH_TILDE, "\uD83D\uDE01");
        List<String> disagreements = new ArrayList<>();
        for (String a : ids) {
            for (String b : ids) {
                int bytes = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                        b.getBytes(StandardCharsets.UTF_8)));
                if (Integer.signum(CollationC.compare(a, b)) != bytes) {
                    disagreements.add(a + " vs " + b);
                }
            }
        }
        assertThat(disagreements).isEmpty();
    }

    @Test
    void ordersTiedToTheMicrosecondAreSettledByRankThenCodePointIdNotByNanoseconds() throws Exception {
        OrderEvent tilde = order("\\uff5e", "paid", "2026-11-20T10:00:00.000000900Z");
        OrderEvent face = order("\\ud83d\\ude00", "paid", "2026-11-20T10:00:00.000000100+00:00");
        OrderEvent lowerRank = order("evt-z", "authorized", "2026-11-20T11:00:00.000000999+01:00");

        assertThat(List.of(tilde.occurredAt(), face.occurredAt(), lowerRank.occurredAt()))
                .containsOnly(Instant.parse("2026-11-20T10:00:00Z"));
        assertThat(OrderStore.EVENT_TIME.compare(face, tilde)).isPositive();
        assertThat(OrderStore.EVENT_TIME.compare(tilde, lowerRank)).isPositive();
        assertThat(List.of(lowerRank, tilde, face).stream().max(OrderStore.EVENT_TIME)).contains(face);
    }

    @Test
    void disputesTiedToTheMicrosecondAreSettledTheSameWay() throws Exception {
        DisputeStore.OwnedChargeback tilde = chargeback("\\uff5e", "won", "2026-11-20T10:00:00.000000900Z");
        DisputeStore.OwnedChargeback face = chargeback("\\ud83d\\ude00", "won", "2026-11-20T10:00:00.0000001Z");
        DisputeStore.OwnedChargeback lowerRank = chargeback("evt-z", "opened", "2026-11-20T10:00:00.000000999Z");

        assertThat(DisputeStore.EVENT_TIME.compare(face, tilde)).isPositive();
        assertThat(DisputeStore.EVENT_TIME.compare(tilde, lowerRank)).isPositive();
    }

    /** An order event as the consumers decode it; {@code id} as a JSON string body, escapes allowed. */
    private OrderEvent order(String id, String status, String occurredAt) throws Exception {
        return decoder.order(envelope(EventType.ORDER_PAYMENT, """
                {"provider_event_id":"%s","user_id":"u-1","order_id":"o-1","status":"%s","amount_minor":1,\
                "currency":"EUR","occurred_at":"%s"}""".formatted(id, status, occurredAt)));
    }

    private DisputeStore.OwnedChargeback chargeback(String id, String status, String occurredAt) throws Exception {
        ChargebackEvent event = decoder.chargeback(envelope(EventType.CHARGEBACK, """
                {"provider_event_id":"%s","order_id":"o-1","dispute_id":"d-1","status":"%s","reason":"fraud",\
                "amount_minor":1,"currency":"EUR","occurred_at":"%s"}""".formatted(id, status, occurredAt)));
        return new DisputeStore.OwnedChargeback(event, "u-1");
    }

    /** Claims this release's schema version, as ingest's envelopes do: ids outside the schema's ASCII still decode. */
    private Envelope envelope(EventType type, String payload) {
        return new Envelope(UUID.randomUUID(), "k", type, "msg_1", Instant.now(), schemas.version(type), payload);
    }
}
