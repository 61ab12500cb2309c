package io.hookshard.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.providers.AdyenAdapter;
import io.hookshard.providers.CheckoutAdapter;
import io.hookshard.security.StripeSignatureVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Providers' webhooks as they send them: real-shaped events from {@code src/test/resources/providers}, with
 * {@code {{name}}} placeholders filled in, signed the providers' ways. (The signing code is the service's; tests of
 * the verifiers check it against vectors computed apart from it.)
 */
public final class ProviderFixtures {
    /** Test secrets, one per provider; test-config.yml configures the same. */
    public static final String STRIPE_SECRET = "whsec_dGVzdC1zZWNyZXQtZm9yLWhvb2tzaGFyZC1pdHM=";
    public static final String ADYEN_HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
    public static final String CHECKOUT_SECRET = "hookshard-test-checkout-secret-key";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

    private ProviderFixtures() {
    }

    /** A fixture with every placeholder filled; one without a value is an error in the test. */
    public static String load(String resource, Map<String, String> values) {
        String template;
        try (InputStream in = ProviderFixtures.class.getResourceAsStream("/providers/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture providers/" + resource);
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                throw new IllegalArgumentException(resource + " needs a value for " + matcher.group(0));
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(out).toString();
    }

    /** An Adyen notification item, filled and signed (its {@code {{hmac}}} placeholder replaced by the signature). */
    public static String adyenItem(String eventCode, Map<String, String> values) {
        return adyenItem(eventCode, values, UnaryOperator.identity());
    }

    /** As {@link #adyenItem(String, Map)}, the item's text edited before it is signed. */
    public static String adyenItem(String eventCode, Map<String, String> values, UnaryOperator<String> edit) {
        String unsigned = edit.apply(load("adyen/" + eventCode + ".json", withHmacPlaceholder(values)));
        try {
            String signature = AdyenAdapter.signature(ADYEN_HMAC_KEY, JSON.readTree(unsigned));
            return unsigned.replace("\"{{hmac}}\"", "\"" + signature + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An Adyen batch of the given item texts, as Adyen posts it. */
    public static String adyenBatch(String... items) {
        return Arrays.stream(items).map(item -> "{\"NotificationRequestItem\":" + item + "}")
                .collect(Collectors.joining(",", "{\"live\":\"false\",\"notificationItems\":[", "]}"));
    }

    public static HttpRequest stripe(URI url, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return json(url, bytes).header("Stripe-Signature",
                StripeSignatureVerifier.header(STRIPE_SECRET, Instant.now().getEpochSecond(), bytes)).build();
    }

    public static HttpRequest adyen(URI url, String body) {
        return json(url, body.getBytes(StandardCharsets.UTF_8)).build();
    }

    public static HttpRequest checkout(URI url, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return json(url, bytes).header("Cko-Signature", CheckoutAdapter.signature(CHECKOUT_SECRET, bytes)).build();
    }

    private static HttpRequest.Builder json(URI url, byte[] body) {
        return HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static Map<String, String> withHmacPlaceholder(Map<String, String> values) {
        java.util.HashMap<String, String> all = new java.util.HashMap<>(values);
        all.put("hmac", "{{hmac}}");
        return all;
    }
}
