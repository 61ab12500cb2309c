package io.hookshard.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hookshard.config.KafkaFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;

/**
 * The bare stand-in: what answering a webhook durably costs without a framework, a signature or a schema. A JDK HTTP
 * server produces each POST body to the broker with Hookshard's own producer settings (acks=all, idempotent, same
 * linger and compression) and answers 202 only after the ack; 503 if the ack does not come. Usage:
 * {@code BareIngest <port> <bootstrap servers> <topic>}.
 */
public final class BareIngest {
    private static final byte[] ACCEPTED = "{\"status\":\"accepted\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] UNAVAILABLE = "{\"status\":\"unavailable\"}".getBytes(StandardCharsets.UTF_8);

    private BareIngest() {
    }

    public static void main(String[] args) throws Exception {
        // Headers and body go out in two writes: with Nagle's algorithm on, the client's delayed ACK holds the second
        // for 40 ms (every answer took 48 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        String bootstrap = args[1];
        String topic = args[2];
        KafkaFactory kafka = new KafkaFactory();
        kafka.setBootstrapServers(bootstrap);
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        Producer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties("bare-ingest"));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.createContext("/", exchange -> produce(producer, topic, exchange));
        server.setExecutor(Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            producer.close();
        }));
        server.start();
    }

    private static void produce(Producer<byte[], byte[]> producer, String topic, HttpExchange exchange)
            throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        // Keyed by the webhook id, which spreads requests over the partitions as Hookshard's user ids do.
        String id = exchange.getRequestHeaders().getFirst("webhook-id");
        byte[] key = (id == null ? "" : id).getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, key, body), (metadata, failure) -> answer(exchange,
                failure == null ? 202 : 503));
    }

    private static void answer(HttpExchange exchange, int status) {
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            byte[] body = status == 202 ? ACCEPTED : UNAVAILABLE;
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException e) {
            exchange.close();
        }
    }
}
