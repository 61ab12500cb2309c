package io.hookshard.security;

import java.util.function.UnaryOperator;

/** Decides whether a webhook's raw bytes were signed by the provider; runs before anything parses the body. */
public interface SignatureVerifier {
    /**
     * @param headers the request's headers by (case-insensitive) name; absent ones are null
     * @return the provider's delivery id when the scheme carries one (for the envelope), else null
     * @throws SignatureException when the request must be refused (401)
     */
    String verify(UnaryOperator<String> headers, byte[] body) throws SignatureException;
}
