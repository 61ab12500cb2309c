package io.hookshard.bench;

import io.dropwizard.core.Application;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Environment;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The framework's own ceiling: Dropwizard answering 202 to the same POSTs, doing nothing with them. */
public final class BaselineApplication extends Application<Configuration> {
    /** Run as a JVM of its own: {@code BaselineApplication server baseline-config.yml}. */
    public static void main(String[] args) throws Exception {
        new BaselineApplication().run(args);
    }

    @Override
    public void run(Configuration configuration, Environment environment) {
        environment.jersey().register(new NoOpResource());
    }

    @Path("/webhooks/payments")
    @Produces(MediaType.APPLICATION_JSON)
    public static final class NoOpResource {
        @POST
        @Path("/orders")
        @Consumes(MediaType.APPLICATION_JSON)
        public Response orders(byte[] body) {
            return Response.accepted("{\"status\":\"accepted\"}").build();
        }
    }
}
