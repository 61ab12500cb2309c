package io.hookshard.security;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StandardWebhookVerifierTest {
    // The Standard Webhooks specification's published test vector.
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330;
    private static final byte[] SPEC_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    private static final String OTHER_SECRET = "whsec_" + java.util.Base64.getEncoder()
            .encodeToString("another-secret-of-32-bytes-long!".getBytes(StandardCharsets.UTF_8));

    private static StandardWebhookVerifier verifierAt(long epochSecond, String secrets) {
        return new StandardWebhookVerifier(WebhookSecrets.parse(secrets), Duration.ofMinutes(5),
                Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    @Test
    void signsTheSpecificationsTestVector() {
        assertThat(StandardWebhookVerifier.signature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
                .isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void acceptsTheSpecificationsTestVector() {
        assertThatCode(() -> verifierAt(SPEC_TIMESTAMP, SPEC_SECRET)
                .verify(SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY)).doesNotThrowAnyException();
    }

    @Test
    void acceptsAnyListedSignatureWithAnySecretInForce() {
        StandardWebhookVerifier rotating = verifierAt(SPEC_TIMESTAMP, OTHER_SECRET + "," + SPEC_SECRET);

        assertThatCode(() -> rotating.verify(SPEC_ID, Long.toString(SPEC_TIMESTAMP),
                "v1,bm9wZQ== v2,whatever " + SPEC_SIGNATURE, SPEC_BODY)).doesNotThrowAnyException();
    }

    @Test
    void rejectsATamperedBody() {
        byte[] tampered = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> verifierAt(SPEC_TIMESTAMP, SPEC_SECRET)
                .verify(SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, tampered))
                .isInstanceOf(SignatureException.class)
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("signature_mismatch");
    }

    @Test
    void rejectsAnotherWebhookId() {
        assertThatThrownBy(() -> verifierAt(SPEC_TIMESTAMP, SPEC_SECRET)
                .verify("msg_other", Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("signature_mismatch");
    }

    @Test
    void rejectsASignatureMadeWithAnotherSecret() {
        assertThatThrownBy(() -> verifierAt(SPEC_TIMESTAMP, OTHER_SECRET)
                .verify(SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("signature_mismatch");
    }

    @Test
    void rejectsTimestampsOutsideTheToleranceBothWays() {
        String past = Long.toString(SPEC_TIMESTAMP);
        assertThatThrownBy(() -> verifierAt(SPEC_TIMESTAMP + 301, SPEC_SECRET)
                .verify(SPEC_ID, past, SPEC_SIGNATURE, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("timestamp_out_of_tolerance");
        assertThatThrownBy(() -> verifierAt(SPEC_TIMESTAMP - 301, SPEC_SECRET)
                .verify(SPEC_ID, past, SPEC_SIGNATURE, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("timestamp_out_of_tolerance");
        assertThatCode(() -> verifierAt(SPEC_TIMESTAMP + 300, SPEC_SECRET)
                .verify(SPEC_ID, past, SPEC_SIGNATURE, SPEC_BODY)).doesNotThrowAnyException();
        assertThatCode(() -> verifierAt(SPEC_TIMESTAMP - 300, SPEC_SECRET)
                .verify(SPEC_ID, past, SPEC_SIGNATURE, SPEC_BODY)).doesNotThrowAnyException();
    }

    @Test
    void rejectsASignedTimestampSoFarAwayThatItsDistanceOverflows() {
        long now = SPEC_TIMESTAMP;
        long farPast = now + Long.MIN_VALUE;
        String signature = StandardWebhookVerifier.signature(SPEC_SECRET, SPEC_ID, farPast, SPEC_BODY);

        assertThatThrownBy(() -> verifierAt(now, SPEC_SECRET)
                .verify(SPEC_ID, Long.toString(farPast), signature, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("timestamp_out_of_tolerance");
    }

    @Test
    void rejectsMissingAndMalformedHeaders() {
        StandardWebhookVerifier verifier = verifierAt(SPEC_TIMESTAMP, SPEC_SECRET);
        String ts = Long.toString(SPEC_TIMESTAMP);

        assertThatThrownBy(() -> verifier.verify(null, ts, SPEC_SIGNATURE, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("missing_signature_headers");
        assertThatThrownBy(() -> verifier.verify(SPEC_ID, " ", SPEC_SIGNATURE, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("missing_signature_headers");
        assertThatThrownBy(() -> verifier.verify(SPEC_ID, ts, null, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("missing_signature_headers");
        assertThatThrownBy(() -> verifier.verify(SPEC_ID, "yesterday", SPEC_SIGNATURE, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("malformed_timestamp");
        assertThatThrownBy(() -> verifier.verify(SPEC_ID, ts, "g0hM9SsE+OTPJTGt", SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("malformed_signature");
        assertThatThrownBy(() -> verifier.verify(SPEC_ID, ts, "v1,%%%not-base64%%%", SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("malformed_signature");
    }

    @Test
    void failsClosedWithoutASecret() {
        assertThatThrownBy(() -> verifierAt(SPEC_TIMESTAMP, " , ")
                .verify(SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY))
                .extracting(e -> ((SignatureException) e).reason()).isEqualTo("no_secret_configured");
    }
}
