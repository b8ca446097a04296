package health.vclinic.api.security.login;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.MovableClock;
import health.vclinic.api.TestKeys;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bouncycastle.util.encoders.Base32;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clinicians' TOTP secrets at rest, on the real PostgreSQL: an account written under schema V8 (its secret
 * in clear, as every version before V9 kept it) is sealed in place when the logins start on the migrated
 * database and still logs in with its code; an account created now is sealed from the start, and after a
 * CHECKPOINT no file of the database holds its secret, while a control value kept in clear is found.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TotpSecretAtRestTest {

    private static final ClinicId CLINIC = new ClinicId("clinic-totp");
    private static final String PASSWORD = "correct horse battery staple";
    private static final MovableClock CLOCK = new MovableClock(Instant.parse("2026-03-02T08:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void anAccountFromBeforeV9IsSealedOnStartAndLogsInAndANewOneNeverReachesTheFilesInClear() throws Exception {
        Path pgData = dir.resolve("pg");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(true)
                .start()) {
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/record").target("8").load()
                    .migrate();
            byte[] legacy = Totp.newSecret();
            try (Connection c = DriverManager.getConnection(url, "postgres", "");
                 PreparedStatement s = c.prepareStatement("INSERT INTO app_user (user_id, clinic_id, login, role,"
                         + " password_hash, totp_secret, created_at) VALUES (?, ?, 'dr.before', 'clinician', ?, ?, now())")) {
                s.setObject(1, UUID.randomUUID());
                s.setString(2, CLINIC.value());
                s.setString(3, PasswordHash.hash(PASSWORD, PasswordHash.OWASP));
                s.setBytes(4, legacy);
                s.executeUpdate();
            }

            ClinicalRecord record = ClinicalRecord.open(Database.external(url, "postgres", ""), TestKeys.master(dir), dir,
                    ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
            ClinicianLogin login = ClinicianLogin.create(record.database().dataSource(), record.cipher(),
                    LoginSettings.defaults(), CLOCK, LoginEvents.NONE);
            try (VclinicServer server = VclinicServer.start(TestSecurity.SECURITY.withSessions(login),
                    TriageEndpoint.standard(), Optional.empty(), Optional.empty(), Optional.of(record), "127.0.0.1", 0,
                    HttpTimeouts.DEFAULTS)) {
                byte[] stored = storedSecret(url, "dr.before");
                assertFalse(Arrays.equals(legacy, stored), "sealed in place");
                assertArrayEquals(legacy, record.cipher().open(CLINIC, stored, Accounts.TOTP_CONTEXT));
                assertEquals(200, logIn(server, "dr.before", legacy).statusCode(), "the same code still logs in");

                Enrolment fresh = new Accounts(record.database().dataSource(), record.cipher(), CLOCK,
                        PasswordHash.OWASP).create(CLINIC, "dr.after", Role.CLINICIAN, PASSWORD);
                byte[] secret = Base32.decode(fresh.totpSecretBase32());
                assertEquals(200, logIn(server, "dr.after", secret).statusCode());
                assertFalse(Arrays.equals(secret, storedSecret(url, "dr.after")));

                byte[] control = Totp.newSecret();
                try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                    // The control: the same kind of bytes, kept in clear, must be found by the same scan.
                    s.execute("CREATE TABLE scan_control (b bytea)");
                    try (PreparedStatement p = c.prepareStatement("INSERT INTO scan_control VALUES (?)")) {
                        p.setBytes(1, control);
                        p.executeUpdate();
                    }
                    s.execute("CHECKPOINT");
                }
                assertFalse(filesHolding(pgData, control).isEmpty(), "the scan finds a value kept in clear");
                assertEquals(List.of(), filesHolding(pgData, secret), "no data file holds the new secret in clear");
            }
        }
    }

    private static byte[] storedSecret(String url, String login) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement s = c.prepareStatement("SELECT totp_secret, totp_sealed FROM app_user WHERE login = ?")) {
            s.setString(1, login);
            try (ResultSet r = s.executeQuery()) {
                assertTrue(r.next());
                assertTrue(r.getBoolean(2), login + " is marked sealed");
                return r.getBytes(1);
            }
        }
    }

    private static HttpResponse<String> logIn(VclinicServer server, String login, byte[] secret) throws Exception {
        CLOCK.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        String form = Map.of("clinic", CLINIC.value(), "login", login, "password", PASSWORD,
                        "totp", new Totp(CLOCK).now(secret)).entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/app/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The files under {@code root} whose bytes contain {@code needle}. */
    private static List<Path> filesHolding(Path root, byte[] needle) throws IOException {
        List<Path> out = new ArrayList<>();
        String n = new String(needle, StandardCharsets.ISO_8859_1);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try {
                    if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(n)) {
                        out.add(f);
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a temporary file the server removed meanwhile
                }
            }
        }
        return out;
    }
}
