package io.hookshard.security;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Admin tasks only with {@code Authorization: Bearer <token>}, compared in constant time. */
public final class AdminTokenFilter implements Filter {
    private final byte[] expected;

    public AdminTokenFilter(String token) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String offered = ((HttpServletRequest) request).getHeader("Authorization");
        if (offered != null && MessageDigest.isEqual(expected, offered.getBytes(StandardCharsets.UTF_8))) {
            chain.doFilter(request, response);
            return;
        }
        HttpServletResponse http = (HttpServletResponse) response;
        http.setStatus(401);
        http.setContentType("application/json");
        http.setHeader("WWW-Authenticate", "Bearer");
        http.getWriter().write("{\"code\":\"admin_token_required\",\"message\":\"admin tasks need the bearer token of"
                + " HOOKSHARD_ADMIN_TOKEN\",\"details\":[]}");
    }
}
