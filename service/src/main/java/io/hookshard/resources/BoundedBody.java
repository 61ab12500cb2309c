package io.hookshard.resources;

import io.hookshard.core.WebhookRejection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body up to a limit; refuses a larger one (413) without reading the rest. */
final class BoundedBody {
    private BoundedBody() {
    }

    static byte[] read(InputStream in, long declaredLength, long limit) throws WebhookRejection {
        if (declaredLength > limit) {
            throw tooLarge(limit);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 1024);
        byte[] buffer = new byte[8192];
        long total = 0;
        try {
            int read;
            while ((read = in.read(buffer)) != -1) {
                total += read;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            throw new WebhookRejection(400, "unreadable_body", "the request body could not be read");
        }
        return out.toByteArray();
    }

    private static WebhookRejection tooLarge(long limit) {
        return new WebhookRejection(413, "body_too_large", "the body is larger than " + limit + " bytes");
    }
}
