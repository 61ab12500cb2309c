package io.hookshard.support;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Posts many signed webhooks from a few threads and keeps what each answer said. */
public final class Load {
    private Load() {
    }

    /** A posted body and the status it got. */
    public record Sent(String body, int status) {
    }

    /** What a provider's deliveries met: every body accepted in the end, and what it took. */
    public record Delivery(int accepted, int refused, int unreachable, int gaveUp) {
    }

    /**
     * Delivers every body as a provider would: a 503 or a connection error is retried with the same body (and a
     * fresh signature) until a 2xx, within two minutes per body.
     */
    public static Delivery deliver(Webhooks provider, java.util.function.Supplier<URI> url, int count, int threads,
                                   IntFunction<String> body, java.util.function.IntConsumer afterEach) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger unreachable = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger gaveUp = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String payload = body.apply(i);
                futures.add(pool.submit(() -> {
                    long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
                    while (System.nanoTime() < deadline) {
                        try {
                            int status = provider.post(url.get(), payload).statusCode();
                            if (status / 100 == 2) {
                                accepted.incrementAndGet();
                                afterEach.accept(done.incrementAndGet());
                                return null;
                            }
                            if (status != 503) {
                                throw new IllegalStateException("unexpected status " + status + " for " + payload);
                            }
                            refused.incrementAndGet();
                        } catch (java.io.IOException e) {
                            unreachable.incrementAndGet();
                        }
                        Thread.sleep(200);
                    }
                    gaveUp.incrementAndGet();
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Delivery(accepted.get(), refused.get(), unreachable.get(), gaveUp.get());
    }

    public static List<Sent> post(Webhooks provider, URI url, int count, int threads, IntFunction<String> body)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String payload = body.apply(i);
                futures.add(pool.submit(() -> {
                    HttpResponse<String> response = provider.post(url, payload);
                    sent.add(new Sent(payload, response.statusCode()));
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return sent;
    }
}
