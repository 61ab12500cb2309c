package io.hookshard.resources;

import io.hookshard.api.OrderView;
import io.hookshard.db.OrderQueries;
import io.hookshard.errors.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** The read API for services that consume what Hookshard stored; routed through shard-router like the writes. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public final class OrderResource {
    private final OrderQueries queries;

    public OrderResource(OrderQueries queries) {
        this.queries = queries;
    }

    @GET
    @Path("orders/{orderId}")
    public OrderView order(@PathParam("orderId") String orderId) {
        return queries.order(orderId).orElseThrow(() -> new ApiException(Response.Status.NOT_FOUND, "order_not_found",
                "no order " + orderId + " is stored"));
    }

    @GET
    @Path("users/{userId}/orders")
    public List<OrderView> ordersOf(@PathParam("userId") String userId) {
        return queries.ordersOf(userId);
    }

    /**
     * The same by query parameter, for the ids a path cannot carry: the schema lets an id hold '/', '%' or '\', and
     * Jetty refuses such a character percent-encoded in a path as ambiguous (400).
     */
    @GET
    @Path("orders")
    public OrderView orderNamed(@QueryParam("order_id") String orderId) {
        return order(required("order_id", orderId));
    }

    @GET
    @Path("users/orders")
    public List<OrderView> ordersOfUserNamed(@QueryParam("user_id") String userId) {
        return ordersOf(required("user_id", userId));
    }

    private static String required(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new ApiException(400, "missing_parameter", "the query parameter " + name + " is required",
                    List.of());
        }
        return value;
    }
}
