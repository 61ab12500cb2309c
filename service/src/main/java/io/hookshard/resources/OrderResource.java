package io.hookshard.resources;

import io.hookshard.api.OrderView;
import io.hookshard.db.OrderQueries;
import io.hookshard.errors.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.util.List;
import java.util.Optional;

/** The read API for services that consume what Hookshard stored; routed through shard-router like the writes. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public final class OrderResource {
    /** The schemas' identifier: 1 to 128 printable ASCII characters, no space. No other id was ever stored. */
    private static final int MAX_ID = 128;

    private final OrderQueries queries;

    public OrderResource(OrderQueries queries) {
        this.queries = queries;
    }

    @GET
    @Path("orders/{orderId}")
    public OrderView order(@PathParam("orderId") String orderId, @Context UriInfo uri) {
        unambiguous(uri);
        return orderNamed(orderId);
    }

    @GET
    @Path("users/{userId}/orders")
    public List<OrderView> ordersOf(@PathParam("userId") String userId, @Context UriInfo uri) {
        unambiguous(uri);
        return ordersOfUserNamed(userId);
    }

    /**
     * The same by query parameter, for the ids a path cannot carry: the schema lets an id hold '/', '%', '\' or ';',
     * and Jetty refuses the first three percent-encoded in a path as ambiguous (400).
     */
    @GET
    @Path("orders")
    public OrderView orderByQuery(@QueryParam("order_id") List<String> orderIds) {
        return orderNamed(required("order_id", orderIds));
    }

    @GET
    @Path("users/orders")
    public List<OrderView> ordersOfUserByQuery(@QueryParam("user_id") List<String> userIds) {
        return ordersOfUserNamed(required("user_id", userIds));
    }

    private OrderView orderNamed(String id) {
        return (possible(id) ? queries.order(id) : Optional.<OrderView>empty()).orElseThrow(() -> new ApiException(
                Response.Status.NOT_FOUND, "order_not_found", "no order " + id + " is stored"));
    }

    private List<OrderView> ordersOfUserNamed(String id) {
        return possible(id) ? queries.ordersOf(id) : List.of();
    }

    /** The one value of a query parameter: given twice, which one was meant cannot be told. */
    private static String required(String name, List<String> values) {
        if (values.size() > 1) {
            throw new ApiException(400, "repeated_parameter", "the query parameter " + name + " is given "
                    + values.size() + " times; give it once", List.of());
        }
        if (values.isEmpty() || values.get(0).isEmpty()) {
            throw new ApiException(400, "missing_parameter", "the query parameter " + name + " is required",
                    List.of());
        }
        return values.get(0);
    }

    /** An id no webhook could have given (a NUL, which PostgreSQL refuses in text, among them) names nothing stored. */
    private static boolean possible(String id) {
        return id.length() <= MAX_ID && id.chars().allMatch(c -> c >= 0x21 && c <= 0x7E);
    }

    /**
     * A ';' in a path starts matrix parameters, which JAX-RS drops from the id: {@code /orders/a;b} would read order
     * {@code a}. An id holding ';' is read by query parameter (or with the ';' percent-encoded).
     */
    private static void unambiguous(UriInfo uri) {
        if (uri.getRequestUri().getRawPath().indexOf(';') >= 0) {
            throw new ApiException(400, "ambiguous_path", "a ';' in the path would cut the id short: use"
                    + " /orders?order_id=... or /users/orders?user_id=... (or encode it as %3B)", List.of());
        }
    }
}
