package io.hookshard.chaos;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

    private Poison() {
    }

    /** The known set, the same for every run of a seed. */
    static List<Recipe> recipes(long seed) {
        Random random = new Random(seed ^ 0xbad_c0deL);
        String tag = PREFIX + Long.toString(seed, 36).replace('-', 'n');
        List<Recipe> recipes = new ArrayList<>();
        byte[] garbage = new byte[96];
        random.nextBytes(garbage);
        recipes.add(new Recipe("undecodable-bytes", ORDERS, key(tag + "-user-1"), garbage, "undecodable_envelope",
                null));
        recipes.add(new Recipe("not-json", ORDERS, key(tag + "-user-2"),
                ("{\"event_id\": \"" + tag + " is not json").getBytes(StandardCharsets.UTF_8), "undecodable_envelope",
                null));
        String utf16Id = tag + "-utf16";
        recipes.add(new Recipe("utf16-envelope", ORDERS, key(tag + "-user-3"),
                envelope("payment.order", tag + "-user-3", order(utf16Id, tag + "-user-3", "2026-03-02T10:00:00Z", 100))
                        .getBytes(StandardCharsets.UTF_16), "undecodable_envelope", utf16Id));
        recipes.add(new Recipe("no-value", ORDERS, key(tag + "-user-4"), null, "undecodable_envelope", null));
        String negativeId = tag + "-negative-amount";
        recipes.add(new Recipe("schema-violation", ORDERS, key(tag + "-user-5"), utf8(envelope("payment.order",
                tag + "-user-5", order(negativeId, tag + "-user-5", "2026-03-02T10:00:00Z", -5))), "schema_violation",
                negativeId));
        String wrongTypeId = tag + "-chargeback-on-orders";
        recipes.add(new Recipe("wrong-type", ORDERS, key(tag + "-order-6"), utf8(envelope("payment.chargeback",
                tag + "-order-6", chargeback(wrongTypeId, tag + "-order-6", "opened"))), "wrong_event_type",
                wrongTypeId));
        String yearZeroId = tag + "-year-zero";
        recipes.add(new Recipe("year-0000", ORDERS, key(tag + "-user-7"), utf8(envelope("payment.order",
                tag + "-user-7", order(yearZeroId, tag + "-user-7", "0000-01-01T00:00:00Z", 100))),
                "constraint_violation", yearZeroId));
        byte[] garbage2 = new byte[48];
        random.nextBytes(garbage2);
        recipes.add(new Recipe("undecodable-bytes", DISPUTES, key(tag + "-order-8"), garbage2, "undecodable_envelope",
                null));
        String badStatusId = tag + "-bad-status";
        recipes.add(new Recipe("schema-violation", DISPUTES, key(tag + "-order-9"), utf8(envelope("payment.chargeback",
                tag + "-order-9", chargeback(badStatusId, tag + "-order-9", "maybe"))), "schema_violation",
                badStatusId));
        String orderOnDisputesId = tag + "-order-on-disputes";
        recipes.add(new Recipe("wrong-type", DISPUTES, key(tag + "-user-10"), utf8(envelope("payment.order",
                tag + "-user-10", order(orderOnDisputesId, tag + "-user-10", "2026-03-02T10:00:00Z", 100))),
                "wrong_event_type", orderOnDisputesId));
        return recipes;
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

    private static String envelope(String type, String key, String payload) {
        return "{\"event_id\":\"" + UUID.nameUUIDFromBytes((type + ":" + key).getBytes(StandardCharsets.UTF_8))
                + "\",\"key\":\"" + key + "\",\"type\":\"" + type + "\",\"received_at\":\"2026-03-02T10:00:01Z\","
                + "\"payload\":" + payload + "}";
    }

    private static String order(String providerEventId, String userId, String occurredAt, long amount) {
        return "{\"provider_event_id\":\"" + providerEventId + "\",\"user_id\":\"" + userId + "\",\"order_id\":\""
                + userId + "-order\",\"status\":\"paid\",\"amount_minor\":" + amount + ",\"currency\":\"EUR\","
                + "\"occurred_at\":\"" + occurredAt + "\"}";
    }

    private static String chargeback(String providerEventId, String orderId, String status) {
        return "{\"provider_event_id\":\"" + providerEventId + "\",\"order_id\":\"" + orderId + "\",\"dispute_id\":\""
                + orderId + "-dispute\",\"status\":\"" + status + "\",\"reason\":\"fraudulent\",\"amount_minor\":100,"
                + "\"currency\":\"EUR\",\"occurred_at\":\"2026-03-02T10:00:00Z\"}";
    }

    private static byte[] key(String key) {
        return utf8(key);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
