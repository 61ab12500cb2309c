package io.hookshard.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.Violation;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Events of one request that contradict each other: the same event (one id) told twice with other content, or one
 * order given to two users. The inbox and the order directory keep whichever is stored first and dead-letter the
 * other, after the whole request was answered as accepted; refused with the request, the provider is told why.
 * The same event told twice alike is no contradiction: it is stored once.
 */
final class Contradictions {
    private record Seen(String item, String text) {
    }

    private final Map<UUID, Seen> events = new HashMap<>();
    private final Map<String, Seen> owners = new HashMap<>();

    /**
     * @param item    where the event is in the request, as the provider would read it
     * @param content what the inbox compares across redeliveries (the decoded fields: one instant however written)
     * @return what {@code envelope} contradicts of an event seen before it, at the provider's field it came from
     */
    Optional<Violation> check(String item, Envelope envelope, String content, MappedEvent mapped) {
        Seen event = events.putIfAbsent(envelope.eventId(), new Seen(item, content));
        if (event != null && !event.text().equals(content)) {
            return Optional.of(new Violation(mapped.sourceOf("/provider_event_id"), "is the id of the event at "
                    + event.item() + ", which says otherwise (one event, told two ways)"));
        }
        if (envelope.type() == EventType.ORDER_PAYMENT) {
            JsonNode orderId = mapped.fields().get("order_id");
            Seen owner = owners.putIfAbsent(orderId.asText(), new Seen(item, envelope.key()));
            if (owner != null && !owner.text().equals(envelope.key())) {
                return Optional.of(new Violation(mapped.sourceOf("/user_id"), "gives order " + orderId.asText()
                        + " to user " + envelope.key() + ", but the event at " + owner.item() + " gives it to "
                        + owner.text()));
            }
        }
        return Optional.empty();
    }
}
