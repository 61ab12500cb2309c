package io.hookshard.chaos;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The provider's traffic, a pure function of the seed: stories of one order each (created, authorized, paid, ... for
 * one of many users), some with a chargeback dispute. A story's webhooks are sent within seconds and out of order;
 * events share instants (ties the lifecycle rank or the event id must break); 30% of disputes are sent before their
 * order; a fifth of the events are sent again once or twice, half of those as a new message (a new webhook-id).
 */
final class Workload {
    /** One webhook to send {@code offsetMillis} after its story starts. */
    record Delivery(long offsetMillis, PlannedEvent event, byte[] body, String webhookId, boolean resend) {
    }

    /** An order's events and its dispute's, and the deliveries that send them. */
    record Story(List<PlannedEvent> events, List<Delivery> deliveries) {
    }

    private static final Instant EPOCH = Instant.parse("2026-03-01T00:00:00Z");
    private static final List<String> CURRENCIES = List.of("EUR", "USD", "GBP", "CHF");
    private static final List<String> REASONS = List.of("fraudulent", "product_not_received", "duplicate",
            "unrecognized", "credit_not_processed");
    private static final List<List<String>> ORDER_PATHS = List.of(
            List.of("created", "authorized", "paid"),
            List.of("created", "authorized", "paid", "refunded"),
            List.of("created", "failed"),
            List.of("created", "authorized", "canceled"),
            // Two provider events with the same status: the id breaks the tie when their instants match too.
            List.of("created", "paid", "paid"),
            List.of("authorized", "failed", "authorized", "paid"));
    private static final double[] ORDER_PATH_WEIGHTS = {0.45, 0.15, 0.10, 0.10, 0.10, 0.10};

    private final Random random;
    private final String tag;
    private final int users;
    private final Bodies bodies;
    private long stories;
    private long events;

    Workload(long seed, int users) {
        this.random = new Random(seed);
        this.tag = "s" + Long.toString(seed, 36).replace('-', 'n');
        this.users = users;
        this.bodies = new Bodies(new Random(seed * 31 + 7));
    }

    Story next() {
        long n = stories++;
        String userId = "usr-" + tag + "-" + random.nextInt(users);
        String orderId = "ord-" + tag + "-" + n;
        String currency = CURRENCIES.get(random.nextInt(CURRENCIES.size()));
        long amount = 100 + random.nextInt(500_000);
        Instant start = EPOCH.plus(n * 7, ChronoUnit.SECONDS).plusMillis(random.nextInt(7000));

        List<Bodies.Sealed> orderEvents = new ArrayList<>();
        Instant at = start;
        List<String> path = ORDER_PATHS.get(pick(ORDER_PATH_WEIGHTS));
        for (int i = 0; i < path.size(); i++) {
            at = next(at, i);
            orderEvents.add(event(EventKind.ORDER, userId, orderId, null, path.get(i), amount + i, currency, null,
                    at));
        }
        List<Bodies.Sealed> disputeEvents = new ArrayList<>();
        if (path.contains("paid") && random.nextDouble() < 0.15) {
            String disputeId = "dsp-" + tag + "-" + n;
            at = at.plus(1 + random.nextInt(72), ChronoUnit.HOURS);
            for (String status : disputePath()) {
                at = next(at, disputeEvents.size());
                disputeEvents.add(event(EventKind.CHARGEBACK, userId, orderId, disputeId, status,
                        amount + disputeEvents.size(), currency, REASONS.get(random.nextInt(REASONS.size())), at));
            }
        }

        // Out of order: each event's first send falls anywhere in its window, whatever its occurred_at.
        boolean disputeFirst = !disputeEvents.isEmpty() && random.nextDouble() < 0.30;
        long orderFrom = disputeFirst ? 2000 : 0;
        List<Delivery> deliveries = new ArrayList<>();
        long lastOrderSend = 0;
        for (Bodies.Sealed event : orderEvents) {
            long offset = orderFrom + random.nextInt(4000);
            lastOrderSend = Math.max(lastOrderSend, offset);
            send(deliveries, event, offset);
        }
        for (Bodies.Sealed event : disputeEvents) {
            send(deliveries, event, disputeFirst ? random.nextInt(1500) : lastOrderSend + 500 + random.nextInt(5000));
        }
        deliveries.sort(Comparator.comparingLong(Delivery::offsetMillis));
        List<PlannedEvent> all = new ArrayList<>();
        orderEvents.forEach(sealed -> all.add(sealed.event()));
        disputeEvents.forEach(sealed -> all.add(sealed.event()));
        return new Story(List.copyOf(all), List.copyOf(deliveries));
    }

