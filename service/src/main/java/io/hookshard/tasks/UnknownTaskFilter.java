package io.hookshard.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dropwizard's TaskServlet answers a task it does not know with a bare 404 and no body; this names the task asked
 * for and where the known ones are listed, in the JSON error body every other refusal has.
 */
final class UnknownTaskFilter implements Filter {
    private static final String PREFIX = "/tasks/";

    private final ObjectMapper json;

    UnknownTaskFilter(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(request, response);
        HttpServletResponse http = (HttpServletResponse) response;
        if (http.getStatus() != HttpServletResponse.SC_NOT_FOUND || http.isCommitted()) {
            return;
        }
        HttpServletRequest httpRequest = (HttpServletRequest) request;
        String path = httpRequest.getRequestURI().substring(httpRequest.getContextPath().length());
        String name = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path;
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", "unknown_task");
        error.put("message", "no task " + name + " on this admin port; GET /tasks lists the tasks");
        error.put("details", List.of());
        http.resetBuffer();
        http.setContentType("application/json");
        http.getWriter().write(json.writeValueAsString(error));
    }
}
