package io.wanopt.proxy.pki;

import io.wanopt.config.WanoptSettings;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The small certificate authority behind {@code wanopt pki}: one CA per deployment, one certificate
 * per appliance, so appliances authenticate each other with mutual TLS and nothing else.
 *
 * <p>Keys are EC P-256 signed with ECDSA SHA-256; private keys are written as unencrypted PKCS#8 PEM
 * (the form Netty's {@code SslContextBuilder} reads) with mode 0600. An appliance certificate has
 * CN and DNS SAN equal to the appliance id, so a dialling appliance verifies the peer it meant by
 * using the peer id as the TLS host name. Existing files are never overwritten.
 */
public final class Pki {

    public static final String CA_KEY = "ca.key";
    public static final String CA_CERTIFICATE = "ca.crt";

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final String CURVE = "secp256r1";
    private static final int VALIDITY_YEARS = 10;
    /** Certificates start an hour early so an appliance whose clock lags a little still accepts them. */
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Pki() {
    }

    /** Writes {@code ca.key} and {@code ca.crt} (a self-signed CA named {@code name}) into {@code dir}, creating it if needed. */
    public static void createCa(Path dir, String name) throws IOException {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("CA name must not be empty");
        }
        Path keyFile = dir.resolve(CA_KEY);
        Path certificateFile = dir.resolve(CA_CERTIFICATE);
        refuseExisting(keyFile, certificateFile);
        KeyPair keys = newKeyPair();
        X500Name subject = commonName(name);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = newBuilder(subject, subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
            X509CertificateHolder certificate = builder.build(signer(keys.getPrivate()));
            Files.createDirectories(dir);
            writeNew(keyFile, privateKeyPem(keys.getPrivate()), true);
            writeNew(certificateFile, pem(certificate), false);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the CA certificate: " + e, e);
        }
    }

    /**
     * Writes {@code <id>.key} and {@code <id>.crt} into {@code outDir} (created if needed): a
     * certificate for appliance {@code applianceId} signed by the CA in {@code caDir}.
     */
    public static void issue(Path caDir, Path outDir, String applianceId) throws IOException {
        if (!WanoptSettings.isValidId(applianceId)) {
            throw new IllegalArgumentException("\"" + applianceId + "\" is not a valid appliance id (1 to 64 letters, digits, '.', '_', '-')");
        }
        Path keyFile = outDir.resolve(applianceId + ".key");
        Path certificateFile = outDir.resolve(applianceId + ".crt");
        refuseExisting(keyFile, certificateFile);
        PrivateKey caKey = readPrivateKey(caDir.resolve(CA_KEY));
        X509CertificateHolder caCertificate = readCertificate(caDir.resolve(CA_CERTIFICATE));
        KeyPair keys = newKeyPair();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = newBuilder(caCertificate.getSubject(), commonName(applianceId), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.dNSName, applianceId)))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(caCertificate.getSubjectPublicKeyInfo()));
            X509CertificateHolder certificate = builder.build(signer(caKey));
            if (!certificate.isSignatureValid(new JcaContentVerifierProviderBuilder().build(caCertificate))) {
                throw new IllegalArgumentException(caDir.resolve(CA_KEY) + " is not the key of " + caDir.resolve(CA_CERTIFICATE));
            }
            Files.createDirectories(outDir);
            writeNew(keyFile, privateKeyPem(keys.getPrivate()), true);
            writeNew(certificateFile, pem(certificate), false);
        } catch (GeneralSecurityException | OperatorCreationException | CertException e) {
            throw new IllegalStateException("cannot issue a certificate for " + applianceId + ": " + e, e);
        }
    }

    private static X509v3CertificateBuilder newBuilder(X500Name issuer, X500Name subject, PublicKey key) {
        Instant now = Instant.now();
        Instant notAfter = now.atOffset(ZoneOffset.UTC).plusYears(VALIDITY_YEARS).toInstant();
        // Positive, non-zero and at most 20 octets, as RFC 5280 asks of a serial number.
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter), subject, key);
    }

    private static X500Name commonName(String name) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, name).build();
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make " + CURVE + " keys: " + e, e);
        }
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key);
    }

    private static void refuseExisting(Path... files) throws FileAlreadyExistsException {
        for (Path file : files) {
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString(), null, "already exists; not overwriting it");
            }
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException {
        Object parsed = readPem(file);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (parsed instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        if (parsed instanceof PEMKeyPair pair) {
            return converter.getKeyPair(pair).getPrivate();
        }
        throw new IOException(file + ": no unencrypted PEM private key in it");
    }

    private static X509CertificateHolder readCertificate(Path file) throws IOException {
        if (readPem(file) instanceof X509CertificateHolder certificate) {
            return certificate;
        }
        throw new IOException(file + ": no PEM certificate in it");
    }

    private static Object readPem(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            return parser.readObject();
        }
    }

    private static String privateKeyPem(PrivateKey key) throws IOException {
        // The JDK encodes private keys as PKCS#8 DER.
        return pem(new PemObject("PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    /** Creates {@code file} (never replacing one); a secret is created owner-only before any byte is written. */
    private static void writeNew(Path file, String content, boolean secret) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        } else {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
