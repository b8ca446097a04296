package health.vclinic.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PEM files {@link TlsSettings} reads: each key format a CA or openssl writes serves a real handshake
 * (on a bare Helidon server, started in milliseconds); an unusable file is refused naming its option.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsSettingsTest {

    /** The EC parameters block openssl ecparam writes before a SEC 1 key: the OID of P-256. */
    private static final String EC_PARAMETERS = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"EC, PKCS8", "EC, TRADITIONAL", "RSA, PKCS8", "RSA, TRADITIONAL"})
    void eachKeyFormatServesAHandshakeWithItsCertificate(String algorithm, TestPki.KeyFormat format) throws IOException {
        TestPki pki = new TestPki(dir);
        TestPki.Issued ca = pki.ca("ca");
        KeyPair keys = algorithm.equals("RSA") ? TestPki.rsaKeys() : TestPki.ecKeys();
        TestPki.Issued cert = pki.server(ca, "server", keys, format);
        String header = Files.readString(cert.keyFile()).lines().findFirst().orElseThrow();
        assertEquals(format == TestPki.KeyFormat.PKCS8 ? "-----BEGIN PRIVATE KEY-----"
                : "-----BEGIN " + algorithm + " PRIVATE KEY-----", header);

        Certificate[] served = handshake(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.empty()), ca);

        assertEquals(cert.certificate(), served[0]);
    }

    @Test
    void anEcKeyAfterItsParametersBlockIsRead() throws IOException {
        TestPki pki = new TestPki(dir);
        TestPki.Issued ca = pki.ca("ca");
        TestPki.Issued cert = pki.server(ca, "server");

        assertEquals(cert.certificate(), servedWithKey(ca, cert, EC_PARAMETERS + TestPki.traditional(cert.keys().getPrivate())));
    }

    @Test
    void anEcKeyWithoutItsCurveTakesTheCertificatesCurve() throws IOException {
        TestPki pki = new TestPki(dir);
        TestPki.Issued ca = pki.ca("ca");
        TestPki.Issued cert = pki.server(ca, "server");
        // BouncyCastle's own writer, given a JDK key, writes SEC 1 without the curve.
        String noCurve = TestPki.pem(cert.keys().getPrivate());
        assertTrue(noCurve.startsWith("-----BEGIN EC PRIVATE KEY-----"));

        assertEquals(cert.certificate(), servedWithKey(ca, cert, noCurve));
    }

    @Test
    void aChainWithAnIntermediateIsServedWhole() throws IOException {
        TestPki pki = new TestPki(dir);
        TestPki.Issued root = pki.ca("root");
        TestPki.Issued intermediate = pki.intermediate(root, "intermediate");
        TestPki.Issued cert = pki.server(intermediate, "server");
        Path chain = pki.bundle("chain.pem", List.of(cert.certificate(), intermediate.certificate()));

        // The client trusts the root only: the handshake needs the intermediate from the server.
        Certificate[] served = handshake(new TlsSettings(chain, cert.keyFile(), Optional.empty()), root);

        assertEquals(List.of(cert.certificate(), intermediate.certificate()), List.of(served));
    }

    @Test
    void anEncryptedKeyIsRefusedSayingHowToDecryptIt() throws Exception {
        TestPki pki = new TestPki(dir);
        TestPki.Issued cert = pki.server(pki.ca("ca"), "server");
        Files.writeString(cert.keyFile(), TestPki.pem(encrypted(cert.keys())));

        String message = refusal(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.empty()));

        assertTrue(message.startsWith("--tls-key " + cert.keyFile() + ": is encrypted"), message);
        assertTrue(message.contains("openssl pkey"), message);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws IOException {
        TestPki pki = new TestPki(dir);
        TestPki.Issued ca = pki.ca("ca");
        TestPki.Issued cert = pki.server(ca, "server");
        TestPki.Issued other = pki.server(ca, "other");

        String message = refusal(new TlsSettings(cert.certificateFile(), other.keyFile(), Optional.empty()));

        assertEquals("--tls-key " + other.keyFile() + ": does not belong to the first certificate of --tls-cert", message);
        // An RSA key against an EC certificate too.
        TestPki.Issued rsa = pki.server(ca, "rsa", TestPki.rsaKeys(), TestPki.KeyFormat.TRADITIONAL);
        assertTrue(refusal(new TlsSettings(cert.certificateFile(), rsa.keyFile(), Optional.empty()))
                .endsWith("does not belong to the first certificate of --tls-cert"));
    }

    @Test
    void aKeyOthersCanReadIsRefused() throws IOException {
        TestPki pki = new TestPki(dir);
        TestPki.Issued cert = pki.server(pki.ca("ca"), "server");
        Files.setPosixFilePermissions(cert.keyFile(), PosixFilePermissions.fromString("rw-r--r--"));

        String message = refusal(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.empty()));

        assertEquals("--tls-key " + cert.keyFile() + ": is readable by group or others; chmod 600 it", message);
    }

    @Test
    void anExpiredCertificateIsRefusedWithItsDates() throws IOException {
        TestPki pki = new TestPki(dir);
        Instant now = Instant.now();
        TestPki.Issued cert = pki.server(pki.ca("ca"), "server", TestPki.ecKeys(), TestPki.KeyFormat.PKCS8,
                new TestPki.Validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))));

        String message = refusal(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.empty()));

        assertTrue(message.startsWith("--tls-cert " + cert.certificateFile() + ": its first certificate is expired"),
                message);
    }

    @Test
    void filesWithoutWhatTheyShouldHoldAreRefusedNamingTheOptionNotQuotingTheContent() throws IOException {
        TestPki pki = new TestPki(dir);
        TestPki.Issued ca = pki.ca("ca");
        TestPki.Issued cert = pki.server(ca, "server");
        String keyText = Files.readString(cert.keyFile());
        String keyBody = keyText.lines().skip(1).findFirst().orElseThrow();

        // The key given as the certificate and the certificate as the key.
        String asCert = refusal(new TlsSettings(cert.keyFile(), cert.keyFile(), Optional.empty()));
        assertTrue(asCert.startsWith("--tls-cert " + cert.keyFile() + ": "), asCert);
        String asKey = refusal(new TlsSettings(cert.certificateFile(), cert.certificateFile(), Optional.empty()));
        assertTrue(asKey.startsWith("--tls-key " + cert.certificateFile() + ": "), asKey);
        // A client CA bundle with no certificate in it.
        String asCa = refusal(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.of(cert.keyFile())));
        assertTrue(asCa.startsWith("--tls-client-ca " + cert.keyFile() + ": "), asCa);
        // A file that is not there.
        String absent = refusal(new TlsSettings(dir.resolve("absent.pem"), cert.keyFile(), Optional.empty()));
        assertTrue(absent.startsWith("--tls-cert " + dir.resolve("absent.pem") + ": cannot be read"), absent);
        for (String message : List.of(asCert, asKey, asCa, absent)) {
            assertFalse(message.contains(keyBody.substring(0, 16)), message);
        }
        // Corrupt base64 inside a key block.
        Files.writeString(cert.keyFile(), "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");
        String corrupt = refusal(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.empty()));
        assertTrue(corrupt.startsWith("--tls-key " + cert.keyFile() + ": "), corrupt);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost", "LOCALHOST"})
    void loopbackHosts(String host) {
        assertTrue(TlsSettings.loopback(host), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "[::]", "10.0.0.5", "192.168.1.20", "fe80::1", "vclinic.example.org",
            "localhost.example.org", ""})
    void hostsBeyondThisMachine(String host) {
        assertFalse(TlsSettings.loopback(host), host);
    }

    /** The certificates a bare Helidon server with {@code settings} presents to a client trusting {@code ca}. */
    private static Certificate[] handshake(TlsSettings settings, TestPki.Issued ca) throws IOException {
        WebServer server = WebServer.builder().host("127.0.0.1").port(0).update(settings::configure)
                .routing(r -> r.get("/", (req, res) -> res.send("ok"))).build().start();
        try (SSLSocket socket = (SSLSocket) TestPki.clientContext(ca, Optional.empty()).getSocketFactory()
                .createSocket("localhost", server.port())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket.getSession().getPeerCertificates();
        } finally {
            server.stop();
        }
    }

    /** The certificate a client sees from a server given {@code cert} with its key file rewritten as {@code keyText}. */
    private static Certificate servedWithKey(TestPki.Issued ca, TestPki.Issued cert, String keyText) throws IOException {
        Files.writeString(cert.keyFile(), keyText);
        return handshake(new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.empty()), ca)[0];
    }

    private static String refusal(TlsSettings settings) {
        return assertThrows(IllegalArgumentException.class, settings::tls).getMessage();
    }

    private static JcaPKCS8Generator encrypted(KeyPair keys) throws OperatorCreationException, IOException {
        return new JcaPKCS8Generator(keys.getPrivate(), new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword("not-a-secret".toCharArray()).build());
    }
}
