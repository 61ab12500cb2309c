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
