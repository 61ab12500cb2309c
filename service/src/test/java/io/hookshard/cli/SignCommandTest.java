package io.hookshard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hookshard.providers.AdyenAdapter;
import io.hookshard.providers.CheckoutAdapter;
import io.hookshard.providers.ProviderAdapter;
import io.hookshard.providers.ProviderSettings;
import io.hookshard.providers.StripeAdapter;
import io.hookshard.support.ProviderFixtures;
import net.sourceforge.argparse4j.inf.Namespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code sign} prints is accepted by the endpoint of its scheme, so the README's examples work. */
class SignCommandTest {
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "HOOKSHARD_STRIPE_SECRETS", ProviderFixtures.STRIPE_SECRET + ",whsec_b3RoZXItc2VjcmV0LW5vdC1maXJzdA==",
            "HOOKSHARD_ADYEN_HMAC_KEYS", ProviderFixtures.ADYEN_HMAC_KEY,
            "HOOKSHARD_CHECKOUT_SECRETS", ProviderFixtures.CHECKOUT_SECRET);
    private static final Map<String, String> IDS = Map.of("event_id", "evt_1", "user_id", "user-1", "order_id",
            "order-1", "dispute_id", "dp_1", "status", "won", "type", "payment_captured");

    @TempDir
    Path directory;

    @Test
    void signsAStripeEventAsStripeDoes() throws Exception {
        Path body = write(ProviderFixtures.load("stripe/charge.succeeded.json", IDS));

        String printed = sign(body, "stripe", null);

        assertThat(printed).startsWith("Stripe-Signature: t=");
        verify(new StripeAdapter(settings(ProviderFixtures.STRIPE_SECRET)), "Stripe-Signature",
                printed.substring("Stripe-Signature: ".length()).strip(), Files.readAllBytes(body));
    }

    @Test
    void signsACheckoutEventAsCheckoutDoesAndPrintsTheCurlCommand() throws Exception {
        Path body = write(ProviderFixtures.load("checkout/payment.json", IDS));

        String printed = sign(body, "checkout", "http://localhost:8080/webhooks/checkout");

        String signature = CheckoutAdapter.signature(ProviderFixtures.CHECKOUT_SECRET, Files.readAllBytes(body));
        assertThat(printed.strip()).isEqualTo("curl -sS -X POST 'http://localhost:8080/webhooks/checkout'"
                + " -H 'Content-Type: application/json' -H 'Cko-Signature: " + signature + "' --data-binary '@" + body + "'");
        verify(new CheckoutAdapter(settings(ProviderFixtures.CHECKOUT_SECRET)), "Cko-Signature", signature,
                Files.readAllBytes(body));
    }

    @Test
    void theCurlCommandHandsEachArgumentWholeToTheShellWhateverItHolds() throws Exception {
        Path body = Files.createTempDirectory("hookshard sign ").resolve("it's the body.json");
        Files.writeString(body, ProviderFixtures.load("checkout/payment.json", IDS));
        String url = "http://localhost:8080/x'; echo injected; echo '";

        String command = sign(body, "checkout", url).strip();

        assertThat(command).startsWith("curl ");
        List<String> arguments = run("printf '<%s>\\n' " + command.substring("curl ".length())).lines().toList();
        assertThat(arguments).contains("<" + url + ">", "<@" + body + ">").doesNotContain("injected");
    }

    @Test
    void signsEveryItemOfAnAdyenBatchInsideTheBodyItPrints() throws Exception {
        String unsigned = """
                {"live": "false", "notificationItems": [
                  {"NotificationRequestItem": {"pspReference": "7914073381342284", "merchantReference": "it's-1",
                   "merchantAccountCode": "Shop", "amount": {"value": 1999, "currency": "EUR"},
                   "eventCode": "AUTHORISATION", "success": "true"}},
                  {"NotificationRequestItem": {"additionalData": {"shopperReference": "user-1"},
                   "pspReference": "8816178952135121", "originalReference": "7914073381342284",
                   "merchantReference": "order-1", "merchantAccountCode": "Shop",
                   "amount": {"value": 1999, "currency": "EUR"}, "eventCode": "CAPTURE", "success": "true"}}]}""";
        Path body = write(unsigned);
        AdyenAdapter adyen = new AdyenAdapter(settings(ProviderFixtures.ADYEN_HMAC_KEY));

        JsonNode signed = new ObjectMapper().readTree(sign(body, "adyen", null));
        String command = sign(body, "adyen", "http://localhost:8080/webhooks/adyen");

        for (JsonNode item : signed.get("notificationItems")) {
            adyen.verifyEvent(item.get("NotificationRequestItem"));
        }
        assertThat(signed.at("/notificationItems/1/NotificationRequestItem/additionalData/shopperReference").asText())
                .isEqualTo("user-1");
        // The body goes inside single quotes: the shell must hand curl the signed body itself, quote included.
        String echoed = run(command.strip().replaceFirst("^curl .* --data-binary ", "printf '%s' "));
        assertThat(new ObjectMapper().readTree(echoed)).isEqualTo(signed);
    }

    @Test
    void refusesToSignWithoutTheSchemesVariable() throws Exception {
        Path body = write("{}");
        SignCommand command = new SignCommand(name -> null, new PrintStream(new ByteArrayOutputStream()));

        assertThatThrownBy(() -> command.run(null, namespace(body, "adyen", null)))
                .hasMessageContaining("HOOKSHARD_ADYEN_HMAC_KEYS");
    }

    private String sign(Path body, String scheme, String url) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SignCommand(ENVIRONMENT::get, new PrintStream(out, true, StandardCharsets.UTF_8))
                .run(null, namespace(body, scheme, url));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Namespace namespace(Path body, String scheme, String url) {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("body", body.toString());
        attributes.put("scheme", scheme);
        attributes.put("url", url);
        return new Namespace(attributes);
    }

    private static void verify(ProviderAdapter adapter, String header, String value, byte[] body) throws Exception {
        adapter.verify(name -> name.equalsIgnoreCase(header) ? value : null, body);
    }

    private static ProviderSettings settings(String secrets) {
        return new ProviderSettings(secrets, null, null, null, Duration.ofMinutes(5), Clock.systemUTC());
    }

    private Path write(String text) throws Exception {
        return Files.writeString(directory.resolve("body.json"), text);
    }

    private static String run(String shellCommand) throws Exception {
        Process process = new ProcessBuilder(List.of("sh", "-c", shellCommand)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }
}
