package io.hookshard;

import io.hookshard.core.EventType;

import io.hookshard.HostileTimestamps.Shape;
import io.hookshard.HostileTimestamps.Timestamp;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Webhooks a provider may send, as awkward as the schemas allow: identifiers full of quotes, backslashes, percent
 * signs and JSON escapes, amounts 0 and 2^53-1, every currency shape, timestamps at the ends of the storable range,
 * at month boundaries and in odd offsets with 0-9 fraction digits, big and deeply nested extra fields holding NUL
 * escapes and emoji (raw and as surrogate-pair escapes), shuffled keys, odd whitespace, retries of the same bytes
 * (with the same or a new webhook id) and several events for one order or dispute. Mixed in: valid JSON that the
 * service must refuse. The same seed gives the same requests.
 */
final class HostileCorpus {
    /** What the service must answer: 2xx, 400/422, or either (the schema's reading of RFC 3339 and JSON numbers). */
    enum Expect { ACCEPTED, REFUSED, EITHER }

    /**
     * One request. {@code event} is what the body says, decoded, for bodies that may be accepted (null for the
     * refused); {@code why} names the hostile feature, for failure messages.
     */
    record Webhook(EventType type, String body, String webhookId, Expect expect, String why, Event event) {
        Webhook retried(String newWebhookId) {
            return new Webhook(type, body, newWebhookId, expect, "retry of " + why, event);
        }
    }

    /** What the shards must hold for an accepted event; for a chargeback, {@code userId} is its order's owner. */
    record Event(EventType type, String providerEventId, String userId, String orderId, String disputeId,
                 String status, String reason, long amountMinor, String currency, Instant occurredAt) {
    }

    private static final String[] ORDER_STATUSES = {"created", "authorized", "paid", "failed", "refunded", "canceled"};
    private static final String[] DISPUTE_STATUSES = {"opened", "under_review", "won", "lost", "closed"};
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    /** Identifiers that mean something to SQL, COPY, array literals, LIKE, JSON or a shell. */
    private static final String[] SPECIAL_IDS = {"NULL", "null", "\\N", "\\.", "%", "_", "%_%", "\"", "\\", "\\\\",
            "'", "''", "{}", "{a,\"b\"}", "{NULL}", "';DROP/**/TABLE/**/inbox;--", "$1", ":user_id", "?", "~", "..",
            "../..", "\\u0000", "\\ud83d", "\\\"\\", "<script>", "${jndi:x}", "a\\tb", "0", "-0", "1e3", "true"};

    private final Random random;
    private final HostileJson json;
    private final HostileTimestamps timestamps;
    private final List<Webhook> sequence = new ArrayList<>();
    private final List<Webhook> retriable = new ArrayList<>();
    private final Set<String> orderEventIds = new HashSet<>();
    private final Set<String> chargebackEventIds = new HashSet<>();
    private final Set<String> orderIds = new HashSet<>();
    private final Set<String> disputeIds = new HashSet<>();
    private final Set<String> userIds = new HashSet<>();
    private int specialIds;
    private int webhookIds;

    private HostileCorpus(long seed) {
        this.random = new Random(seed);
        this.json = new HostileJson(random);
        this.timestamps = new HostileTimestamps(random);
    }

    /** About {@code orders} orders, each with 1-3 events, 40% with a dispute, plus retries and refused bodies. */
    static List<Webhook> generate(long seed, int orders) {
        HostileCorpus corpus = new HostileCorpus(seed);
        corpus.build(orders);
        return corpus.sequence;
    }

