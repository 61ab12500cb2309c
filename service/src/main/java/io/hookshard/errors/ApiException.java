package io.hookshard.errors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** A request Hookshard refuses, with a stable error code and the details the sender needs to fix it. */
public class ApiException extends WebApplicationException {
    private final String code;
    private final List<?> details;

    /** @param status any HTTP status; JAX-RS's enum lacks some we answer, 422 among them */
    public ApiException(int status, String code, String message, List<?> details) {
        super(message, null, status);
        this.code = code;
        this.details = List.copyOf(details);
    }

    public ApiException(Response.StatusType status, String code, String message) {
        this(status.getStatusCode(), code, message, List.of());
    }

    private ApiException(Response response, String code, String message) {
        super(message, null, response);
        this.code = code;
        this.details = List.of();
    }

    /** 503 with Retry-After: the request was fine, we could not take it now; the sender should try again. */
    public static ApiException unavailable(String code, String message, int retryAfterSeconds) {
        return new ApiException(Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .header("Retry-After", retryAfterSeconds).build(), code, message);
    }

    public String code() {
        return code;
    }

    public List<?> details() {
        return details;
    }
}
