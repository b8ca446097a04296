package health.vclinic.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestKeys;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.cli.CommandRun;
import health.vclinic.api.cli.ServerAddress;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.AccessTokens;
import health.vclinic.api.security.IssuerKey;
import health.vclinic.api.security.Role;
import health.vclinic.api.security.Security;
import health.vclinic.api.triage.TriageEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vclinic admin patient export|erase} beside a server that serves TLS on the same data directory, as
 * an operator runs them: the server's address file names the scheme and the certificate it serves, and the
 * erasure goes through the running server over TLS, trusting exactly that certificate; a file that names
 * another certificate erases nothing. Before, the command spoke plain HTTP to the TLS port and failed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdminOverTlsTest {

    @TempDir
    static Path dir;

    private static Path dataDir;
    private static Path keyDir;
    private static VclinicServer server;
    private static ClinicalRecord record;
    private static TlsSettings tls;
    private static TestPki pki;
    private static TestPki.Issued ca;

    @BeforeAll
    static void start() throws Exception {
        dataDir = dir.resolve("data");
        keyDir = dataDir.resolve("keys");
        pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
        ca = pki.ca("admin-tls-ca");
        TestPki.Issued cert = pki.server(ca, "server");
        tls = new TlsSettings(cert.certificateFile(), cert.keyFile(), Optional.empty());
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        // The server's tokens are signed by the key directory's issuer key, as `serve --key-dir` would.
        Security security = Security.standard(new AccessTokens(IssuerKey.load(keyDir, line -> { })));
        server = VclinicServer.start(security, TriageEndpoint.standard(), Optional.empty(), Optional.empty(),
                Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS, Optional.of(tls));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String assess(String patient) throws Exception {
        String token = new AccessTokens(IssuerKey.load(keyDir, line -> { })).issue(ClinicId.DEFAULT, Role.BACKEND,
                "test-backend", Duration.ofMinutes(5), List.of());
        String body = com.google.protobuf.util.JsonFormat.printer().print(TestSupport.example("demo-001").toBuilder()
                .setPatientRef(patient).build());
        try (HttpClient https = HttpClient.newBuilder().sslContext(TestPki.clientContext(ca, Optional.empty())).build()) {
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
                            + "/v1/triage:assess")).header("authorization", "Bearer " + token)
                    .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("record_id").asText();
        }
    }

    /** {@code vclinic admin patient ...} on the data and key directories, with what it printed to the console. */
    private static CommandRun admin(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream printedErr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printedOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(printedErr, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 6];
            System.arraycopy(new String[] {"admin", "patient"}, 0, all, 0, 2);
            System.arraycopy(args, 0, all, 2, args.length);
            System.arraycopy(new String[] {"--data-dir", dataDir.toString(), "--key-dir", keyDir.toString()}, 0, all,
                    args.length + 2, 4);
            CommandRun run = CommandRun.vclinic(all);
            return new CommandRun(run.code(), run.out() + printedOut.toString(StandardCharsets.UTF_8),
                    run.err() + printedErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void exportAndEraseWorkBesideATlsServerThroughItOverTls() throws Exception {
        ServerAddress.of("0.0.0.0", server.port(), Optional.of(tls)).write(ServerAddress.file(dataDir));
        assertEquals("https", ServerAddress.read(dataDir).orElseThrow().url().getScheme());
        String recordId = assess("pt-tls-admin");

        CommandRun export = admin("export", "pt-tls-admin");
        assertEquals(0, export.code(), export.err());
        assertTrue(export.out().contains(recordId), "the patient's bundle");

        CommandRun erase = admin("erase", "pt-tls-admin");
        assertEquals(0, erase.code(), erase.err());
        assertTrue(erase.out().contains("erased through the running server: {\"rows_erased\":1}"), erase.out());
        assertEquals(0, record.store().rowsAbout(ClinicId.DEFAULT, new PatientRef("pt-tls-admin")));
    }

    @Test
    void anAddressFileNamingAnotherCertificateErasesNothing() throws Exception {
        TestPki.Issued other = pki.server(pki.ca("another-ca"), "impostor");
        new ServerAddress(ServerAddress.of("127.0.0.1", server.port(), Optional.of(tls)).url(),
                Optional.of(other.certificateFile()), false).write(ServerAddress.file(dataDir));
        assess("pt-tls-pinned");

        CommandRun erase = admin("erase", "pt-tls-pinned");
        assertEquals(1, erase.code(), erase.out());
        assertTrue(erase.err().contains("cannot talk to the server running on this data directory at https://127.0.0.1:"),
                erase.err());
        assertEquals(1, record.store().rowsAbout(ClinicId.DEFAULT, new PatientRef("pt-tls-pinned")), "nothing erased");
    }
}
