package io.hookshard.core;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Utf8BodyTest {
    @Test
    void keepsAnAsciiBodyAsSent() throws Exception {
        String body = "{\"user_id\":\"u-1\",\t\"note\":\"\\u00e9 ~\\u0000\"}\n";

        assertThat(Utf8Body.asSent(body.getBytes(StandardCharsets.US_ASCII))).isEqualTo(body);
    }

    @Test
    void decodesMultiByteUtf8() throws Exception {
        String body = "{\"note\":\"naïve é ✓ 𝄞\"}";

        assertThat(Utf8Body.asSent(body.getBytes(StandardCharsets.UTF_8))).isEqualTo(body);
    }

    @Test
    void refusesMalformedUtf8AfterAsciiText() {
        // An overlong '/' (C0 AF), which a lenient decoder would read as '/'.
        byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};

        assertThatThrownBy(() -> Utf8Body.asSent(body)).isInstanceOf(WebhookRejection.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void leavesARawNulOrAByteOrderMarkToBeStoredReserialized() throws Exception {
        byte[] nul = {'{', '"', 'a', '"', ':', '"', 0, '"', '}'};
        byte[] utf8Mark = "\uFEFF{}".getBytes(StandardCharsets.UTF_8);
        byte[] utf16 = "{}".getBytes(StandardCharsets.UTF_16LE);

        assertThat(Utf8Body.asSent(nul)).isNull();
        assertThat(Utf8Body.asSent(utf8Mark)).isNull();
        assertThat(Utf8Body.asSent(utf16)).isNull();
    }
}
