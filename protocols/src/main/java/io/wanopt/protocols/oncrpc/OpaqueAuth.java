package io.wanopt.protocols.oncrpc;

/**
 * RFC 5531 §8.2 {@code opaque_auth}: a credential or verifier, as its flavor and where its body lies in
 * the payload (the body itself is not copied; {@code body<400>} is checked when parsed).
 */
public record OpaqueAuth(AuthFlavor flavor, PayloadRange body) {

    /** Largest body RFC 5531 allows. */
    public static final int MAX_BODY_LENGTH = 400;
}
