package io.hookshard.chaos;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Records no webhook could produce, written straight into the webhook topics as a foreign producer (or a bug) might:
 * each must end in its topic's dead-letter topic, once, with the reason named here, and nowhere in the shards.
 */
final class Poison {
    /** One poison record: what to write, and the dead letter it must become. */
    record Recipe(String label, String topic, byte[] key, byte[] value, String expectedReason, String providerEventId) {
    }

    /** A poison record as written: where it landed. */
    record Written(String label, String topic, int partition, long offset, String expectedReason, String valueDigest,
                   String providerEventId) {
    }

    /** Every id in a poison record starts with this: such ids must never reach a shard's tables. */
    static final String PREFIX = "poison-";
    private static final String ORDERS = Cluster.TOPICS.get(0);
    private static final String DISPUTES = Cluster.TOPICS.get(1);
    private static final String UNDECODABLE = "undecodable_envelope";

    private Poison() {
    }

    /**
     * The known set, the same for every run of a seed.
     *
     * @param receivedAt what the envelopes say ingest received them at: now, so that no consumer takes them for
     *                   envelopes older than it can deduplicate (that would be another reason)
     */
    static List<Recipe> recipes(long seed, Instant receivedAt) {
        String at = receivedAt.truncatedTo(ChronoUnit.SECONDS).toString();
        Random random = new Random(seed ^ 0xbad_c0deL);
        String tag = PREFIX + Long.toString(seed, 36).replace('-', 'n');
        String order = "payment.order";
        String chargeback = "payment.chargeback";
        byte[] garbage = new byte[96];
        random.nextBytes(garbage);
        byte[] moreGarbage = new byte[48];
        random.nextBytes(moreGarbage);
        String utf16 = envelope(order, at, tag + "-user-3", order(tag + "-utf16", tag + "-user-3", 100));
        return List.of(
                new Recipe("undecodable-bytes", ORDERS, utf8(tag + "-user-1"), garbage, UNDECODABLE, null),
                new Recipe("not-json", ORDERS, utf8(tag + "-user-2"),
                        utf8("{\"event_id\": \"" + tag + " is not json"), UNDECODABLE, null),
                new Recipe("utf16-envelope", ORDERS, utf8(tag + "-user-3"), utf16.getBytes(StandardCharsets.UTF_16),
                        UNDECODABLE, tag + "-utf16"),
                new Recipe("no-value", ORDERS, utf8(tag + "-user-4"), null, UNDECODABLE, null),
                new Recipe("schema-violation", ORDERS, utf8(tag + "-user-5"), utf8(envelope(order, at,
                        tag + "-user-5", order(tag + "-negative", tag + "-user-5", -5))), "schema_violation",
                        tag + "-negative"),
                new Recipe("wrong-type", ORDERS, utf8(tag + "-order-6"), utf8(envelope(chargeback, at,
                        tag + "-order-6", chargeback(tag + "-chargeback-on-orders", tag + "-order-6", "opened"))),
                        "wrong_event_type", tag + "-chargeback-on-orders"),
                new Recipe("trailing-content", ORDERS, utf8(tag + "-user-7"), utf8(envelope(order, at,
                        tag + "-user-7", order(tag + "-trailing", tag + "-user-7", 100)) + " {}"), UNDECODABLE,
                        tag + "-trailing"),
                new Recipe("undecodable-bytes", DISPUTES, utf8(tag + "-order-8"), moreGarbage, UNDECODABLE, null),
                new Recipe("schema-violation", DISPUTES, utf8(tag + "-order-9"), utf8(envelope(chargeback, at,
                        tag + "-order-9", chargeback(tag + "-bad-status", tag + "-order-9", "maybe"))),
                        "schema_violation", tag + "-bad-status"),
                new Recipe("wrong-type", DISPUTES, utf8(tag + "-user-10"), utf8(envelope(order, at,
                        tag + "-user-10", order(tag + "-order-on-disputes", tag + "-user-10", 100))),
                        "wrong_event_type", tag + "-order-on-disputes"));
    }

    /** Writes one recipe (acks=all) and returns where it landed. */
    static Written write(String bootstrapServers, Recipe recipe) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            RecordMetadata metadata = producer.send(new ProducerRecord<>(recipe.topic(), recipe.key(), recipe.value()))
                    .get(150, TimeUnit.SECONDS);
            return new Written(recipe.label(), recipe.topic(), metadata.partition(), metadata.offset(),
                    recipe.expectedReason(), recipe.value() == null ? "-" : Bodies.digest(recipe.value()),
                    recipe.providerEventId());
        }
    }

    private static String envelope(String type, String receivedAt, String key, String payload) {
        return "{\"event_id\":\"" + UUID.nameUUIDFromBytes((type + ":" + key).getBytes(StandardCharsets.UTF_8))
                + "\",\"key\":\"" + key + "\",\"type\":\"" + type + "\",\"received_at\":\"" + receivedAt
                + "\",\"payload\":" + payload + "}";
    }

    private static String order(String providerEventId, String userId, long amount) {
        return "{\"provider_event_id\":\"" + providerEventId + "\",\"user_id\":\"" + userId + "\",\"order_id\":\""
                + userId + "-order\",\"status\":\"paid\",\"amount_minor\":" + amount + ",\"currency\":\"EUR\","
                + "\"occurred_at\":\"2026-03-02T10:00:00Z\"}";
    }

    private static String chargeback(String providerEventId, String orderId, String status) {
        return "{\"provider_event_id\":\"" + providerEventId + "\",\"order_id\":\"" + orderId + "\",\"dispute_id\":\""
                + orderId + "-dispute\",\"status\":\"" + status + "\",\"reason\":\"fraudulent\",\"amount_minor\":100,"
                + "\"currency\":\"EUR\",\"occurred_at\":\"2026-03-02T10:00:00Z\"}";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
