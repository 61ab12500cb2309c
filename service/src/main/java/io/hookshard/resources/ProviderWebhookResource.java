package io.hookshard.resources;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.hookshard.api.AcceptedResponse;
import io.hookshard.api.IgnoredResponse;
import io.hookshard.core.Envelope;
import io.hookshard.core.IngestException;
import io.hookshard.core.Ingestion;
import io.hookshard.core.WebhookRejection;
import io.hookshard.errors.ApiException;
import io.hookshard.providers.ProviderAdapter;
import io.hookshard.providers.ProviderIntake;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Providers' own webhooks, {@code POST /webhooks/{provider}}: verify and map (see {@link ProviderIntake}), then ingest
 * every event of the request and answer only once each one is stored (Kafka's durable ack, or the shard's commit in
 * sync mode), in the provider's own terms where it has them (Adyen's {@code [accepted]}). If any event could not be
 * stored the answer is an error, and the provider sends the whole request again. Events of a kind Hookshard does not
 * map are acknowledged and counted, never refused.
 */
@Path("/webhooks/{provider}")
public final class ProviderWebhookResource {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderWebhookResource.class);
    /** Event types become metric names only when they look like one: no provider text is trusted that far. */
    private static final Pattern METRIC_SAFE = Pattern.compile("[A-Za-z0-9_.]{1,64}");

    private final ProviderIntake intake;
    private final Ingestion ingestion;
    private final long guardMillis;
    private final long maxBodyBytes;
    private final MetricRegistry metrics;
    private final Meter received;
    private final Meter accepted;
    private final Timer ingestLatency;

    /** @param guard how long an answer may take before the request is answered 503 regardless */
    public ProviderWebhookResource(ProviderIntake intake, Ingestion ingestion, Duration guard, long maxBodyBytes,
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

    // No @Consumes: an unknown provider is a 404 whatever it sends; the content type is checked below.
    @POST
    public void receive(@PathParam("provider") String name, @Context HttpHeaders headers, InputStream body,
                        @Suspended AsyncResponse response) {
        ProviderAdapter adapter = intake.adapter(name).orElse(null);
        if (adapter == null) {
            response.resume(new NotFoundException());
            return;
        }
        received.mark();
        ProviderIntake.Admitted admitted;
        try {
            JsonContentType.require(headers.getMediaType());
            byte[] bytes = BoundedBody.read(body, headers.getLength(), maxBodyBytes);
            admitted = intake.admit(adapter, headers::getHeaderString, bytes);
        } catch (WebhookRejection rejection) {
            metrics.meter(MetricRegistry.name("hookshard.webhooks.rejected", rejection.code())).mark();
            // The reason, never the body.
            LOG.info("rejected {} webhook: {} {}", adapter.name(), rejection.status(), rejection.code());
            LOG.debug("rejection detail: {}", rejection.getMessage());
            response.resume(new ApiException(rejection.status(), rejection.code(), rejection.getMessage(),
                    rejection.details()));
            return;
        }
        admitted.unmappedTypes().forEach(type -> countUnmapped(adapter, type));
        List<Envelope> envelopes = admitted.envelopes();
        if (envelopes.isEmpty()) {
            response.resume(acknowledgement(adapter, admitted, List.of()));
            return;
        }
        // Ingestion gives up within its own timeout; this guards against an answer that never comes.
        response.setTimeout(guardMillis, TimeUnit.MILLISECONDS);
        response.setTimeoutHandler(timedOut -> timedOut.resume(ApiException.unavailable("ingest_timeout",
                "the events were not stored in time; they may or may not be, retry them", 5)));
        Timer.Context timer = ingestLatency.time();
        ingestion.ingestAll(envelopes).whenComplete((results, failure) -> {
            timer.stop();
            if (failure == null) {
                accepted.mark(envelopes.size());
                response.resume(acknowledgement(adapter, admitted, results));
            } else {
                response.resume(refusal(adapter, envelopes, failure instanceof CompletionException
                        ? failure.getCause() : failure));
            }
        });
    }

    private static Response acknowledgement(ProviderAdapter adapter, ProviderIntake.Admitted admitted,
                                            List<Ingestion.Result> results) {
        if (adapter.acknowledgement().isPresent()) {
            return Response.ok(adapter.acknowledgement().get(), MediaType.TEXT_PLAIN_TYPE).build();
        }
        if (results.isEmpty()) {
            return Response.ok(IgnoredResponse.of(admitted.unmappedTypes().get(0)), MediaType.APPLICATION_JSON_TYPE)
                    .build();
        }
        return Response.status(results.get(0).status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new AcceptedResponse(admitted.envelopes().get(0).eventId(), results.get(0).state())).build();
    }

    private void countUnmapped(ProviderAdapter adapter, String type) {
        String base = MetricRegistry.name("hookshard.webhooks", adapter.name(), "unmapped");
        metrics.meter(base).mark();
        metrics.meter(MetricRegistry.name(base, type != null && METRIC_SAFE.matcher(type).matches() ? type : "other"))
                .mark();
        LOG.debug("{} event of type {} is not mapped; acknowledged, not stored", adapter.name(), type);
    }

    private ApiException refusal(ProviderAdapter adapter, List<Envelope> envelopes, Throwable failure) {
        if (failure instanceof IngestException refused) {
            metrics.meter(MetricRegistry.name("hookshard.webhooks.rejected", refused.code())).mark();
            LOG.warn("could not take {} webhook of {} event(s), first event_id={}: {} {}", adapter.name(),
                    envelopes.size(), envelopes.get(0).eventId(), refused.status(), refused.code());
            return refused.retryAfterSeconds() > 0
                    ? ApiException.unavailable(refused.code(), refused.getMessage(), refused.retryAfterSeconds())
                    : new ApiException(refused.status(), refused.code(), refused.getMessage(), List.of());
        }
        LOG.error("could not take {} webhook of {} event(s), first event_id={}", adapter.name(), envelopes.size(),
                envelopes.get(0).eventId(), failure);
        return ApiException.unavailable("ingest_failed", "the events could not be taken; retry later", 5);
    }
}
