package io.hookshard.resources;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.api.ErrorResponse;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.util.List;

/**
 * A POST whose Content-Type is no media type at all ({@code json}, {@code application/}) is refused by Jersey's
 * servlet before any filter or resource of the application runs, as a bare {@code 400 Bad Request}; this answers it
 * as every other wrong Content-Type is answered, 415 with what to send instead. The body is not read, so the
 * connection is closed after the answer (see {@link UnreadBodyFilter}). Other methods carry no body the service
 * reads, so their header is left alone.
 */
public final class ContentTypeFilter implements Filter {
    private static final int QUOTED = 64;

    private final ObjectMapper json;

    public ContentTypeFilter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        String header = http.getHeader("Content-Type");
        if (!"POST".equals(http.getMethod()) || header == null || isMediaType(header)) {
            chain.doFilter(request, response);
            return;
        }
        String quoted = header.length() > QUOTED ? header.substring(0, QUOTED) + "..." : header;
        HttpServletResponse answer = (HttpServletResponse) response;
        answer.setStatus(415);
        answer.setContentType("application/json");
        answer.setHeader("Connection", "close");
        answer.getWriter().write(json.writeValueAsString(new ErrorResponse("unsupported_media_type",
                "Content-Type must be application/json; '" + quoted + "' is not a media type", List.of())));
    }

    /** Parsed as Jersey parses it when it matches a resource's @Consumes. */
    private static boolean isMediaType(String header) {
        try {
            MediaType.valueOf(header);
            return true;
        } catch (IllegalArgumentException notAMediaType) {
            return false;
        }
    }
}
