package io.hookshard.tasks;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DlqReplayTaskTest {
    @Test
    void aReplayKeepsTheOriginAttemptsAndEventAndDropsWhatDescribedTheLastFailure() {
        RecordHeaders headers = new RecordHeaders();
        Map.of("traceparent", "00-abc-01",
                "hookshard-original-topic", "orders.webhooks",
                "hookshard-original-partition", "3",
                "hookshard-original-offset", "41",
                "hookshard-attempts", "2",
                "hookshard-first-failure-at", "2026-11-20T10:00:00Z",
                "hookshard-event-id", "d1b8dad5-9b0a-30ca-8b27-821663ad43ab",
                "hookshard-event-type", "payment.chargeback").forEach((key, value) -> add(headers, key, value));
        Map.of("hookshard-last-failure-at", "2026-11-21T10:00:00Z",
                "hookshard-error-class", "order_not_found",
                "hookshard-error-message", "no order",
                "hookshard-not-before", "1795000000000",
                "hookshard-parked-at", "2026-11-20T10:00:00Z",
                "hookshard-replayed-from", "orders.webhooks.dlq-0@1").forEach((key, value) -> add(headers, key, value));
        ConsumerRecord<byte[], byte[]> deadLetter = new ConsumerRecord<>("orders.webhooks.dlq", 2, 17, 0L,
                TimestampType.CREATE_TIME, 0, 0, new byte[0], new byte[0], headers, Optional.empty());

        Map<String, String> replayed = new LinkedHashMap<>();
        for (Header header : DlqReplayTask.replayHeaders(deadLetter)) {
            assertThat(replayed.put(header.key(), new String(header.value(), StandardCharsets.UTF_8)))
                    .as("one %s", header.key()).isNull();
        }

        assertThat(replayed).containsOnly(Map.entry("traceparent", "00-abc-01"),
                Map.entry("hookshard-original-topic", "orders.webhooks"),
                Map.entry("hookshard-original-partition", "3"),
                Map.entry("hookshard-original-offset", "41"),
                Map.entry("hookshard-attempts", "2"),
                Map.entry("hookshard-first-failure-at", "2026-11-20T10:00:00Z"),
                Map.entry("hookshard-event-id", "d1b8dad5-9b0a-30ca-8b27-821663ad43ab"),
                Map.entry("hookshard-event-type", "payment.chargeback"),
                Map.entry("hookshard-replayed-from", "orders.webhooks.dlq-2@17"));
    }

    private static void add(RecordHeaders headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
