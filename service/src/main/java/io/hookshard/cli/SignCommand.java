package io.hookshard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.core.cli.Cli;
import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.hookshard.providers.AdyenAdapter;
import io.hookshard.providers.CheckoutAdapter;
import io.hookshard.security.StandardWebhookVerifier;
import io.hookshard.security.StripeSignatureVerifier;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * {@code sign <body.json> [--scheme standard|stripe|adyen|checkout] [--url URL]}: signs a body as the provider would,
 * with the first secret of the scheme's variable, and prints the headers (Adyen: the body with each item signed), or
 * with --url a complete curl command.
 */
public final class SignCommand extends Command {
    private enum Scheme {
        STANDARD("HOOKSHARD_WEBHOOK_SECRETS"),
        STRIPE("HOOKSHARD_STRIPE_SECRETS"),
        ADYEN("HOOKSHARD_ADYEN_HMAC_KEYS"),
        CHECKOUT("HOOKSHARD_CHECKOUT_SECRETS");

        private final String variable;

        Scheme(String variable) {
            this.variable = variable;
        }
    }

    private final UnaryOperator<String> environment;
    private final PrintStream out;

    public SignCommand() {
        this(System::getenv, System.out);
    }

    /** @param environment the environment variables, by name; absent ones are null */
    SignCommand(UnaryOperator<String> environment, PrintStream out) {
        super("sign", "Sign a webhook body as a provider would, with the first secret configured for its scheme");
        this.environment = environment;
        this.out = out;
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("body").help("file holding the JSON body");
        subparser.addArgument("--scheme").dest("scheme").setDefault("standard")
                .choices("standard", "stripe", "adyen", "checkout")
                .help("standard (Hookshard's endpoints, HOOKSHARD_WEBHOOK_SECRETS), stripe (HOOKSHARD_STRIPE_SECRETS),"
                        + " adyen (HOOKSHARD_ADYEN_HMAC_KEYS) or checkout (HOOKSHARD_CHECKOUT_SECRETS)");
        subparser.addArgument("--url").dest("url").help("print a curl command POSTing to this URL");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        Scheme scheme = Scheme.valueOf(namespace.getString("scheme").toUpperCase(Locale.ROOT));
        String secret = CliSupport.firstSecret(environment.apply(scheme.variable), scheme.variable);
        Path bodyFile = Path.of(namespace.getString("body"));
        byte[] body = Files.readAllBytes(bodyFile);
        String url = namespace.getString("url");
        long timestamp = Instant.now().getEpochSecond();
        switch (scheme) {
            case STANDARD -> {
                String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
                String signature = StandardWebhookVerifier.signature(secret, id, timestamp, body);
                print(url, bodyFile, "webhook-id: " + id, "webhook-timestamp: " + timestamp,
                        "webhook-signature: " + signature);
            }
            case STRIPE -> print(url, bodyFile, StripeSignatureVerifier.HEADER + ": "
                    + StripeSignatureVerifier.header(secret, timestamp, body));
            case CHECKOUT -> print(url, bodyFile, CheckoutAdapter.HEADER + ": "
                    + CheckoutAdapter.signature(secret, body));
            case ADYEN -> {
                // Adyen signs each item inside the body: the signed body is the output.
                String signed = signAdyenItems(secret, body);
                if (url == null) {
                    out.println(signed);
                } else {
                    out.printf("curl -sS -X POST %s -H 'Content-Type: application/json' --data-binary %s%n",
                            quoted(url), quoted(signed));
                }
            }
        }
    }

    private void print(String url, Path bodyFile, String... headers) {
        if (url == null) {
            for (String header : headers) {
                out.println(header);
            }
            return;
        }
        StringBuilder command = new StringBuilder("curl -sS -X POST ").append(quoted(url))
                .append(" -H 'Content-Type: application/json'");
        for (String header : headers) {
            command.append(" -H ").append(quoted(header));
        }
        out.println(command.append(" --data-binary ").append(quoted("@" + bodyFile)));
    }

    /** {@code text} as one word of a POSIX shell, whatever it holds: the README pipes these commands to sh. */
    static String quoted(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private static String signAdyenItems(String hexKey, byte[] body) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode batch = mapper.readTree(new String(body, StandardCharsets.UTF_8));
        JsonNode items = batch.path("notificationItems");
        if (!items.isArray()) {
            throw new IllegalArgumentException("an Adyen body holds notificationItems");
        }
        for (JsonNode wrapper : items) {
            JsonNode item = wrapper.path("NotificationRequestItem");
            if (!item.isObject()) {
                throw new IllegalArgumentException("each notification item holds a NotificationRequestItem object");
            }
            ObjectNode additionalData = item.path("additionalData").isObject()
                    ? (ObjectNode) item.get("additionalData") : ((ObjectNode) item).putObject("additionalData");
            additionalData.put("hmacSignature", AdyenAdapter.signature(hexKey, item));
        }
        return mapper.writeValueAsString(batch);
    }

    @Override
    public void onError(Cli cli, Namespace namespace, Throwable failure) {
        CliSupport.printError(cli.getStdErr(), failure);
    }
}
