package health.vclinic.api.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.record.Database;
import health.vclinic.api.security.login.PasswordHash;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vclinic admin user create|disable} through picocli in-process, on an embedded PostgreSQL that
 * something else holds running (as a server would): the account is stored with an Argon2id hash and the
 * TOTP secret the enrolment printed, sealed with the clinic's data key; weak passwords, duplicates and roles
 * other than clinician are refused.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdminUserCommandTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final Pattern URI = Pattern.compile(
            "otpauth://totp/vclinic:([a-z0-9._-]+)\\?secret=([A-Z2-7]{32})&issuer=vclinic");

    @TempDir
    static Path dataDir;
    /** Holds the embedded PostgreSQL running, as `serve` would: the commands join it. */
    private static Database running;

    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void startDatabase() {
        running = Database.embedded(dataDir, OptionalInt.empty());
    }

    @AfterAll
    static void stopDatabase() {
        if (running != null) {
            running.close();
        }
    }

    private static Run run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setIn(before);
        }
    }

    private static Run create(String stdin, String... more) {
        String[] args = new String[more.length + 8];
        System.arraycopy(new String[] {"admin", "user", "create", "--data-dir", dataDir.toString(), "--key-dir",
                dataDir.resolve("keys").toString(), "--clinic"}, 0, args, 0, 8);
        System.arraycopy(more, 0, args, 8, more.length);
        return run(stdin, args);
    }

    private static int users(String login) throws Exception {
        try (Connection c = running.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM app_user WHERE login = ?")) {
            s.setString(1, login);
            ResultSet r = s.executeQuery();
            r.next();
            return r.getInt(1);
        }
    }

    @Test
    void createReadsThePasswordFromStandardInputAndPrintsTheEnrolmentOnce() throws Exception {
        Run r = create(PASSWORD + "\n", "clinic-a", "--role", "clinician", "dr.smith");
        assertEquals(0, r.exit(), r.err());
        Matcher m = URI.matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals("dr.smith", m.group(1));
        assertTrue(r.out().contains("or type the secret: " + m.group(2)), r.out());
        assertFalse(r.out().contains(PASSWORD) || r.err().contains(PASSWORD), "the password is never echoed");
        try (Connection c = running.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT clinic_id, role, password_hash, totp_secret, failed_attempts,"
                     + " locked_until, disabled_at, totp_sealed FROM app_user WHERE login = 'dr.smith'")) {
            ResultSet row = s.executeQuery();
            assertTrue(row.next());
            assertEquals("clinic-a", row.getString(1));
            assertEquals("clinician", row.getString(2));
            assertTrue(row.getString(3).startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), row.getString(3));
            assertTrue(PasswordHash.verify(PASSWORD, row.getString(3)));
            assertTrue(row.getBoolean(8), "the TOTP secret is sealed at rest");
            assertFalse(java.util.Arrays.equals(Base32.decode(m.group(2)), row.getBytes(4)), "never in clear");
            assertArrayEquals(Base32.decode(m.group(2)), health.vclinic.api.TestKeys.cipher(running.dataSource(), dataDir)
                    .open(new health.vclinic.api.server.ClinicId("clinic-a"), row.getBytes(4), "app_user.totp_secret"),
                    "the secret printed is the one kept, sealed with the clinic's key under the server's master key");
            assertEquals(0, row.getInt(5));
            assertEquals(null, row.getTimestamp(6));
            assertEquals(null, row.getTimestamp(7));
        }
    }

    @Test
    void createTakesAPasswordFileAndRefusesWeakPasswordsDuplicatesAndOtherRoles(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), PASSWORD + "\nsecond line ignored\n");
        assertEquals(0, create("", "clinic-b", "--password-file", file.toString(), "nurse.jones").exit());
        assertEquals(1, users("nurse.jones"));

        Run dup = create(PASSWORD + "\n", "clinic-b", "nurse.jones");
        assertEquals(1, dup.exit());
        assertTrue(dup.err().contains("clinic clinic-b already has a user 'nurse.jones'"), dup.err());
        // The same login in another clinic is another account.
        assertEquals(0, create(PASSWORD + "\n", "clinic-c", "nurse.jones").exit());
        assertEquals(2, users("nurse.jones"));

        Run weak = create("password1234\n", "clinic-b", "dr.weak");
        assertEquals(2, weak.exit());
        assertTrue(weak.err().contains("password") && weak.err().contains("commonly used"), weak.err());
        Run tooShort = create("short one\n", "clinic-b", "dr.weak");
        assertEquals(2, tooShort.exit());
        assertTrue(tooShort.err().contains("at least 12 characters"), tooShort.err());
        Run none = create("", "clinic-b", "dr.weak");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("password is required"), none.err());
        assertEquals(0, users("dr.weak"));

        for (String role : java.util.List.of("backend", "admin", "data-scientist", "nobody")) {
            Run other = create(PASSWORD + "\n", "clinic-b", "--role", role, "not-a-clinician");
            assertEquals(2, other.exit(), role);
            assertTrue(other.err().contains("role must be clinician"), other.err());
        }
        assertEquals(0, users("not-a-clinician"));
        Run badLogin = create(PASSWORD + "\n", "clinic-b", "Dr Who?");
        assertEquals(2, badLogin.exit());
        assertTrue(badLogin.err().contains("login must be"), badLogin.err());
    }

    @Test
    void disableMarksTheAccountAndSaysWhenThereIsNone() throws Exception {
        assertEquals(0, create(PASSWORD + "\n", "clinic-d", "dr.leaving").exit());
        Run off = run("", "admin", "user", "disable", "--data-dir", dataDir.toString(), "--clinic", "clinic-d",
                "dr.leaving");
        assertEquals(0, off.exit(), off.err());
        Run again = run("", "admin", "user", "disable", "--data-dir", dataDir.toString(), "--clinic", "clinic-d",
                "dr.leaving");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("no enabled user"), again.err());
    }
}
