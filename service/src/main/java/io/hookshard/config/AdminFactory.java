package io.hookshard.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.hookshard.security.AdminTokenFilter;
import jakarta.servlet.DispatcherType;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;

/**
 * Who may run the admin tasks. On loopback (the default) whoever is on the machine; once the admin port listens on
 * any other address, only requests bearing the token from HOOKSHARD_ADMIN_TOKEN, and without one the service
 * refuses to start.
 */
public class AdminFactory {
    private String token = "";

    @JsonProperty
    public String getToken() {
        return token;
    }

    @JsonProperty
    public void setToken(String token) {
        this.token = token == null ? "" : token;
    }

    @Override
    public String toString() {
        return "AdminFactory{token=" + (token.isBlank() ? "none" : "set") + "}";
    }

    public void install(Environment environment, ServerFactory server) {
        List<String> exposed = nonLoopbackAdminHosts(server);
        if (token.isBlank()) {
            if (!exposed.isEmpty()) {
                throw new IllegalStateException("the admin port listens on " + exposed + ", beyond loopback: set"
                        + " HOOKSHARD_ADMIN_TOKEN (admin.token) so that tasks require a bearer token, or bind it to"
                        + " 127.0.0.1");
            }
            return;
        }
        environment.admin().addFilter("admin-token", new AdminTokenFilter(token))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/tasks/*");
    }

    /** The admin connectors' bind hosts that are not loopback (an unset host means every interface). */
    static List<String> nonLoopbackAdminHosts(ServerFactory server) {
        List<ConnectorFactory> connectors = server instanceof DefaultServerFactory defaults
                ? defaults.getAdminConnectors() : List.of();
        if (!(server instanceof DefaultServerFactory)) {
            return List.of("the application connector (simple server)");
        }
        return connectors.stream()
                .map(connector -> connector instanceof HttpConnectorFactory http ? http.getBindHost() : null)
                .filter(host -> !isLoopback(host))
                .map(host -> host == null ? "every interface" : host)
                .toList();
    }

    private static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
