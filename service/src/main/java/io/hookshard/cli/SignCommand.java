package io.hookshard.cli;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.hookshard.security.StandardWebhookVerifier;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * {@code sign <body.json> [--url URL]}: signs a body as a provider would (Standard Webhooks), with the first secret
 * of HOOKSHARD_WEBHOOK_SECRETS, and prints the headers, or with --url a complete curl command.
 */
public final class SignCommand extends Command {
    public SignCommand() {
        super("sign", "Sign a webhook body with the first secret of HOOKSHARD_WEBHOOK_SECRETS");
    }

    @Override
    public void configure(Subparser subparser) {
        subparser.addArgument("body").help("file holding the JSON body");
        subparser.addArgument("--url").dest("url").help("print a curl command POSTing to this URL");
    }

    @Override
    public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
        String secrets = System.getenv("HOOKSHARD_WEBHOOK_SECRETS");
        if (secrets == null || secrets.isBlank()) {
            throw new IllegalArgumentException("set HOOKSHARD_WEBHOOK_SECRETS to the secret to sign with");
        }
        Path bodyFile = Path.of(namespace.getString("body"));
        byte[] body = Files.readAllBytes(bodyFile);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long timestamp = Instant.now().getEpochSecond();
        String signature = StandardWebhookVerifier.signature(secrets.split(",")[0].trim(), id, timestamp, body);
        String url = namespace.getString("url");
        if (url == null) {
            System.out.printf("webhook-id: %s%nwebhook-timestamp: %d%nwebhook-signature: %s%n", id, timestamp, signature);
        } else {
            System.out.printf("curl -sS -X POST '%s' -H 'Content-Type: application/json' -H 'webhook-id: %s'"
                    + " -H 'webhook-timestamp: %d' -H 'webhook-signature: %s' --data-binary @%s%n",
                    url, id, timestamp, signature, bodyFile);
        }
    }
}