    private List<String> disputePath() {
        List<String> path = new ArrayList<>(List.of("opened"));
        if (random.nextDouble() < 0.7) {
            path.add("under_review");
        }
        if (random.nextDouble() < 0.6) {
            path.add(random.nextBoolean() ? "won" : "lost");
            if (random.nextDouble() < 0.4) {
                path.add("closed");
            }
        }
        return path;
    }

    /** The provider sends every event once, and a fifth of them again, once or twice, a new message half the time. */
    private void send(List<Delivery> deliveries, Bodies.Sealed sealed, long offset) {
        PlannedEvent event = sealed.event();
        byte[] body = sealed.body();
        String webhookId = "msg_" + event.providerEventId();
        deliveries.add(new Delivery(offset, event, body, webhookId, false));
        if (random.nextDouble() < 0.20) {
            int again = 1 + random.nextInt(2);
            for (int k = 1; k <= again; k++) {
                String id = random.nextBoolean() ? webhookId + "_r" + k : webhookId;
                deliveries.add(new Delivery(offset + 300 + random.nextInt(8000), event, body, id, true));
            }
        }
    }

    private Bodies.Sealed event(EventKind kind, String userId, String orderId, String disputeId, String status,
                               long amount, String currency, String reason, Instant at) {
        String providerEventId = "evt-" + tag + "-" + events++;
        String occurredAt = format(at);
        PlannedEvent draft = new PlannedEvent(kind, providerEventId, userId, orderId, disputeId, status, amount,
                currency, reason, occurredAt, null, 0);
        return bodies.seal(draft, targetSize());
    }

    /** A quarter of the events share their predecessor's instant (a same-second tie); the rest come 1 s to 5 min on. */
    private Instant next(Instant previous, int index) {
        if (index > 0 && random.nextDouble() < 0.25) {
            return previous;
        }
        Instant at = previous.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1 + random.nextInt(300));
        double fraction = random.nextDouble();
        if (fraction < 0.2) {
            at = at.plusMillis(random.nextInt(1000));
        } else if (fraction < 0.3) {
            at = at.plus(random.nextInt(1_000_000), ChronoUnit.MICROS);
        }
        return at;
    }

    /** RFC 3339, mostly in UTC ({@code Z}), a tenth with another offset: the same instant written differently. */
    private String format(Instant at) {
        if (random.nextDouble() < 0.1) {
            int hours = random.nextInt(13) - 6;
            int minutes = random.nextBoolean() ? 0 : 30;
            ZoneOffset offset = ZoneOffset.ofHoursMinutes(hours, hours < 0 ? -minutes : minutes);
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(at.atOffset(offset));
        }
        return DateTimeFormatter.ISO_INSTANT.format(at);
    }

    /** Bodies from 200 B to 60 KiB: most small, a quarter of a few KiB, one in twenty large. */
    private int targetSize() {
        double r = random.nextDouble();
        if (r < 0.70) {
            return 200 + random.nextInt(800);
        }
        if (r < 0.95) {
            return 1000 + random.nextInt(7192);
        }
        return 8192 + random.nextInt(60 * 1024 - 8192 + 1);
    }

    private int pick(double[] weights) {
        double r = random.nextDouble();
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
