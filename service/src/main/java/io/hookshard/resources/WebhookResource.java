package io.hookshard.resources;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.hookshard.api.AcceptedResponse;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.WebhookIntake;
import io.hookshard.core.WebhookRejection;
import io.hookshard.errors.ApiException;
import io.hookshard.kafka.EnvelopePublisher;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Payment providers' webhooks. Verify, validate, produce with a durable ack, and only then answer 202; a broker
 * that does not acknowledge in time gets the sender a 503 with Retry-After, never a 202.
 */
@Path("/webhooks/payments")
@Produces(MediaType.APPLICATION_JSON)
public final class WebhookResource {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookResource.class);

    private final WebhookIntake intake;
    private final EnvelopePublisher publisher;
    private final Map<EventType, String> topics;
    private final long maxBodyBytes;
    private final MetricRegistry metrics;
    private final Meter received;
    private final Meter accepted;
    private final Timer produceLatency;

    public WebhookResource(WebhookIntake intake, EnvelopePublisher publisher, Map<EventType, String> topics,
                           long maxBodyBytes, MetricRegistry metrics) {
        this.intake = intake;
        this.publisher = publisher;
        this.topics = Map.copyOf(topics);
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
        this.received = metrics.meter("hookshard.webhooks.received");
        this.accepted = metrics.meter("hookshard.webhooks.accepted");
        this.produceLatency = metrics.timer("hookshard.webhooks.produce");
    }

    @POST
    @Path("/orders")
    @Consumes(MediaType.APPLICATION_JSON)
    public void orders(@Context HttpHeaders headers, InputStream body, @Suspended AsyncResponse response) {
        receive(EventType.ORDER_PAYMENT, headers, body, response);
    }

    @POST
    @Path("/chargebacks")
    @Consumes(MediaType.APPLICATION_JSON)
    public void chargebacks(@Context HttpHeaders headers, InputStream body, @Suspended AsyncResponse response) {
        receive(EventType.CHARGEBACK, headers, body, response);
    }

    private void receive(EventType type, HttpHeaders headers, InputStream body, AsyncResponse response) {
        received.mark();
        Envelope envelope;
        try {
            byte[] bytes = BoundedBody.read(body, headers.getLength(), maxBodyBytes);
            envelope = intake.admit(type, new WebhookIntake.SignatureHeaders(headers.getHeaderString("webhook-id"),
                    headers.getHeaderString("webhook-timestamp"), headers.getHeaderString("webhook-signature")), bytes);
        } catch (WebhookRejection rejection) {
            metrics.meter(MetricRegistry.name("hookshard.webhooks.rejected", rejection.code())).mark();
            LOG.info("rejected {} webhook webhook-id={}: {} {} ({})", type.wireName(),
                    headers.getHeaderString("webhook-id"), rejection.status(), rejection.code(), rejection.getMessage());
            response.resume(new ApiException(Response.Status.fromStatusCode(rejection.status()), rejection.code(),
                    rejection.getMessage(), rejection.details()));
            return;
        }
        // The producer gives up within produceTimeout; this guards against a callback that never comes.
        response.setTimeout(publisherGuardMillis(), TimeUnit.MILLISECONDS);
        response.setTimeoutHandler(timedOut -> timedOut.resume(ApiException.unavailable("broker_timeout",
                "the broker did not acknowledge in time; the event may or may not be stored, retry it", 5)));
        Timer.Context timer = produceLatency.time();
        publisher.publish(topics.get(type), envelope).whenComplete((metadata, failure) -> {
            timer.stop();
            if (failure == null) {
                accepted.mark();
                LOG.debug("accepted {} event_id={} at {}-{}@{}", type.wireName(), envelope.eventId(), metadata.topic(),
                        metadata.partition(), metadata.offset());
                response.resume(Response.accepted(new AcceptedResponse(envelope.eventId(), "accepted")).build());
            } else {
                metrics.meter("hookshard.webhooks.rejected.broker_unavailable").mark();
                LOG.warn("could not store {} event_id={} in Kafka, answered 503: {}", type.wireName(),
                        envelope.eventId(), failure.toString());
                response.resume(ApiException.unavailable("broker_unavailable",
                        "the event could not be stored durably; nothing was accepted, retry later", 5));
            }
        });
    }

    private long publisherGuardMillis() {
        return publisher.ackTimeout().toMillis() + 5_000;
    }
}
