package io.hookshard.security;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookSecretsTest {
    @Test
    void parsesSeveralSecretsForRotation() {
        WebhookSecrets secrets = WebhookSecrets.parse(
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, whsec_dGVzdC1zZWNyZXQtZm9yLWhvb2tzaGFyZC1pdHM=");

        assertThat(secrets.keys()).hasSize(2);
        assertThat(secrets.isEmpty()).isFalse();
    }

    @Test
    void neverPrintsTheSecrets() {
        WebhookSecrets secrets = WebhookSecrets.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        assertThat(secrets.toString()).isEqualTo("WebhookSecrets{1 secret(s)}").doesNotContain("MfKQ");
    }

    @Test
    void rejectsMalformedSecretsNamingOnlyTheirPosition() {
        assertThatThrownBy(() -> WebhookSecrets.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,plain-password"))
                .hasMessage("webhook secret #2 does not start with whsec_");
        assertThatThrownBy(() -> WebhookSecrets.parse("whsec_***"))
                .hasMessage("webhook secret #1 is not valid base64 after whsec_");
        assertThatThrownBy(() -> WebhookSecrets.parse("whsec_c2hvcnQ="))
                .hasMessage("webhook secret #1 is shorter than 16 bytes");
    }

    @Test
    void emptyMeansNoSecret() {
        assertThat(WebhookSecrets.parse("").isEmpty()).isTrue();
    }
}
