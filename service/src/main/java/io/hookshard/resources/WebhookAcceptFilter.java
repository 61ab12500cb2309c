package io.hookshard.resources;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;

/**
 * A webhook is taken whatever its Accept header says. Jersey answers 406 to a request whose Accept excludes the JSON
 * every answer is written in, and a provider whose client sends, say, {@code Accept: application/xml} would retry that
 * webhook until it gave up: never delivered over a header nobody reads. So a POST reaches Jersey without one
 * (anything goes, and the answer is JSON): every POST the application port takes is a webhook, and telling them by
 * method rather than by path holds under any {@code server.rootPath}. The reading endpoints keep their content
 * negotiation.
 */
public final class WebhookAcceptFilter implements Filter {
    private static final String ACCEPT = "Accept";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        if (!"POST".equals(http.getMethod()) || http.getHeader(ACCEPT) == null) {
            chain.doFilter(request, response);
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(http) {
            @Override
            public String getHeader(String name) {
                return ACCEPT.equalsIgnoreCase(name) ? null : super.getHeader(name);
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                return ACCEPT.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
            }

            @Override
            public Enumeration<String> getHeaderNames() {
                return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                        .filter(name -> !ACCEPT.equalsIgnoreCase(name)).toList());
            }
        }, response);
    }
}
