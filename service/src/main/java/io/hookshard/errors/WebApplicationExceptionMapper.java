package io.hookshard.errors;

import com.codahale.metrics.MetricRegistry;
import io.hookshard.api.ErrorResponse;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/** Every WebApplicationException, ours or Jersey's (404, 405, 415...), as a JSON {code, message, details} body. */
public final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
    private static final Logger LOG = LoggerFactory.getLogger(WebApplicationExceptionMapper.class);

    private final MetricRegistry metrics;

    /** @param metrics counts every error answer by code: {@code hookshard.http.errors.<code>} */
    public WebApplicationExceptionMapper(MetricRegistry metrics) {
        this.metrics = metrics;
    }

    @Override
    public Response toResponse(WebApplicationException exception) {
        Response original = exception.getResponse();
        int status = original.getStatus();
        ErrorResponse body;
        if (exception instanceof ApiException api) {
            body = new ErrorResponse(api.code(), api.getMessage(), api.details());
        } else {
            Response.StatusType type = Response.Status.fromStatusCode(status);
            String reason = type == null ? "error" : type.getReasonPhrase();
            // Every resource of the API that takes a body takes JSON: say so rather than the bare reason phrase.
            String message = status == 415 ? "Content-Type must be application/json" : reason;
            body = new ErrorResponse(reason.toLowerCase(Locale.ROOT).replace(' ', '_').replace("-", "_"),
                    message, java.util.List.of());
            if (status >= 500) {
                LOG.error("request failed with {}", status, exception);
            }
        }
        metrics.meter(MetricRegistry.name("hookshard.http.errors", body.code())).mark();
        Response.ResponseBuilder builder = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body);
        original.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        return builder.build();
    }
}
