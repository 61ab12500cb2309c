package io.hookshard.resources;

import io.hookshard.core.PayloadSchemas;
import io.hookshard.errors.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

/** The JSON Schemas the webhook bodies are validated against, as shipped. */
@Path("/schemas")
public final class SchemaResource {
    private final PayloadSchemas schemas;

    public SchemaResource(PayloadSchemas schemas) {
        this.schemas = schemas;
    }

    @GET
    @Path("{name}")
    @Produces("application/schema+json")
    public byte[] schema(@PathParam("name") String name) {
        byte[] document = schemas.document(name);
        if (document == null) {
            throw new ApiException(Response.Status.NOT_FOUND, "schema_not_found",
                    "no schema " + name + "; known: order-payment, chargeback");
        }
        return document;
    }
}
