package io.hookshard.core;

import java.util.List;

/** Why a webhook is refused at the door: an HTTP status, a stable code and the details for the sender. */
public final class WebhookRejection extends Exception {
    private final int status;
    private final String code;
    private final List<?> details;

    public WebhookRejection(int status, String code, String message, List<?> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = List.copyOf(details);
    }

    public WebhookRejection(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<?> details() {
        return details;
    }
}
