package io.hookshard.chaos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The payment provider: sends the workload's webhooks at a fixed rate, signed, round robin over the instances in
 * service, and like a real provider retries each delivery (with the same webhook-id and a fresh signature) until it
 * is answered 2xx: after a 503, a timeout or a refused connection, with backoff, on the next instance. A 4xx is final
 * (and means the run itself sent something wrong). Every request goes to the {@link ClientLog}.
 */
final class Provider implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Provider.class);
    private static final int MAX_IN_FLIGHT = 256;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PLAN_AHEAD = Duration.ofSeconds(10);

    /** What the provider has done so far. */
    record Stats(long stories, long events, long deliveries, long requests, long inFlight, long pending,
                 Map<String, Long> answers) {
        long answered(String answer) {
            return answers.getOrDefault(answer, 0L);
        }
    }

    private final Endpoints endpoints;
    private final ClientLog log;
    private final Signer signer;
    private final double rate;
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(4, daemon("provider-http"));
    private final HttpClient client;
    private final Semaphore permits = new Semaphore(MAX_IN_FLIGHT);
    private final DelayQueue<Attempt> queue = new DelayQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong stories = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong deliveries = new AtomicLong();
    private final LongAdder requests = new LongAdder();
    private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    private volatile boolean planning = true;
    private volatile boolean closed;
    private Thread dispatcher;

    Provider(Endpoints endpoints, ClientLog log, Signer signer, double rate) {
        this.endpoints = endpoints;
        this.log = log;
        this.signer = signer;
        this.rate = rate;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).executor(httpThreads).build();
    }

    /** Starts sending; new stories start until {@code planUntilNanos}, and every started story is sent whole. */
    synchronized void start(Workload workload, long planUntilNanos) {
        dispatcher = new Thread(() -> dispatch(workload, planUntilNanos), "provider");
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    /** Waits until no story is left to start and every delivery was answered 2xx or 4xx. */
    boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!planning && pending.get() == 0) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    Stats stats() {
        Map<String, Long> counts = new TreeMap<>();
        answers.forEach((answer, count) -> counts.put(answer, count.sum()));
        return new Stats(stories.get(), events.get(), deliveries.get(), requests.sum(),
                MAX_IN_FLIGHT - permits.availablePermits(), pending.get(), counts);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        planning = false;
        if (dispatcher != null) {
            dispatcher.join(5000);
        }
        httpThreads.shutdownNow();
    }

    private void dispatch(Workload workload, long planUntilNanos) {
        long cursor = System.nanoTime();
        try {
            while (!closed) {
                if (planning) {
                    cursor = plan(workload, cursor, planUntilNanos);
                }
                Attempt attempt = queue.poll(20, TimeUnit.MILLISECONDS);
                if (attempt != null) {
                    permits.acquire();
                    send(attempt);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the provider stopped sending", e);
            planning = false;
            throw e;
        }
    }

    /**
     * Starts stories up to {@link #PLAN_AHEAD} ahead, paced so that their deliveries come at the rate on average. While
     * more than that much waits to be sent (the service cannot keep up), no story starts, and the pace picks up from
     * now when it can: the rate is a ceiling, and what the machine managed is in the client log.
     */
    private long plan(Workload workload, long cursor, long planUntilNanos) {
        long now = System.nanoTime();
        if (queue.size() > rate * PLAN_AHEAD.toSeconds()) {
            return cursor;
        }
        cursor = Math.max(cursor, now);
        while (cursor - (now + PLAN_AHEAD.toNanos()) < 0) {
            if (cursor - planUntilNanos >= 0) {
                planning = false;
                LOG.info("the provider starts no more stories; {} started", stories.get());
                return cursor;
            }
            Workload.Story story = workload.next();
            story.events().forEach(log::event);
            for (Workload.Delivery delivery : story.deliveries()) {
                enqueue(new Attempt(delivery, 1, cursor + TimeUnit.MILLISECONDS.toNanos(delivery.offsetMillis())));
            }
            stories.incrementAndGet();
            events.addAndGet(story.events().size());
            deliveries.addAndGet(story.deliveries().size());
            cursor += (long) (story.deliveries().size() * 1e9 / rate);
        }
        return cursor;
    }

    private void send(Attempt attempt) {
        Endpoints.Endpoint endpoint = endpoints.next();
        if (endpoint == null) {
            permits.release();
            // No request was made: nothing to log; look again shortly.
            retry(attempt, attempt.number(), Duration.ofMillis(200));
            return;
        }
        Workload.Delivery delivery = attempt.delivery();
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(endpoint.base().resolve(delivery.event().kind().path()))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("webhook-id", delivery.webhookId())
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", signer.signature(delivery.webhookId(), timestamp, delivery.body()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()))
                .build();
        long sentAt = System.currentTimeMillis();
        try {
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                permits.release();
                answered(attempt, endpoint, sentAt, response, failure);
            });
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void answered(Attempt attempt, Endpoints.Endpoint endpoint, long sentAt, HttpResponse<Void> response,
                          Throwable failure) {
        String answer = response != null ? Integer.toString(response.statusCode()) : failureName(failure);
        Workload.Delivery delivery = attempt.delivery();
        log.request(sentAt, System.currentTimeMillis(), delivery.event(), delivery.webhookId(), endpoint.name(),
                attempt.number(), delivery.resend(), answer);
        requests.increment();
        answers.computeIfAbsent(answer, a -> new LongAdder()).increment();
        int status = response == null ? 0 : response.statusCode();
        if (status / 100 == 2) {
            pending.decrementAndGet();
        } else if (status / 100 == 4) {
            LOG.warn("{} was refused with {} by {}: the run sent something the service must refuse",
                    delivery.event().key(), status, endpoint.name());
            pending.decrementAndGet();
        } else {
            Duration base = status == 0 ? Duration.ofMillis(100) : Duration.ofMillis(250);
            retry(attempt, attempt.number() + 1, backoff(base, attempt.number()));
        }
    }

    private void retry(Attempt attempt, int number, Duration delay) {
        if (closed) {
            pending.decrementAndGet();
            return;
        }
        queue.add(new Attempt(attempt.delivery(), number, System.nanoTime() + delay.toNanos()));
    }

    private void enqueue(Attempt attempt) {
        pending.incrementAndGet();
        queue.add(attempt);
    }

    /** Doubling from {@code base} up to 4 s, with a quarter of jitter either way. */
    private static Duration backoff(Duration base, int attempt) {
        long millis = Math.min(4000, base.toMillis() << Math.min(attempt - 1, 6));
        return Duration.ofMillis((long) (millis * (0.75 + ThreadLocalRandom.current().nextDouble() * 0.5)));
    }

    private static String failureName(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof HttpTimeoutException ? "timeout" : "io:" + cause.getClass().getSimpleName();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One try of a delivery, due at {@code dueNanos}. */
    private record Attempt(Workload.Delivery delivery, int number, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Attempt) other).dueNanos);
        }
    }
}
