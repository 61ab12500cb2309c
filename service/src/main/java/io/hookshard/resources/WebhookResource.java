package io.hookshard.resources;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.hookshard.api.AcceptedResponse;
import io.hookshard.core.Envelope;
import io.hookshard.core.EventType;
import io.hookshard.core.IngestException;
import io.hookshard.core.Ingestion;
import io.hookshard.core.WebhookIntake;
import io.hookshard.core.WebhookRejection;
import io.hookshard.errors.ApiException;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Payment providers' webhooks. Verify, validate, then ingest: in Kafka mode produce with a durable ack and only
 * then answer 202 (503 with Retry-After when the broker does not acknowledge in time, never a 202); in sync mode
 * apply to the shard and answer 200 after the commit.
 */
@Path("/webhooks/payments")
@Produces(MediaType.APPLICATION_JSON)
public final class WebhookResource {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookResource.class);

    private final WebhookIntake intake;
    private final Ingestion ingestion;
    private final long guardMillis;
    private final long maxBodyBytes;
    private final MetricRegistry metrics;
    private final Meter received;
    private final Meter accepted;
    private final Timer ingestLatency;

    /** @param guard how long an answer may take before the request is answered 503 regardless */
    public WebhookResource(WebhookIntake intake, Ingestion ingestion, java.time.Duration guard, long maxBodyBytes,
                           MetricRegistry metrics) {
        this.intake = intake;
        this.ingestion = ingestion;
        this.guardMillis = guard.toMillis();
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
        this.received = metrics.meter("hookshard.webhooks.received");
        this.accepted = metrics.meter("hookshard.webhooks.accepted");
        this.ingestLatency = metrics.timer("hookshard.webhooks.ingest");
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
            JsonContentType.require(headers.getMediaType());
            byte[] bytes = BoundedBody.read(body, headers.getLength(), maxBodyBytes);
            envelope = intake.admit(type, headers::getHeaderString, bytes);
        } catch (WebhookRejection rejection) {
            metrics.meter(MetricRegistry.name("hookshard.webhooks.rejected", rejection.code())).mark();
            // The reason, never the body: parser messages can quote the payload, and that stays at DEBUG.
            LOG.info("rejected {} webhook webhook-id={}: {} {}", type.wireName(),
                    headers.getHeaderString("webhook-id"), rejection.status(), rejection.code());
            LOG.debug("rejection detail: {}", rejection.getMessage());
            response.resume(new ApiException(rejection.status(), rejection.code(), rejection.getMessage(),
                    rejection.details()));
            return;
        }
        // Ingestion gives up within its own timeout; this guards against an answer that never comes.
        response.setTimeout(guardMillis, TimeUnit.MILLISECONDS);
        response.setTimeoutHandler(timedOut -> timedOut.resume(ApiException.unavailable("ingest_timeout",
                "the event was not stored in time; it may or may not be, retry it", 5)));
        Timer.Context timer = ingestLatency.time();
        ingestion.ingest(envelope).whenComplete((result, failure) -> {
            timer.stop();
            if (failure == null) {
                accepted.mark();
                response.resume(Response.status(result.status())
                        .entity(new AcceptedResponse(envelope.eventId(), result.state())).build());
            } else {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause()
                        : failure;
                response.resume(refusal(type, envelope, cause));
            }
        });
    }

    private ApiException refusal(EventType type, Envelope envelope, Throwable failure) {
        if (failure instanceof IngestException refused) {
            metrics.meter(MetricRegistry.name("hookshard.webhooks.rejected", refused.code())).mark();
            LOG.warn("could not take {} event_id={}: {} {}", type.wireName(), envelope.eventId(), refused.status(),
                    refused.code());
            return refused.retryAfterSeconds() > 0
                    ? ApiException.unavailable(refused.code(), refused.getMessage(), refused.retryAfterSeconds())
                    : new ApiException(refused.status(), refused.code(), refused.getMessage(), List.of());
        }
        LOG.error("could not take {} event_id={}", type.wireName(), envelope.eventId(), failure);
        return ApiException.unavailable("ingest_failed", "the event could not be taken; retry later", 5);
    }
}
