package io.hookshard.resources;

import io.hookshard.core.WebhookRejection;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class BoundedBodyTest {
    private static final byte[] BODY = "{\"provider_event_id\":\"evt-1\"}".getBytes();

    @Test
    void readsADeclaredBodyWhole() throws Exception {
        assertThat(BoundedBody.read(new ByteArrayInputStream(BODY), BODY.length, 64)).isEqualTo(BODY);
    }

    @Test
    void readsAChunkedBodyUpToTheLimitItself() throws Exception {
        assertThat(BoundedBody.read(new ByteArrayInputStream(BODY), -1, BODY.length)).isEqualTo(BODY);
    }

    @Test
    void refusesABodyOverTheLimitWhetherDeclaredOrNot() {
        assertThat(refusal(new ByteArrayInputStream(BODY), BODY.length, BODY.length - 1).status()).isEqualTo(413);
        WebhookRejection chunked = refusal(new ByteArrayInputStream(BODY), -1, BODY.length - 1);
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.code()).isEqualTo("body_too_large");
    }

    @Test
    void aBodyShorterThanDeclaredOrBrokenOffIsUnreadable() {
        assertThat(refusal(new ByteArrayInputStream(BODY), BODY.length + 1, 64).code()).isEqualTo("unreadable_body");
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        WebhookRejection rejection = refusal(broken, -1, 64);
        assertThat(rejection.status()).isEqualTo(400);
        assertThat(rejection.code()).isEqualTo("unreadable_body");
    }

    private static WebhookRejection refusal(InputStream in, long declaredLength, long limit) {
        return catchThrowableOfType(() -> BoundedBody.read(in, declaredLength, limit), WebhookRejection.class);
    }
}
