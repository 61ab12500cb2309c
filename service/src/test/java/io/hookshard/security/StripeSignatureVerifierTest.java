package io.hookshard.security;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StripeSignatureVerifierTest {
    private static final String SECRET = "whsec_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
    private static final long T = 1_700_000_000L;
    private static final byte[] BODY = "{\"id\":\"evt_1\",\"object\":\"event\"}".getBytes(StandardCharsets.UTF_8);
    // HMAC-SHA256 of "1700000000.<body>" keyed with the whole secret string, computed independently.
    private static final String EXPECTED = "c1dba14a1d140ec2ab1f31226993ff9c18de8bca16443dfe2953301576dc11b4";

    private static StripeSignatureVerifier verifierAt(long epochSecond, String secrets) {
        return new StripeSignatureVerifier(WebhookSecrets.parse(secrets), Duration.ofMinutes(5),
                Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    private static String reason(StripeSignatureVerifier verifier, String header, byte[] body) {
        try {
            verifier.verify(name -> name.equals(StripeSignatureVerifier.HEADER) ? header : null, body);
            return "accepted";
        } catch (SignatureException e) {
            return e.reason();
        }
    }

    @Test
    void signsLikeStripe() {
        assertThat(StripeSignatureVerifier.header(SECRET, T, BODY)).isEqualTo("t=" + T + ",v1=" + EXPECTED);
    }

    @Test
    void acceptsAValidHeaderAmongOtherSchemesAndStaleSignatures() {
        String header = "t=" + T + ",v0=deadbeef,v1=" + "00".repeat(32) + ",v1=" + EXPECTED;

        assertThat(reason(verifierAt(T, SECRET), header, BODY)).isEqualTo("accepted");
    }

    @Test
    void acceptsWithTheSecondSecretWhileRotating() {
        assertThat(reason(verifierAt(T, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw," + SECRET),
                "t=" + T + ",v1=" + EXPECTED, BODY)).isEqualTo("accepted");
    }

    @Test
    void rejectsTamperingStalenessAndMalformedHeaders() {
        StripeSignatureVerifier verifier = verifierAt(T, SECRET);
        String valid = "t=" + T + ",v1=" + EXPECTED;

        assertThat(reason(verifier, valid, "{\"id\":\"evt_2\",\"object\":\"event\"}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("signature_mismatch");
        assertThat(reason(verifier, "t=" + (T + 1) + ",v1=" + EXPECTED, BODY)).isEqualTo("signature_mismatch");
        assertThat(reason(verifierAt(T + 301, SECRET), valid, BODY)).isEqualTo("timestamp_out_of_tolerance");
        assertThat(reason(verifierAt(T - 301, SECRET), valid, BODY)).isEqualTo("timestamp_out_of_tolerance");
        assertThat(reason(verifier, null, BODY)).isEqualTo("missing_signature_headers");
        assertThat(reason(verifier, "v1=" + EXPECTED, BODY)).isEqualTo("malformed_signature");
        assertThat(reason(verifier, "t=" + T, BODY)).isEqualTo("malformed_signature");
        assertThat(reason(verifier, "t=" + T + ",v1=zz", BODY)).isEqualTo("malformed_signature");
        assertThat(reason(verifier, "t=soon,v1=" + EXPECTED, BODY)).isEqualTo("malformed_timestamp");
        assertThat(reason(verifierAt(T, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), valid, BODY))
                .isEqualTo("signature_mismatch");
    }

    @Test
    void failsClosedWithoutASecret() {
        assertThat(reason(verifierAt(T, ""), "t=" + T + ",v1=" + EXPECTED, BODY)).isEqualTo("no_secret_configured");
    }

    @Test
    void standardWebhooksVerifierReadsItsOwnHeaders() {
        StandardWebhookVerifier standard = new StandardWebhookVerifier(WebhookSecrets.parse(SECRET),
                Duration.ofMinutes(5), Clock.fixed(Instant.ofEpochSecond(T), ZoneOffset.UTC));
        String signature = StandardWebhookVerifier.signature(SECRET, "msg_1", T, BODY);
        Map<String, String> headers = Map.of("webhook-id", "msg_1", "webhook-timestamp", Long.toString(T),
                "webhook-signature", signature);

        assertThatCode(() -> assertThat(standard.verify(headers::get, BODY)).isEqualTo("msg_1"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> standard.verify(name -> null, BODY)).isInstanceOf(SignatureException.class);
    }
}
