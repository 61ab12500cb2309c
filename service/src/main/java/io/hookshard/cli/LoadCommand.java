package io.hookshard.cli;

import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.hookshard.security.StandardWebhookVerifier;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * {@code load --url http://localhost:8080 [--rate 200] [--seconds 60] [--users 1000]}: a steady stream of signed
 * webhooks, for trying an operation under traffic (a bucket move, a restart) on dev mode or a staging deployment.
 * Each order gets a paid event, a third of them a refund and one in ten a chargeback, so every shard's tables move.
 * It prints what was answered every five seconds, and at the end how many events were accepted: the events a
 * check of the shards must find, each once.
 */
public final class LoadCommand extends Command {
    private static final String[] STEPS = {"order-paid", "order-refunded", "chargeback-opened"};

    private final UnaryOperator<String> environment;
    private final PrintStream out;

    public LoadCommand() {
        this(System::getenv, System.out);
    }

    LoadCommand(UnaryOperator<String> environment, PrintStream out) {
        super("load", "Send signed webhooks at a steady rate (HOOKSHARD_WEBHOOK_SECRETS signs them)");
        this.environment = environment;
        this.out = out;
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("--url").dest("url").setDefault("http://localhost:8080")
                .help("the service's application URL");
        subparser.addArgument("--rate").dest("rate").type(Integer.class).setDefault(200)
                .help("webhooks per second");
        subparser.addArgument("--seconds").dest("seconds").type(Integer.class).setDefault(60)
                .help("how long to send");
        subparser.addArgument("--users").dest("users").type(Integer.class).setDefault(1000)
                .help("users the orders belong to (spread over every bucket)");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        String secret = CliSupport.firstSecret(environment.apply("HOOKSHARD_WEBHOOK_SECRETS"),
                "HOOKSHARD_WEBHOOK_SECRETS");
        int rate = namespace.getInt("rate");
        int seconds = namespace.getInt("seconds");
        int users = namespace.getInt("users");
        if (rate < 1 || seconds < 1 || users < 1) {
            throw new IllegalArgumentException("--rate, --seconds and --users take positive numbers");
        }
        Sender sender = new Sender(secret, URI.create(namespace.getString("url")));
        String run = Long.toString(System.currentTimeMillis(), 36);
        out.printf("sending %d webhook(s) per second for %d s to %s (provider event ids evt-%s-N)%n", rate, seconds,
                namespace.getString("url"), run);
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long nextReport = start + 5_000_000_000L;
        for (long i = 0; System.nanoTime() < end; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            sender.send(webhook(run, i, users));
            if (System.nanoTime() >= nextReport) {
                out.printf("%3d s: %s%n", (System.nanoTime() - start) / 1_000_000_000L, sender.answers());
                nextReport += 5_000_000_000L;
            }
        }
        sender.drain();
        out.printf("done: %s; %d order event(s) and %d chargeback(s) accepted%n", sender.answers(),
                sender.accepted("orders"), sender.accepted("chargebacks"));
        long refused = sender.sent() - sender.accepted("orders") - sender.accepted("chargebacks");
        if (refused > 0) {
            throw new IllegalStateException(refused + " of " + sender.sent() + " webhook(s) were not accepted: "
                    + sender.answers());
        }
    }

    /** The i-th webhook: the steps of order i/3 in turn, so each order's events follow its first one. */
    static Webhook webhook(String run, long i, int users) {
        long order = i / STEPS.length;
        String step = STEPS[(int) (i % STEPS.length)];
        String orderId = "order-" + run + "-" + order;
        String occurredAt = Instant.parse("2026-11-20T10:00:00Z").plusSeconds(i % STEPS.length).toString();
        if (step.equals("chargeback-opened")) {
            return new Webhook("chargebacks", """
                    {"provider_event_id":"evt-%s-%d","order_id":"%s","dispute_id":"dispute-%s-%d","status":"opened",\
                    "reason":"fraudulent","amount_minor":1999,"currency":"EUR","occurred_at":"%s"}""".formatted(
                    run, i, orderId, run, order, occurredAt));
        }
        String status = step.equals("order-paid") ? "paid" : "refunded";
        return new Webhook("orders", """
                {"provider_event_id":"evt-%s-%d","user_id":"user-%d","order_id":"%s","status":"%s",\
                "amount_minor":%d,"currency":"EUR","occurred_at":"%s"}""".formatted(run, i, order % users, orderId,
                status, 100 + order % 9000, occurredAt));
    }

    record Webhook(String endpoint, String body) {
    }

    /** Sends without waiting for answers, up to a bound of requests in flight, and counts the answers. */
    private static final class Sender {
        private final String secret;
        private final URI base;
        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final Semaphore inFlight = new Semaphore(256);
        private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        private final Map<String, AtomicLong> accepted = new ConcurrentHashMap<>();
        private final AtomicLong sent = new AtomicLong();

        Sender(String secret, URI base) {
            this.secret = secret;
            this.base = base;
        }

        void send(Webhook webhook) throws InterruptedException {
            byte[] body = webhook.body().getBytes(StandardCharsets.UTF_8);
            String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
            long timestamp = Instant.now().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/webhooks/payments/" + webhook.endpoint()))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("webhook-id", id)
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", StandardWebhookVerifier.signature(secret, id, timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            inFlight.acquire();
            sent.incrementAndGet();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                try {
                    // sendAsync wraps the cause (a refused connection, a timeout) in a CompletionException.
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    String answer = cause != null ? cause.getClass().getSimpleName()
                            : Integer.toString(response.statusCode());
                    answers.computeIfAbsent(answer, ignored -> new AtomicLong()).incrementAndGet();
                    // 202 in Kafka mode, 200 (applied) in sync mode.
                    if (failure == null && response.statusCode() / 100 == 2) {
                        accepted.computeIfAbsent(webhook.endpoint(), ignored -> new AtomicLong()).incrementAndGet();
                    }
                } finally {
                    // Only once counted: drain() returns when every permit is back, and the summary it precedes
                    // must hold this answer.
                    inFlight.release();
                }
            });
        }

        void drain() throws InterruptedException {
            inFlight.acquire(256);
            inFlight.release(256);
        }

        String answers() {
            return new TreeMap<>(answers).toString();
        }

        long sent() {
            return sent.get();
        }

        long accepted(String endpoint) {
            AtomicLong count = accepted.get(endpoint);
            return count == null ? 0 : count.get();
        }
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable failure) {
        CliSupport.printError(cli.getStdErr(), failure);
    }
}
