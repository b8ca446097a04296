package health.vclinic.api.cli;

import health.vclinic.api.server.TlsSettings;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Where a server running on a data directory answers, as {@code serve} writes it for the admin commands
 * ({@code DATA_DIR/}{@value RecordOptions#SERVER_PORT_FILE}): its base URL, and when it serves TLS, the
 * certificate file it serves. A command then talks to it in the same scheme and trusts exactly that
 * certificate (pinned: the first of the file must be the one the server presents, and valid), not the JDK's
 * CAs and not the host name, which for a server bound to every interface is only {@code 127.0.0.1} here.
 *
 * <p>The file, one {@code key=value} a line: {@code url=https://127.0.0.1:8443}, {@code tls-cert=/abs/server.crt}
 * and {@code mutual-tls=true} when the server asks clients for a certificate. A file holding only a port
 * number (an earlier version's) means plain HTTP on {@code 127.0.0.1}.
 *
 * @param url         the server's base URL (scheme, host, port)
 * @param certificate the PEM file of the certificate it serves, for {@code https}
 * @param mutualTls   whether it refuses clients without a certificate of its client CA
 */
public record ServerAddress(URI url, Optional<Path> certificate, boolean mutualTls) {

    private static final Set<String> EVERY_INTERFACE = Set.of("", "0.0.0.0", "::", "[::]", "*");

    public ServerAddress {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(certificate, "certificate");
        if (url.getScheme().equals("https") != certificate.isPresent()) {
            throw new IllegalArgumentException("an https server address names its certificate file, an http one none");
        }
    }

    /** The address of a server bound to {@code host:port}, over {@code tls} when given. */
    public static ServerAddress of(String host, int port, Optional<TlsSettings> tls) {
        String reach = EVERY_INTERFACE.contains(host) ? "127.0.0.1" : host.replaceAll("^\\[|]$", "");
        try {
            return new ServerAddress(new URI(tls.isPresent() ? "https" : "http", null, reach, port, null, null, null),
                    tls.map(t -> t.certificateChain().toAbsolutePath()), tls.map(TlsSettings::mutual).orElse(false));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--host is not a host name or address", e);
        }
    }

    /** Writes this address to {@code file}. */
    public void write(Path file) throws IOException {
        StringBuilder out = new StringBuilder("url=" + url + "\n");
        certificate.ifPresent(c -> out.append("tls-cert=").append(c).append('\n'));
        if (mutualTls) {
            out.append("mutual-tls=true\n");
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, out, StandardCharsets.UTF_8);
    }

    /** The file in {@code dataDir} where a running server writes its address. */
    public static Path file(Path dataDir) {
        return dataDir.resolve(RecordOptions.SERVER_PORT_FILE);
    }

    /** The address a running server wrote in {@code dataDir}, when its file is there and readable. */
    public static Optional<ServerAddress> read(Path dataDir) {
        Path file = file(dataDir);
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.matches("[0-9]{1,5}")) {
                return Optional.of(of("", Integer.parseInt(text), Optional.empty()));
            }
            Map<String, String> fields = new LinkedHashMap<>();
            text.lines().map(l -> l.split("=", 2)).filter(kv -> kv.length == 2)
                    .forEach(kv -> fields.put(kv[0].strip(), kv[1].strip()));
            return Optional.of(new ServerAddress(URI.create(fields.getOrDefault("url", "")),
                    Optional.ofNullable(fields.get("tls-cert")).map(Path::of),
                    Boolean.parseBoolean(fields.get("mutual-tls"))));
        } catch (IOException | IllegalArgumentException e) {
            // An unreadable or foreign file: as if no server were running, which the command then finds out.
            return Optional.empty();
        }
    }

    /** {@code path} on this server. */
    public URI resolve(String path) {
        return url.resolve(path);
    }

    /**
     * An HTTP client for this server: plain for {@code http}; for {@code https}, trusting only the certificate
     * the server serves (the first of its file).
     *
     * @throws IllegalArgumentException naming the certificate file when it cannot be read
     */
    public HttpClient client() {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (certificate.isEmpty()) {
            return b.build();
        }
        X509Certificate pinned = TlsSettings.certificates(certificate.get()).getFirst();
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new Pinned(pinned, certificate.get())}, null);
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(TlsSettings.PROTOCOLS.toArray(String[]::new));
            return b.sslContext(tls).sslParameters(parameters).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no TLS client", e);
        }
    }

    /**
     * Trusts exactly one server certificate. An extended trust manager does its own endpoint check: the pin
     * replaces the host name check, which a server bound to every interface and reached at 127.0.0.1 fails.
     */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final X509Certificate pinned;
        private final Path file;

        Pinned(X509Certificate pinned, Path file) {
            this.pinned = pinned;
            this.file = file;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                throw new CertificateException("the server's certificate is not the first of " + file
                        + ", the one the server on this data directory was started with");
            }
            pinned.checkValidity();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("an admin command trusts servers only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("an admin command trusts servers only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("an admin command trusts servers only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
