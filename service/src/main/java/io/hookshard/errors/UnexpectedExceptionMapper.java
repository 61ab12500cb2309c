package io.hookshard.errors;

import io.hookshard.api.ErrorResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/** A bug, not a bad request: logged once with its stack trace under an id the client is told; no trace leaves. */
public final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(Throwable exception) {
        String errorId = UUID.randomUUID().toString();
        LOG.error("unexpected error {}", errorId, exception);
        return Response.serverError().type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorResponse("internal_error", "unexpected error; quote error id " + errorId
                        + " to the operators", List.of()))
                .build();
    }
}
