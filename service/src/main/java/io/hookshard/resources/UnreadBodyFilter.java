package io.hookshard.resources;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request answered before its body was read (415, 404, 405...) leaves bytes on a keep-alive connection; Jetty then
 * closes it silently after the answer, and a provider reusing it loses its next webhook. So: drain what is left, up
 * to the body limit, or announce {@code Connection: close} when the rest will not be read (413 included).
 */
public final class UnreadBodyFilter implements ContainerResponseFilter {
    private static final String CONNECTION = "Connection";

    private final long limit;

    public UnreadBodyFilter(long limit) {
        this.limit = limit;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        // A body declared larger than the limit would be drained only to be cut off: close at once instead of
        // waiting for bytes a client may never send (a GET declaring 99,999,999 held a thread until the idle timeout).
        if (response.getStatus() == 413 || request.getLength() > limit) {
            response.getHeaders().putSingle(CONNECTION, "close");
            return;
        }
        try {
            if (!request.hasEntity()) {
                return;
            }
            InputStream in = request.getEntityStream();
            byte[] buffer = new byte[8192];
            long drained = 0;
            int read;
            while ((read = in.read(buffer)) != -1) {
                drained += read;
                if (drained > limit) {
                    response.getHeaders().putSingle(CONNECTION, "close");
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // A body that broke off (a malformed chunk, an early EOF) has already been answered 400 by the resource;
            // Jersey's hasEntity wraps the container's EOF in a ProcessingException, which must not make it a 500.
            response.getHeaders().putSingle(CONNECTION, "close");
        }
    }
}
