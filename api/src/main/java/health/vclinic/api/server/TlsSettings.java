package health.vclinic.api.server;

import health.vclinic.api.security.SecretFiles;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.common.tls.TlsConfig;
import io.helidon.webserver.WebServerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * TLS on the service's one port, from PEM files: the server's certificate chain and private key and, for
 * mutual TLS, the CA bundle whose certificates every client must present.
 *
 * <p>Only TLS 1.3 (RFC 8446) and TLS 1.2 (RFC 5246), and only AEAD cipher suites with forward secrecy: the
 * TLS 1.3 suites and, for 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305, as BCP 195 (RFC 9325, section
 * 4.2) recommends. ALPN (RFC 7301) offers {@code h2}, which gRPC needs, and {@code http/1.1} on the same
 * port: the server takes them from its connection selectors. Files are read and checked when the server
 * starts; a problem is an {@link IllegalArgumentException} naming the option ({@code --tls-key}, also the
 * settings file's key without dashes) and the file, never quoting the file's content.
 *
 * @param certificateChain PEM file ({@code tls-cert}): the server's certificate first, then any intermediates
 * @param privateKey PEM file ({@code tls-key}) with the certificate's RSA or EC private key, unencrypted:
 *     PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}),
 *     readable by its owner only ({@link SecretFiles#read})
 * @param clientCa PEM bundle ({@code tls-client-ca}) of the CAs that sign client certificates; when given,
 *     a client without a certificate signed by one of them is refused in the handshake
 */
public record TlsSettings(Path certificateChain, Path privateKey, Optional<Path> clientCa) {

    /** The protocol versions offered, newest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** The cipher suites offered: TLS 1.3's, then TLS 1.2's ECDHE with an AEAD (JSSE names). */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Key algorithms the service serves with, and the signature that proves a key matches its certificate. */
    private static final Map<ASN1ObjectIdentifier, String[]> KEY_ALGORITHMS = Map.of(
            PKCSObjectIdentifiers.rsaEncryption, new String[] {"RSA", "SHA256withRSA"},
            X9ObjectIdentifiers.id_ecPublicKey, new String[] {"EC", "SHA256withECDSA"});

    public TlsSettings {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientCa, "clientCa");
    }

    /** Whether clients must present a certificate (mutual TLS). */
    public boolean mutual() {
        return clientCa.isPresent();
    }

    /**
     * Whether {@code host} is this machine only: {@code localhost} or a loopback address literal
     * ({@code 127.0.0.0/8}, {@code ::1}). Names are not resolved, so any other name counts as reachable.
     */
    public static boolean loopback(String host) {
        String h = host.strip();
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            return InetAddress.ofLiteral(h).isLoopbackAddress();
        } catch (IllegalArgumentException notALiteral) {
            return false;
        }
    }

    /** Serves {@code server} over TLS with these files (read and checked now). */
    public void configure(WebServerConfig.Builder server) {
        server.tls(tls());
    }

    /**
     * Reads and checks the files: the chain parses and is valid today, the key matches its first
     * certificate, the client CA bundle holds at least one certificate.
     *
     * @throws IllegalArgumentException naming the setting and the file when one is unusable
     */
    public Tls tls() {
        List<X509Certificate> chain = certificates("tls-cert", certificateChain);
        try {
            chain.getFirst().checkValidity();
        } catch (CertificateException e) {
            throw invalid("tls-cert", certificateChain, "its first certificate is expired or not yet valid (valid "
                    + chain.getFirst().getNotBefore().toInstant() + " to " + chain.getFirst().getNotAfter().toInstant() + ")");
        }
        PrivateKey key = privateKey(chain.getFirst());
        TlsConfig.Builder tls = Tls.builder()
                .privateKey(key)
                .privateKeyCertChain(chain)
                .enabledProtocols(PROTOCOLS)
                .enabledCipherSuites(CIPHER_SUITES);
        clientCa.ifPresent(ca -> tls.trust(certificates("tls-client-ca", ca)).clientAuth(TlsClientAuth.REQUIRED));
        return tls.build();
    }

    /**
     * The certificates of a PEM file of the kind {@code --tls-cert} takes, the server's first (how a client on
     * this machine pins the certificate a running server serves).
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no PEM certificate
     */
    public static List<X509Certificate> certificates(Path file) {
        return certificates("tls-cert", file);
    }

    private static List<X509Certificate> certificates(String setting, Path file) {
        byte[] pem;
        try {
            pem = Files.readAllBytes(file);
        } catch (IOException e) {
            throw invalid(setting, file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        try {
            List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certs.isEmpty()) {
                throw invalid(setting, file, "holds no PEM certificate");
            }
            return certs;
        } catch (CertificateException e) {
            throw invalid(setting, file, "is not a file of PEM certificates (-----BEGIN CERTIFICATE-----)");
        }
    }

    private PrivateKey privateKey(X509Certificate certificate) {
        byte[] pem;
        try {
            pem = SecretFiles.read(privateKey);
        } catch (UncheckedIOException e) {
            throw invalid("tls-key", privateKey, "cannot be read (" + e.getCause().getClass().getSimpleName() + ")");
        } catch (IllegalStateException groupReadable) {
            throw invalid("tls-key", privateKey, "is readable by group or others; chmod 600 it");
        }
        PrivateKeyInfo info = withCurve(keyInfo(pem), certificate);
        String[] algorithm = KEY_ALGORITHMS.get(info.getPrivateKeyAlgorithm().getAlgorithm());
        if (algorithm == null) {
            throw invalid("tls-key", privateKey, "is not an RSA or EC key");
        }
        try {
            PrivateKey key = KeyFactory.getInstance(algorithm[0]).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
            if (!matches(key, certificate, algorithm[1])) {
                throw invalid("tls-key", privateKey, "does not belong to the first certificate of --tls-cert");
            }
            return key;
        } catch (GeneralSecurityException | IOException e) {
            throw invalid("tls-key", privateKey, "is not a valid " + algorithm[0] + " private key");
        }
    }

    /** The first private key in the file, skipping what may precede it (EC parameters, certificates). */
    private PrivateKeyInfo keyInfo(byte[] pem) {
        try (PEMParser parser = new PEMParser(new InputStreamReader(new ByteArrayInputStream(pem),
                StandardCharsets.US_ASCII))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                switch (o) {
                    case PrivateKeyInfo info -> {
                        return info;
                    }
                    case PEMKeyPair pair -> {
                        return pair.getPrivateKeyInfo();
                    }
                    case PKCS8EncryptedPrivateKeyInfo e -> throw encrypted();
                    case PEMEncryptedKeyPair e -> throw encrypted();
                    default -> {
                        // EC parameters or a certificate before the key: keep reading.
                    }
                }
            }
        } catch (IOException e) {
            throw invalid("tls-key", privateKey, "is not valid PEM");
        }
        throw invalid("tls-key", privateKey, "holds no PEM private key (PKCS#8, PKCS#1 RSA or SEC 1 EC)");
    }

    /**
     * An EC key whose file does not name its curve (SEC 1 makes it optional; BouncyCastle's writer leaves it
     * out) gets its certificate's: the JDK needs it, and a key of another curve fails the match check anyway.
     */
    private static PrivateKeyInfo withCurve(PrivateKeyInfo info, X509Certificate certificate) {
        AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
        if (!algorithm.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey) || algorithm.getParameters() != null) {
            return info;
        }
        AlgorithmIdentifier certificateAlgorithm = SubjectPublicKeyInfo.getInstance(
                certificate.getPublicKey().getEncoded()).getAlgorithm();
        if (!certificateAlgorithm.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            return info;
        }
        try {
            return new PrivateKeyInfo(certificateAlgorithm, info.parsePrivateKey());
        } catch (IOException e) {
            return info;
        }
    }

    private IllegalArgumentException encrypted() {
        return invalid("tls-key", privateKey, "is encrypted; give the server an unencrypted copy readable by its"
                + " owner only (openssl pkey -in KEY -out PLAIN.pem, chmod 600)");
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate certificate, String signatureAlgorithm)
            throws GeneralSecurityException {
        byte[] challenge = SecretFiles.randomBytes(32);
        Signature signer = Signature.getInstance(signatureAlgorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(signatureAlgorithm);
        try {
            verifier.initVerify(certificate.getPublicKey());
        } catch (java.security.InvalidKeyException otherAlgorithm) {
            return false;
        }
        try {
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (java.security.SignatureException otherCurve) {
            return false;
        }
    }

    private static IllegalArgumentException invalid(String setting, Path file, String problem) {
        return new IllegalArgumentException("--" + setting + " " + file + ": " + problem);
    }
}
