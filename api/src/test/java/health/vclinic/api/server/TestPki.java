package health.vclinic.api.server;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throwaway PKI for the TLS tests, made at test time with BouncyCastle and written as PEM into a
 * test's directory (no key is ever committed): CAs and the server and client certificates they sign.
 */
final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());
    /** From an hour ago (clock skew) to a day from now. */
    static final Validity VALID = new Validity(Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));

    /** When a certificate is valid. */
    record Validity(Instant from, Instant to) {
    }

    /** How a private key is written: PKCS#8 ("PRIVATE KEY") or the algorithm's own PKCS#1 / SEC 1 form. */
    enum KeyFormat { PKCS8, TRADITIONAL }

    /** A certificate and its key, in memory and as PEM files (the key file owner-only). */
    record Issued(X509Certificate certificate, KeyPair keys, Path certificateFile, Path keyFile) {
    }

    private final Path dir;

    TestPki(Path dir) {
        this.dir = dir;
    }

    static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsaKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA named {@code name}. */
    Issued ca(String name) {
        KeyPair keys = ecKeys();
        X500Name subject = new X500Name("CN=" + name);
        return ca(name, builder(subject, subject, keys, VALID), keys, keys);
    }

    /** An intermediate CA that {@code root} signs. */
    Issued intermediate(Issued root, String name) {
        KeyPair keys = ecKeys();
        return ca(name, builder(new X500Name("CN=" + name), subjectOf(root), keys, VALID), keys, root.keys());
    }

    private Issued ca(String name, X509v3CertificateBuilder b, KeyPair keys, KeyPair issuer) {
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(name, sign(b, issuer), keys, KeyFormat.PKCS8);
    }

    /** A server certificate for {@code localhost} and {@code 127.0.0.1}, EC P-256 unless {@code keys} say otherwise. */
    Issued server(Issued ca, String name, KeyPair keys, KeyFormat format) {
        return server(ca, name, keys, format, VALID);
    }

    /** A server certificate valid over {@code validity} (from, to). */
    Issued server(Issued ca, String name, KeyPair keys, KeyFormat format, Validity validity) {
        X509v3CertificateBuilder b = builder(new X500Name("CN=" + name), subjectOf(ca), keys, validity);
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(name, sign(b, ca.keys()), keys, format);
    }

    Issued server(Issued ca, String name) {
        return server(ca, name, ecKeys(), KeyFormat.PKCS8);
    }

    /** A client certificate (a clinic backend) signed by {@code ca}. */
    Issued client(Issued ca, String name) {
        KeyPair keys = ecKeys();
        X509v3CertificateBuilder b = builder(new X500Name("CN=" + name), subjectOf(ca), keys, VALID);
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(name, sign(b, ca.keys()), keys, KeyFormat.PKCS8);
    }

    /** A JDK client context trusting {@code ca}, presenting {@code client}'s certificate when given. */
    static SSLContext clientContext(Issued ca, Optional<Issued> client) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = "test".toCharArray();
            if (client.isPresent()) {
                keys.setKeyEntry("client", client.get().keys().getPrivate(), password,
                        new X509Certificate[] {client.get().certificate()});
            }
            kmf.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X500Name subjectOf(Issued ca) {
        return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }

    private static X509v3CertificateBuilder builder(X500Name subject, X500Name issuer, KeyPair keys,
                                                    Validity validity) {
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(validity.from()), Date.from(validity.to()), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) {
        try {
            String algorithm = issuer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(issuer.getPrivate())));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Issued write(String name, X509Certificate certificate, KeyPair keys, KeyFormat format) {
        try {
            Path cert = Files.writeString(dir.resolve(name + ".crt"), pem(certificate));
            Path key = dir.resolve(name + ".key");
            Files.writeString(key, format == KeyFormat.PKCS8 ? pem(new JcaPKCS8Generator(keys.getPrivate(), null))
                    : traditional(keys.getPrivate()));
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            return new Issued(certificate, keys, cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A key as openssl writes it in its traditional form: PKCS#1 for RSA, SEC 1 with its named curve for EC
     * (BouncyCastle's writer leaves the curve out of a JDK EC key, where openssl always puts it).
     */
    static String traditional(PrivateKey key) {
        if (!key.getAlgorithm().equals("EC")) {
            return pem(key);
        }
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
            return pem(new PemObject("EC PRIVATE KEY", new ECPrivateKey(256, inner.getKey(),
                    info.getPrivateKeyAlgorithm().getParameters()).getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PEM text of a certificate, or of a key (a JCA private key writes as PKCS#1 / SEC 1 without its curve). */
    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A PEM file holding {@code certificates} one after the other (a chain or a CA bundle). */
    Path bundle(String name, List<X509Certificate> certificates) {
        StringBuilder text = new StringBuilder();
        certificates.forEach(c -> text.append(pem(c)));
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
