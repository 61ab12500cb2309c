package io.hookshard.errors;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Jetty's own error answers, on a bare Jetty server whose handler refuses every request with a given status. */
class JsonErrorHandlerTest {
    private final ObjectMapper json = new ObjectMapper();
    private Server server;
    private int status;

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Response.writeError(request, response, callback, status);
                return true;
            }
        });
        server.setErrorHandler(new JsonErrorHandler(json));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void aServiceUnavailableAnswerTellsWhenToRetry() throws Exception {
        status = 503;

        HttpResponse<String> response = get();

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(json.readTree(response.body()).get("code").asText()).isEqualTo("service_unavailable");
    }

    @Test
    void otherErrorsAreJsonWithoutRetryAfter() throws Exception {
        status = 400;

        HttpResponse<String> response = get();

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Retry-After")).isEmpty();
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json.readTree(response.body()).get("code").asText()).isEqualTo("bad_request");
    }

    private HttpResponse<String> get() throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
