package io.wanopt.config;

import java.nio.file.Path;

/** {@code wanopt.tls}: this appliance's identity and the CA its peers must come from. Paths are null in plaintext mode. */
public record TlsSettings(Path key, Path certificate, Path trustedCa, boolean insecurePlaintext) {
}