    private void build(int orders) {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < Math.max(1, orders / 3); i++) {
            users.add(unique(userIds));
        }
        List<List<Webhook>> orderStreams = new ArrayList<>();
        List<List<Webhook>> disputeStreams = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            String user = users.get(random.nextInt(users.size()));
            String order = unique(orderIds);
            List<Webhook> events = new ArrayList<>();
            for (String status : statuses(ORDER_STATUSES, 1 + random.nextInt(3))) {
                events.add(order(user, order, status));
            }
            List<Webhook> disputes = new ArrayList<>();
            if (random.nextInt(10) < 4) {
                String dispute = unique(disputeIds);
                for (String status : statuses(DISPUTE_STATUSES, 1 + random.nextInt(3))) {
                    disputes.add(chargeback(user, order, dispute, status));
                }
            }
            orderStreams.add(events);
            disputeStreams.add(disputes);
        }
        // Interleaved: each order's events in turn, its chargebacks only once its first event went out.
        List<Integer> open = new ArrayList<>();
        boolean[] started = new boolean[orders];
        for (int i = 0; i < orders; i++) {
            open.add(i);
        }
        while (!open.isEmpty()) {
            int slot = random.nextInt(open.size());
            int i = open.get(slot);
            List<Webhook> events = orderStreams.get(i);
            List<Webhook> disputes = disputeStreams.get(i);
            boolean orderNext = !events.isEmpty() && (!started[i] || disputes.isEmpty() || random.nextBoolean());
            emit((orderNext ? events : disputes).remove(0));
            started[i] = true;
            if (events.isEmpty() && disputes.isEmpty()) {
                open.remove(slot);
            }
            if (random.nextInt(100) < 12) {
                Webhook original = retriable.get(random.nextInt(retriable.size()));
                sequence.add(original.retried(random.nextBoolean() ? original.webhookId() : nextWebhookId()));
            }
            if (random.nextInt(100) < 18) {
                sequence.add(refused(users.get(random.nextInt(users.size()))));
            }
            if (random.nextInt(100) < 4) {
                sequence.add(either(users.get(random.nextInt(users.size()))));
            }
        }
    }

    private void emit(Webhook webhook) {
        sequence.add(webhook);
        retriable.add(webhook);
    }

    private List<String> statuses(String[] all, int count) {
        List<String> statuses = new ArrayList<>(List.of(all));
        Collections.shuffle(statuses, random);
        return statuses.subList(0, count);
    }

    // ---- valid events

    private Webhook order(String user, String order, String status) {
        BodyDraft draft = orderDraft(unique(orderEventIds), user, order, status);
        return new Webhook(EventType.ORDER_PAYMENT, draft.render(), nextWebhookId(), Expect.ACCEPTED, draft.why(),
                draft.event);
    }

    private Webhook chargeback(String user, String order, String dispute, String status) {
        BodyDraft draft = chargebackDraft(unique(chargebackEventIds), user, order, dispute, status);
        return new Webhook(EventType.CHARGEBACK, draft.render(), nextWebhookId(), Expect.ACCEPTED, draft.why(),
                draft.event);
    }

    private BodyDraft orderDraft(String providerEventId, String user, String order, String status) {
        long amount = amount();
        String currency = currency();
        Timestamp at = timestamps.timestamp();
        BodyDraft draft = new BodyDraft(new Event(EventType.ORDER_PAYMENT, providerEventId, user, order, null, status,
                null, amount, currency, at.instant()), json, random);
        draft.put("provider_event_id", json.string(providerEventId));
        draft.put("user_id", json.string(user));
        draft.put("order_id", json.string(order));
        draft.put("status", json.string(status));
        draft.put("amount_minor", Long.toString(amount));
        draft.put("currency", json.string(currency));
        draft.put("occurred_at", json.string(at.text()));
        draft.note(at.why());
        extras(draft);
        return draft;
    }

    private BodyDraft chargebackDraft(String providerEventId, String user, String order, String dispute,
                                      String status) {
        long amount = amount();
        String currency = currency();
        String reason = reason();
        Timestamp at = timestamps.timestamp();
        BodyDraft draft = new BodyDraft(new Event(EventType.CHARGEBACK, providerEventId, user, order, dispute, status,
                reason, amount, currency, at.instant()), json, random);
        draft.put("provider_event_id", json.string(providerEventId));
        draft.put("order_id", json.string(order));
        draft.put("dispute_id", json.string(dispute));
        draft.put("status", json.string(status));
        draft.put("reason", json.string(reason));
        draft.put("amount_minor", Long.toString(amount));
        draft.put("currency", json.string(currency));
        draft.put("occurred_at", json.string(at.text()));
        draft.note(at.why());
        extras(draft);
        return draft;
    }

    /** A fresh identifier of 1-128 printable ASCII characters, decoded; unique within {@code used}. */
    private String unique(Set<String> used) {
        while (true) {
            String id = identifier();
            if (used.add(id)) {
                return id;
            }
        }
    }

    private String identifier() {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return SPECIAL_IDS[specialIds++ % SPECIAL_IDS.length];
        }
        int length = kind == 1 ? 128 : kind == 2 ? 1 + random.nextInt(3) : 4 + random.nextInt(kind < 5 ? 120 : 24);
        StringBuilder id = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            id.append(random.nextInt(3) == 0 ? PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length()))
                    : (char) (0x21 + random.nextInt(0x5E)));
        }
        return id.toString();
    }

    private long amount() {
        return switch (random.nextInt(5)) {
            case 0 -> 0;
            case 1 -> 9007199254740991L;
            case 2 -> random.nextInt(100);
            default -> (long) (random.nextDouble() * 9007199254740991L);
        };
    }

    private String currency() {
        return switch (random.nextInt(4)) {
            case 0 -> "AAA";
            case 1 -> "ZZZ";
            default -> "" + (char) ('A' + random.nextInt(26)) + (char) ('A' + random.nextInt(26))
                    + (char) ('A' + random.nextInt(26));
        };
    }

    /** 1-256 code points of anything but U+0000 and lone surrogates. */
    private String reason() {
        return switch (random.nextInt(6)) {
            case 0 -> "fraudulent";
            case 1 -> "NULL";
            case 2 -> "\ud83d\ude00".repeat(256);
            default -> json.text(1 + random.nextInt(120), false);
        };
    }

    // ---- extra fields

    private void extras(BodyDraft draft) {
        int count = random.nextInt(10) < 4 ? 0 : 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            String name = json.extraName();
            if (draft.names.contains(name)) {
                continue;
            }
            int kind = random.nextInt(20);
            if (kind == 0) {
                draft.put(name, json.string("\u0000".repeat(1 + random.nextInt(3))
                        + json.text(random.nextInt(2000), true) + "\u0000"));
                draft.note("NUL escapes in an extra field");
            } else if (kind == 1 && !draft.large) {
                // Up to ~30 KB in UTF-8 and escapes, so that the body stays below the 64 KiB limit.
                draft.put(name, json.string(json.text(3_000 + random.nextInt(4_000), true)));
                draft.large = true;
                draft.note("large extra field");
            } else if (kind == 2) {
                int depth = 100 + random.nextInt(800);
                draft.put(name, "[".repeat(depth) + "{\"deep\":\"\\u0000\"}" + "]".repeat(depth));
                draft.note("extra nested " + depth + " deep");
            } else {
                draft.put(name, json.value(0));
            }
        }
        if (random.nextInt(20) == 0) {
            draft.escapeNames = true;
            draft.note("member names written with \\u escapes");
        }
    }

    private String nextWebhookId() {
        return "msg_fuzz_" + (++webhookIds);
    }

    // ---- bodies the service must refuse, and bodies it may read either way

    private Webhook refused(String user) {
        boolean order = random.nextBoolean();
        BodyDraft draft = order ? orderDraft(unique(orderEventIds), user, unique(orderIds), "paid")
                : chargebackDraft(unique(chargebackEventIds), user, unique(orderIds), unique(disputeIds), "opened");
        EventType type = order ? EventType.ORDER_PAYMENT : EventType.CHARGEBACK;
        String identifier = List.of("provider_event_id", "order_id", order ? "user_id" : "dispute_id")
                .get(random.nextInt(3));
        String why;
        String body;
        int kind = random.nextInt(14);
        // Orders have no reason: an order's "reason" is an extra field like any other.
        switch (order && kind == 6 ? 5 : kind) {
            case 0 -> {
                String[] times = {"2026-06-30T23:59:60Z", "2016-12-31T23:59:60.5Z", "0001-01-01T00:00:00+00:01",
                        "0001-01-01T05:44:59+05:45", "0000-06-01T00:00:00Z", "9999-12-31T23:59:59-00:01",
                        "9999-12-31T12:00:00-12:00", "2026-02-30T10:00:00Z", "2026-11-20T24:00:00Z",
                        "2026-11-20T10:00:00", "2026-11-20", "2026-11-20T10:00Z", "2026-11-20T10:00:00+1400"};
                String time = times[random.nextInt(times.length)];
                draft.put("occurred_at", json.string(time));
                why = "occurred_at " + time;
            }
            case 1 -> {
                String amount = List.of("-1", "9007199254740992", "\"1\"", "1.5", "null", "-9007199254740991",
                        "18446744073709551616", "true").get(random.nextInt(8));
                draft.put("amount_minor", amount);
                why = "amount_minor " + amount;
            }
            case 2 -> {
                String currency = List.of("eur", "EU", "EURO", "E\u00dcR", "EUR\n", "EUR\r\n", "\nEUR", " EUR",
                        "EUR\u2028", "EUR\u0085", "").get(random.nextInt(11));
                draft.put("currency", json.string(currency));
                why = "currency " + escapeForMessage(currency);
            }
            case 3, 4 -> {
                String id = List.of("", "x".repeat(129), "a b", "\u00e9", "\u20ac", "\ud83d\ude00", "evt\n",
                        "evt\r\n", "evt\r", "evt\u2028", "evt\u0085", "\tevt", "evt\u0000", "\u007f",
                        "evt-\u00a0").get(random.nextInt(15));
                draft.put(identifier, json.string(id));
                why = identifier + " " + escapeForMessage(id);
            }
            case 5 -> {
                String status = List.of("PAID", "shipped", "", "paid\n", "opened ", "won\u0000")
                        .get(random.nextInt(6));
                draft.put("status", json.string(status));
                why = "status " + escapeForMessage(status);
            }
            case 6 -> {
                String reason = List.of("fraud\u0000", "\u0000", "", "x".repeat(257), "\ud83d\ude00".repeat(257))
                        .get(random.nextInt(5));
                draft.put("reason", json.string(reason));
                why = "reason " + escapeForMessage(reason.length() > 20 ? reason.substring(0, 20) + "..." : reason);
            }
            case 7 -> {
                String name = draft.names.get(random.nextInt(7));
                draft.remove(name);
                why = "without " + name;
            }
            case 8 -> {
                String lone = List.of("\\ud83d", "\\ude00", "\\ude00\\ud83d", "x\\ud800y", "\\uD800\\u0041")
                        .get(random.nextInt(5));
                if (random.nextBoolean()) {
                    draft.put("note", "\"" + lone + "\"");
                } else {
                    draft.put("k" + lone, "1");
                    draft.rawNames.add("k" + lone);
                }
                why = "lone surrogate " + lone;
            }
            case 9 -> {
                draft.duplicate = true;
                why = "a member repeated";
            }
            case 10 -> {
                draft.duplicateEscaped = true;
                why = "a member repeated under an escaped name";
            }
            case 11 -> {
                int depth = 1001 + random.nextInt(100);
                draft.put("deep", "[".repeat(depth) + "]".repeat(depth));
                why = "nested " + depth + " deep";
            }
            case 12 -> {
                why = "trailing tokens";
                draft.trailer = List.of(" {}", "]", ",", "}", " \"x\"", "0", "/* */").get(random.nextInt(7));
            }
            default -> {
                body = List.of("[]", "\"text\"", "1", "null", "true", "[" + draft.render() + "]", "{}")
                        .get(random.nextInt(7));
                return new Webhook(type, body, nextWebhookId(), Expect.REFUSED, "not an event object: " + body
                        .substring(0, Math.min(body.length(), 20)), null);
            }
        }
        return new Webhook(type, draft.render(), nextWebhookId(), Expect.REFUSED, why, null);
    }

    /**
     * Valid readings of the specifications that the service may or may not take: RFC 3339's lowercase t and z, a
     * space for the T, more than nine fraction digits, offsets beyond 18 hours and -00:00 (UTC, local offset unknown;
     * the schema validator refuses it); integers written as 1.0 or 1E3 (JSON Schema's integers, refused by the
     * decoder); a surrogate pair escaped in a member name (refused by jackson-core 2.21.0, jackson-core#1541). Each
     * {@code why} starts with its kind, before a colon. Whatever the answer, a 2xx is followed like any other.
     */
    private Webhook either(String user) {
        boolean order = random.nextBoolean();
        String providerEventId = unique(order ? orderEventIds : chargebackEventIds);
        String orderId = unique(orderIds);
        BodyDraft draft = order ? orderDraft(providerEventId, user, orderId, "paid")
                : chargebackDraft(providerEventId, user, orderId, unique(disputeIds), "opened");
        Event event = draft.event;
        String why;
        int kind = random.nextInt(7);
        if (kind < 5) {
            Instant instant = Instant.parse("2026-03-01T00:00:00Z").plusSeconds(random.nextInt(86_400))
                    .plusNanos(random.nextInt(1_000_000_000));
            int digits = kind == 2 ? 10 + random.nextInt(6) : random.nextInt(10);
            instant = instant.minusNanos(instant.getNano() % (long) Math.pow(10, 9 - Math.min(digits, 9)));
            int offset = kind == 3 ? (18 * 60 + 1 + random.nextInt(5 * 60 + 58)) * 60 * (random.nextBoolean() ? 1 : -1)
                    : kind == 4 ? 0 : timestamps.offsetSeconds();
            Shape shape = kind == 0 ? Shape.LOWER_CASE : kind == 1 ? Shape.SPACE : kind == 4 ? Shape.UNKNOWN_OFFSET
                    : Shape.COMMON;
            String text = timestamps.render(instant, offset, digits, shape);
            draft.put("occurred_at", json.string(text));
            event = withTime(event, instant.truncatedTo(ChronoUnit.MICROS));
            why = List.of("lowercase t and z", "space for T", "over 9 fraction digits", "offset beyond 18 h",
                    "unknown local offset").get(kind) + ": occurred_at " + text;
        } else if (kind == 5) {
            long amount = random.nextInt(1000);
            String text = List.of(amount + ".0", amount + "E0", amount + "e+0", amount * 10 + "E-1", amount + ".000")
                    .get(random.nextInt(5));
            draft.put("amount_minor", text);
            event = withAmount(event, amount);
            why = "integer written as a decimal: amount_minor " + text;
        } else {
            String name = List.of("\\ud83d\\ude00", "x\\uD83D\\uDCA9", "\\udbff\\udfff").get(random.nextInt(3));
            draft.put("k" + name, "1");
            draft.rawNames.add("k" + name);
            why = "surrogate pair escaped in a member name: k" + name;
        }
        EventType type = order ? EventType.ORDER_PAYMENT : EventType.CHARGEBACK;
        // An accepted chargeback of an order nobody sent would wait for it: give it its order first.
        if (!order) {
            BodyDraft parent = orderDraft(unique(orderEventIds), user, orderId, "paid");
            emit(new Webhook(EventType.ORDER_PAYMENT, parent.render(), nextWebhookId(), Expect.ACCEPTED, parent.why(),
                    parent.event));
        }
        return new Webhook(type, draft.render(), nextWebhookId(), Expect.EITHER, why, event);
    }

    private static Event withTime(Event e, Instant at) {
        return new Event(e.type(), e.providerEventId(), e.userId(), e.orderId(), e.disputeId(), e.status(), e.reason(),
                e.amountMinor(), e.currency(), at);
    }

    private static Event withAmount(Event e, long amount) {
        return new Event(e.type(), e.providerEventId(), e.userId(), e.orderId(), e.disputeId(), e.status(), e.reason(),
                amount, e.currency(), e.occurredAt());
    }

    private static String escapeForMessage(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> out.append(cp < 0x20 || cp >= 0x7F ? String.format(Locale.ROOT, "\\u%04x", cp)
                : Character.toString(cp)));
        return "\"" + out + "\"";
    }
}
