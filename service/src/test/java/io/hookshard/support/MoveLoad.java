package io.hookshard.support;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Orders and chargebacks from a few provider lanes, and a reader, against one or more instances of a deployment while
 * buckets move and processes die. A lane delivers as a provider does: each webhook again (to the next instance) until
 * it is answered 2xx, so every webhook it sent is accepted in the end, and it finishes its webhook when stopped. Every
 * fourth order is refunded by a later event, so moved order rows must carry the newest state. The reader polls
 * {@code GET /orders/{id}} of accepted orders: one it saw must never answer 404 again. What was accepted is kept for
 * {@link MoveLedger}.
 */
public final class MoveLoad implements AutoCloseable {
    private static final int USERS = 400;
    private final Webhooks provider;
    private final List<Function<String, URI>> instances;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    /** Accepted orders: order id -> user id. */
    final Map<String, String> orders = new ConcurrentHashMap<>();
    /** Orders whose later refund was accepted. */
    final Set<String> refunded = ConcurrentHashMap.newKeySet();
    /** Accepted chargebacks' provider event ids. */
    final Set<String> chargebacks = ConcurrentHashMap.newKeySet();
    /** Every accepted event (orders, refunds, chargebacks): provider event id -> order id. */
    final Map<String, String> events = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());

    /** @param instances each instance's URL of a path; a webhook not accepted by one is sent to the next */
    public MoveLoad(Webhooks provider, List<Function<String, URI>> instances) {
        this.provider = provider;
        this.instances = List.copyOf(instances);
    }

    public MoveLoad start(int lanes) {
        for (int lane = 0; lane < lanes; lane++) {
            int id = lane;
            threads.add(new Thread(() -> lane(id), "move-load-" + lane));
        }
        threads.add(new Thread(this::read, "move-reader"));
        threads.forEach(Thread::start);
        return this;
    }

    /** Stops the lanes (each finishes the webhook in hand) and the reader. */
    public void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(180_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Waits until {@code count} events were accepted, so that a move has rows to move whatever the machine's speed. */
    public void awaitAccepted(int count) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(3).toNanos();
        while (events.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + events.size() + " of " + count + " events accepted within"
                        + " 3 minutes; violations: " + violations);
            }
            Thread.sleep(100);
        }
    }

    public int acceptedEvents() {
        return events.size();
    }

    /** Orders seen that answered 404 afterwards, and answers that are neither 200 nor 404. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    private void lane(int lane) {
        int n = 0;
        while (running.get()) {
            String user = "user-" + lane + "-" + ThreadLocalRandom.current().nextInt(USERS);
            String order = "order-" + lane + "-" + n++;
            String event = Webhooks.randomId("evt");
            deliver("/webhooks/payments/orders", event, order, Webhooks.order(event, user, order, "paid", 100,
                    "2026-11-20T10:00:00Z"));
            orders.put(order, user);
            if (n % 3 == 0) {
                String chargeback = Webhooks.randomId("evt");
                deliver("/webhooks/payments/chargebacks", chargeback, order, Webhooks.chargeback(chargeback, order,
                        Webhooks.randomId("dispute"), "opened", "2026-11-21T10:00:00Z"));
                chargebacks.add(chargeback);
            }
            if (n % 4 == 0) {
                String refund = Webhooks.randomId("evt");
                deliver("/webhooks/payments/orders", refund, order, Webhooks.order(refund, user, order, "refunded",
                        100, "2026-11-22T10:00:00Z"));
                refunded.add(order);
            }
        }
    }

    /** Until a 2xx, as a provider retries: 503 and unreachable instances are tried again, on the next instance. */
    private void deliver(String path, String event, String order, String body) {
        while (true) {
            URI url = instances.get(Math.floorMod(next.getAndIncrement(), instances.size())).apply(path);
            try {
                int status = provider.post(url, body).statusCode();
                if (status / 100 == 2) {
                    events.put(event, order);
                    return;
                }
                if (status != 503) {
                    violations.add(event + " answered " + status + " by " + url);
                    return;
                }
            } catch (IOException unreachable) {
                // the instance is down (killed by the test): the provider tries again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                violations.add(event + ": interrupted before it was accepted");
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                violations.add(event + ": interrupted before it was accepted");
                return;
            }
        }
    }

    private void read() {
        List<String> known = new ArrayList<>();
        while (running.get()) {
            try {
                if (known.size() < orders.size()) {
                    known = new ArrayList<>(orders.keySet());
                }
                if (known.isEmpty()) {
                    Thread.sleep(50);
                    continue;
                }
                String order = known.get(ThreadLocalRandom.current().nextInt(known.size()));
                URI url = instances.get(Math.floorMod(next.getAndIncrement(), instances.size()))
                        .apply("/orders/" + order);
                int status = provider.get(url).statusCode();
                if (status == 200) {
                    seen.add(order);
                } else if (status != 404) {
                    violations.add(order + " answered " + status + " by " + url);
                } else if (seen.contains(order)) {
                    violations.add(order + " answered 404 by " + url + " after it was seen");
                }
            } catch (IOException unreachable) {
                // the instance is down (killed by the test)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
