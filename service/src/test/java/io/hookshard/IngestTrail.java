package io.hookshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.HostileCorpus.Event;
import io.hookshard.HostileCorpus.Expect;
import io.hookshard.HostileCorpus.Webhook;
import io.hookshard.consume.TopicNames;
import io.hookshard.core.Envelope;
import io.hookshard.core.EnvelopeCodec;
import io.hookshard.core.EventType;
import io.hookshard.core.InvalidEventException;
import io.hookshard.support.ConsumerLag;
import io.hookshard.support.ShardSql;
import io.hookshard.support.TestApp;
import io.hookshard.support.Topics;
import io.hookshard.support.Webhooks;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.awaitility.core.ConditionTimeoutException;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * Sends webhooks and follows every answer to the shards and topics. A 2xx is a promise: exactly one inbox row and
 * one event row for the provider event, on the shard the router names and no other, saying what was sent (the
 * payload as the body's own text less surrounding whitespace), and nothing dead-lettered. A refusal leaves nothing:
 * no row on any shard, no record in any topic. Every departure is collected as a failure, not thrown, so that one run
 * lists them all.
 */
final class IngestTrail {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestApp app;
    private final boolean sync;
    private final Webhooks provider = new Webhooks(TestApp.SECRET);
    private final List<String> failures = new ArrayList<>();
    /** The first accepted copy of each provider event, by {@link #key}. */
    private final Map<String, Accepted> accepted = new LinkedHashMap<>();
    private final Set<String> acceptedOrders = new HashSet<>();
    private final Map<EventType, Integer> answered2xx = new HashMap<>();
    /** What was answered to each kind of body the service may read either way (see HostileCorpus.either). */
    private final Map<String, Map<Integer, Integer>> eitherAnswers = new java.util.TreeMap<>();
    private int refused;
    private int skipped;

    private record Accepted(Webhook webhook, String payload, UUID eventId) {
    }

    IngestTrail(TestApp app, boolean sync) {
        this.app = app;
        this.sync = sync;
    }

    List<String> failures() {
        return failures;
    }

    String summary() {
        return ("%d requests answered 2xx (%d distinct events), %d refused, %d chargebacks not sent (order refused);"
                + " answers by kind of body read either way: %s").formatted(answered2xx.values().stream()
                .mapToInt(Integer::intValue).sum(), accepted.size(), refused, skipped, eitherAnswers);
    }

    int acceptedEvents() {
        return accepted.size();
    }

    int refused() {
        return refused;
    }

    void send(List<Webhook> corpus) throws Exception {
        for (Webhook webhook : corpus) {
            if (webhook.type() == EventType.CHARGEBACK && webhook.event() != null
                    && !acceptedOrders.contains(webhook.event().orderId())) {
                // A chargeback goes only after its order was accepted; that order's refusal is a failure already.
                skipped++;
                continue;
            }
            byte[] body = webhook.body().getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> response = provider.send(Webhooks.signedWith(url(webhook.type()), body,
                    webhook.webhookId(), Instant.now().getEpochSecond(), TestApp.SECRET).build());
            int status = response.statusCode();
            if (webhook.expect() == Expect.EITHER) {
                eitherAnswers.computeIfAbsent(webhook.why().substring(0, webhook.why().indexOf(':')),
                        kind -> new java.util.TreeMap<>()).merge(status, 1, Integer::sum);
            }
            if (status >= 200 && status < 300) {
                accepted(webhook, response);
            } else if (status == 400 || status == 422) {
                refused++;
                if (webhook.expect() == Expect.ACCEPTED) {
                    failures.add("refused a valid body: " + status + " " + response.body() + "\n  "
                            + describe(webhook));
                }
            } else {
                failures.add("answered " + status + " " + response.body() + "\n  " + describe(webhook));
            }
        }
    }

    private void accepted(Webhook webhook, HttpResponse<String> response) throws Exception {
        answered2xx.merge(webhook.type(), 1, Integer::sum);
        if (webhook.expect() == Expect.REFUSED) {
            failures.add("accepted a body that must be refused: " + response.statusCode() + " " + response.body()
                    + "\n  " + describe(webhook));
            return;
        }
        Event event = webhook.event();
        String key = key(webhook.type(), event.providerEventId());
        JsonNode answer = JSON.readTree(response.body());
        UUID eventId = Envelope.eventIdOf(webhook.type(), event.providerEventId());
        boolean first = !accepted.containsKey(key);
        String expectedStatus = !sync ? "accepted" : first ? "applied" : "duplicate";
        int expectedCode = sync ? 200 : 202;
        if (response.statusCode() != expectedCode || !eventId.toString().equals(answer.path("event_id").asText())
                || !expectedStatus.equals(answer.path("status").asText())) {
            failures.add("answered " + response.statusCode() + " " + response.body() + ", expected " + expectedCode
                    + " with event_id " + eventId + " and status " + expectedStatus + "\n  " + describe(webhook));
        }
        if (first) {
            accepted.put(key, new Accepted(webhook, stripJsonWhitespace(webhook.body()), eventId));
        }
        if (webhook.type() == EventType.ORDER_PAYMENT) {
            acceptedOrders.add(event.orderId());
        }
    }

    /** Kafka mode: until every accepted event is stored and the group has consumed every topic to its end. */
    void awaitSettled(Duration atMost) {
        if (sync) {
            return;
        }
        String group = app.configuration().getConsumers().getGroupId();
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
                long stored = 0;
                for (String shard : app.shardUrls()) {
                    stored += ShardSql.count(shard, "SELECT count(*) FROM inbox");
                }
                return stored >= accepted.size()
                        && ConsumerLag.total(app.bootstrapServers(), group, app.ordersTopic()) == 0
                        && ConsumerLag.total(app.bootstrapServers(), group, app.disputesTopic()) == 0
                        && ConsumerLag.total(app.bootstrapServers(), group, TopicNames.retry(app.ordersTopic())) == 0
                        && ConsumerLag.total(app.bootstrapServers(), group, TopicNames.retry(app.disputesTopic())) == 0;
            });
        } catch (ConditionTimeoutException e) {
            failures.add("not settled within " + atMost + " (events not stored or topics not consumed); details below");
        }
    }

    /** Compares the shards and topics with the answers given; adds every difference to {@link #failures}. */
    void check() throws Exception {
        List<String> shards = app.shardUrls();
        Map<String, Map<String, Integer>> inbox = new HashMap<>();
        Map<String, Map<String, List<List<String>>>> events = new HashMap<>();
        Map<String, Map<String, String>> directory = new HashMap<>();
        for (String shard : shards) {
            Map<String, Integer> inboxRows = new HashMap<>();
            for (List<String> row : ShardSql.rows(shard, "SELECT event_type, provider_event_id FROM inbox")) {
                inboxRows.merge(row.get(0) + "|" + row.get(1), 1, Integer::sum);
            }
            inbox.put(shard, inboxRows);
            Map<String, List<List<String>>> eventRows = new HashMap<>();
            for (List<String> row : ShardSql.rows(shard, """
                    SELECT 'payment.order', provider_event_id, user_id, order_id, NULL, status, NULL, amount_minor,
                           currency, (extract(epoch FROM occurred_at) * 1000000)::bigint, event_id, payload::text
                    FROM order_events
                    UNION ALL
                    SELECT 'payment.chargeback', provider_event_id, user_id, order_id, dispute_id, status, reason,
                           amount_minor, currency, (extract(epoch FROM occurred_at) * 1000000)::bigint, event_id,
                           payload::text
                    FROM dispute_events""")) {
                eventRows.computeIfAbsent(row.get(0) + "|" + row.get(1), k -> new ArrayList<>()).add(row);
            }
            events.put(shard, eventRows);
            Map<String, String> owners = new HashMap<>();
            ShardSql.rows(shard, "SELECT order_id, user_id FROM order_directory")
                    .forEach(row -> owners.put(row.get(0), row.get(1)));
            directory.put(shard, owners);
        }

        for (Map.Entry<String, Accepted> entry : accepted.entrySet()) {
            Accepted promise = entry.getValue();
            Event event = promise.webhook().event();
            String home = app.shardUrlOf(event.userId());
            for (String shard : shards) {
                int expected = shard.equals(home) ? 1 : 0;
                int inboxRows = inbox.get(shard).getOrDefault(entry.getKey(), 0);
                List<List<String>> rows = events.get(shard).getOrDefault(entry.getKey(), List.of());
                if (inboxRows != expected || rows.size() != expected) {
                    failures.add("%d inbox rows and %d event rows on %s (expected %d)\n  %s".formatted(inboxRows,
                            rows.size(), shardName(shard), expected, describe(promise.webhook())));
                }
                if (shard.equals(home) && rows.size() == 1 && !rows.get(0).equals(expectedRow(promise))) {
                    failures.add("stored altered:\n    stored   %s\n    expected %s\n  %s".formatted(
                            printable(rows.get(0).toString()), printable(expectedRow(promise).toString()),
                            describe(promise.webhook())));
                }
            }
            if (event.type() == EventType.ORDER_PAYMENT) {
                String directoryShard = app.shardUrlOf(event.orderId());
                for (String shard : shards) {
                    String owner = directory.get(shard).get(event.orderId());
                    String expected = shard.equals(directoryShard) ? event.userId() : null;
                    if (!java.util.Objects.equals(owner, expected)) {
                        failures.add("order directory on %s says %s, expected %s\n  %s".formatted(shardName(shard),
                                printable(String.valueOf(owner)), printable(String.valueOf(expected)),
                                describe(promise.webhook())));
                    }
                }
            }
        }
        for (String shard : shards) {
            for (String table : List.of("inbox", "event")) {
                (table.equals("inbox") ? inbox.get(shard).keySet() : events.get(shard).keySet()).stream()
                        .filter(key -> !accepted.containsKey(key))
                        .forEach(key -> failures.add("%s row on %s of an event never accepted: %s".formatted(table,
                                shardName(shard), printable(key))));
            }
        }
        checkTopics();
    }

    private void checkTopics() throws Exception {
        Map<UUID, Accepted> byEventId = new HashMap<>();
        accepted.values().forEach(promise -> byEventId.put(promise.eventId(), promise));
        for (String topic : List.of(app.ordersTopic(), app.disputesTopic())) {
            for (ConsumerRecord<byte[], byte[]> dead : Topics.records(app.bootstrapServers(),
                    TopicNames.deadLetters(topic))) {
                String eventId = header(dead, "hookshard-event-id");
                Accepted promise = eventId == null ? null : byEventId.get(UUID.fromString(eventId));
                failures.add("dead-lettered (%s): %s\n  %s".formatted(header(dead, "hookshard-error-class"),
                        printable(String.valueOf(header(dead, "hookshard-error-message"))),
                        promise == null ? "event " + eventId : describe(promise.webhook())));
            }
            List<ConsumerRecord<byte[], byte[]>> records = Topics.records(app.bootstrapServers(), topic);
            EventType type = topic.equals(app.ordersTopic()) ? EventType.ORDER_PAYMENT : EventType.CHARGEBACK;
            int expected = sync ? 0 : answered2xx.getOrDefault(type, 0);
            if (records.size() != expected) {
                failures.add("%s holds %d records, but %d %s requests were answered 202".formatted(topic,
                        records.size(), expected, type.wireName()));
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                try {
                    UUID eventId = new EnvelopeCodec().decode(record.value()).eventId();
                    if (!byEventId.containsKey(eventId)) {
                        failures.add(topic + " holds event " + eventId + ", which was never accepted");
                    }
                } catch (InvalidEventException e) {
                    failures.add(topic + " holds a record that is no envelope: " + e.getMessage());
                }
            }
        }
    }

    /** The event row as the check query returns it, for what the webhook said. */
    private static List<String> expectedRow(Accepted promise) {
        Event event = promise.webhook().event();
        Instant at = event.occurredAt().truncatedTo(ChronoUnit.MICROS);
        long micros = Math.multiplyExact(at.getEpochSecond(), 1_000_000L) + at.getNano() / 1000;
        List<String> row = new ArrayList<>();
        row.add(event.type().wireName());
        row.add(event.providerEventId());
        row.add(event.userId());
        row.add(event.orderId());
        row.add(event.disputeId());
        row.add(event.status());
        row.add(event.reason());
        row.add(Long.toString(event.amountMinor()));
        row.add(event.currency());
        row.add(Long.toString(micros));
        row.add(promise.eventId().toString());
        row.add(promise.payload());
        return row;
    }

    /** The README's promise: the body's own JSON text, less surrounding whitespace. */
    static String stripJsonWhitespace(String body) {
        int start = 0;
        int end = body.length();
        while (start < end && " \t\r\n".indexOf(body.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && " \t\r\n".indexOf(body.charAt(end - 1)) >= 0) {
            end--;
        }
        return body.substring(start, end);
    }

    private static String key(EventType type, String providerEventId) {
        return type.wireName() + "|" + providerEventId;
    }

    private String shardName(String url) {
        return "shard " + (char) ('a' + app.shardUrls().indexOf(url));
    }

    private URI url(EventType type) {
        return app.url(type == EventType.ORDER_PAYMENT ? "/webhooks/payments/orders"
                : "/webhooks/payments/chargebacks");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static String describe(Webhook webhook) {
        String body = webhook.body();
        return "%s %s (%s), webhook-id %s, body %s".formatted(webhook.type().wireName(), webhook.expect()
                .name().toLowerCase(Locale.ROOT), webhook.why(), webhook.webhookId(),
                printable(body.length() > 400 ? body.substring(0, 400) + "... (" + body.length() + " chars)" : body));
    }

    /** Control characters, lone surrogates and non-ASCII shown as Java escapes, so a failure message shows them. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c >= 0x7F ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
