package io.hookshard.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.api.ErrorResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/**
 * Jetty's own errors (a malformed request line, headers or URI too long, a bad Content-Length: all refused before
 * Jersey sees the request) as the same JSON body as every other error, instead of Jetty's HTML page.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final String RETRY_AFTER_SECONDS = "5";

    private final ObjectMapper mapper;

    public JsonErrorHandler(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Every method gets the body, not only GET, POST and HEAD (Jetty's default): a TRACE or a made-up method, refused
     * 405 by the server's allowed-methods filter, was otherwise answered with no body at all.
     */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        if (code == HttpStatus.SERVICE_UNAVAILABLE_503) {
            // Refused while the server stops (or is not started yet): another instance, or this one restarted,
            // takes the webhook, so a provider is told to retry as for every other 503 Hookshard answers.
            response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status));
    }

    private byte[] body(int status) {
        String reason = HttpStatus.getMessage(status);
        try {
            return mapper.writeValueAsBytes(new ErrorResponse(
                    reason.toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_'), reason, List.of()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error body always serializes", e);
        }
    }
}
