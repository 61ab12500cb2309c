package io.hookshard.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class WorkloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theSameSeedMakesTheSameTraffic() {
        Workload a = new Workload(42, 1000);
        Workload b = new Workload(42, 1000);
        for (int i = 0; i < 200; i++) {
            Workload.Story first = a.next();
            Workload.Story second = b.next();
            assertThat(first.events()).isEqualTo(second.events());
            assertThat(first.deliveries()).extracting(Workload.Delivery::offsetMillis, Workload.Delivery::webhookId)
                    .isEqualTo(second.deliveries().stream().map(d -> org.assertj.core.groups.Tuple.tuple(
                            d.offsetMillis(), d.webhookId())).toList());
        }
    }

    @Test
    void bodiesSayWhatTheEventSaysFrom200BytesTo60KiBWithTheirDigest() throws Exception {
        Workload workload = new Workload(7, 1000);
        int large = 0;
        for (int i = 0; i < 2000; i++) {
            for (Workload.Delivery delivery : workload.next().deliveries()) {
                PlannedEvent event = delivery.event();
                assertThat(delivery.body().length).isBetween(200, 60 * 1024).isEqualTo(event.bodyLength());
                assertThat(Bodies.digest(delivery.body())).isEqualTo(event.digest());
                JsonNode body = JSON.readTree(delivery.body());
                assertThat(body.get("provider_event_id").asText()).isEqualTo(event.providerEventId());
                assertThat(body.get("status").asText()).isEqualTo(event.status());
                assertThat(body.get("occurred_at").asText()).isEqualTo(event.occurredAt());
                assertThat(body.get("amount_minor").asLong()).isEqualTo(event.amountMinor());
                assertThat(body.has("user_id")).isEqualTo(event.kind() == EventKind.ORDER);
                large += delivery.body().length > 8192 ? 1 : 0;
            }
        }
        assertThat(large).as("bodies over 8 KiB").isPositive();
    }

    @Test
    void trafficHasTiesResendsNewWebhookIdsAndDisputesSentBeforeTheirOrder() {
        Workload workload = new Workload(11, 1000);
        int stories = 3000;
        int disputes = 0;
        int disputesFirst = 0;
        int ties = 0;
        int resends = 0;
        int newIds = 0;
        int outOfOrder = 0;
        Map<String, String> ownerOfOrder = new HashMap<>();
        for (int i = 0; i < stories; i++) {
            Workload.Story story = workload.next();
            List<PlannedEvent> orderEvents = story.events().stream().filter(e -> e.kind() == EventKind.ORDER).toList();
            orderEvents.forEach(e -> assertThat(ownerOfOrder.putIfAbsent(e.orderId(), e.userId()))
                    .isIn(null, e.userId()));
            Set<java.time.Instant> instants = orderEvents.stream().map(e -> Model.instant(e.occurredAt()))
                    .collect(Collectors.toSet());
            ties += orderEvents.size() - instants.size();
            List<Workload.Delivery> firsts = story.deliveries().stream().filter(d -> !d.resend()).toList();
            resends += story.deliveries().size() - firsts.size();
            newIds += (int) story.deliveries().stream().filter(d -> d.resend()
                    && !d.webhookId().equals("msg_" + d.event().providerEventId())).count();
            List<PlannedEvent> sendOrder = new ArrayList<>(firsts.stream().map(Workload.Delivery::event).toList());
            if (!sendOrder.stream().sorted(Model.OLDEST_FIRST).toList().equals(sendOrder)) {
                outOfOrder++;
            }
            if (story.events().stream().anyMatch(e -> e.kind() == EventKind.CHARGEBACK)) {
                disputes++;
                if (firsts.get(0).event().kind() == EventKind.CHARGEBACK) {
                    disputesFirst++;
                }
            }
        }
        assertThat(ties).as("events sharing an instant").isGreaterThan(stories / 4);
        assertThat(resends).as("events sent again").isGreaterThan(stories / 2);
        assertThat(newIds).as("sent again as a new message").isGreaterThan(resends / 3);
        assertThat(outOfOrder).as("stories sent out of order").isGreaterThan(stories / 2);
        assertThat(disputesFirst).as("of %s disputes, sent before their order", disputes)
                .isBetween(disputes / 5, disputes * 2 / 5);
    }
}
