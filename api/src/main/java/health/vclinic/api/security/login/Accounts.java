package health.vclinic.api.security.login;

import health.vclinic.api.keys.FieldCipher;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.datasets.InvalidInputException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The clinicians' accounts of every clinic ({@code app_user}): created with an Argon2id password hash and a
 * fresh TOTP secret, found by clinic and login, and the state of their logins kept race-free in single
 * statements: failed attempts and the lockout, and the last accepted TOTP step (a code is good once).
 *
 * <p>The TOTP secret is sealed at rest with the clinic's data key ({@link FieldCipher}, AES-256-GCM, context
 * {@value #TOTP_CONTEXT}; HIPAA §164.312(a)(2)(iv)): unlike a password hash, it is what the second factor is
 * computed from, so a copy of the database must not hold it in clear. Accounts created before migration V9
 * are sealed in place by {@link #sealLegacySecrets()}.
 */
public final class Accounts {

    /** A login: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, up to 64. */
    public static final Pattern LOGIN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String UNIQUE_VIOLATION = "23505";
    /** The sealing context of the TOTP secret. */
    static final String TOTP_CONTEXT = "app_user.totp_secret";

    /** An account as stored (package-private: the hash and the secret never leave this package). */
    record Account(UUID id, ClinicId clinic, String login, Role role, String passwordHash, byte[] totpSecret,
                   Optional<Instant> lockedUntil, Optional<Instant> disabledAt) {
    }

    private final DataSource database;
    private final FieldCipher cipher;
    private final Clock clock;
    private final PasswordHash.Cost cost;

    /** The accounts in {@code database}, their TOTP secrets sealed by {@code cipher} (the record's). */
    public Accounts(DataSource database, FieldCipher cipher, Clock clock, PasswordHash.Cost cost) {
        this.database = Objects.requireNonNull(database, "database");
        this.cipher = Objects.requireNonNull(cipher, "cipher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cost = Objects.requireNonNull(cost, "cost");
    }

    public Accounts(DataSource database, FieldCipher cipher) {
        this(database, cipher, Clock.systemUTC(), PasswordHash.OWASP);
    }

    /** {@code text} as a login: lower-cased, then checked against {@link #LOGIN}. */
    public static String login(String text) {
        String login = text.strip().toLowerCase(Locale.ROOT);
        if (!LOGIN.matcher(login).matches()) {
            throw new InvalidInputException("login", "must be 1 to 64 lower-case letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        return login;
    }

    /**
     * Creates an account with a fresh TOTP secret.
     *
     * @throws InvalidInputException when the login is malformed, the password too weak or the role not clinician
     * @throws IllegalArgumentException when the clinic already has this login
     */
    public Enrolment create(ClinicId clinic, String loginText, Role role, String password) {
        String login = login(loginText);
        if (role != Role.CLINICIAN) {
            // The web app is the clinicians'; other roles use access tokens (the table admits people's roles).
            throw new InvalidInputException("role", "must be clinician: only clinicians log in to the web app; other"
                    + " roles use access tokens");
        }
        Optional<String> weakness = PasswordPolicy.weakness(password, login);
        if (weakness.isPresent()) {
            throw new InvalidInputException("password", weakness.get().replaceFirst("^the password ", ""));
        }
        byte[] secret = Totp.newSecret();
        String hash = PasswordHash.hash(password, cost);
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO app_user (user_id, clinic_id, login, role, password_hash, totp_secret, totp_sealed,"
                        + " created_at) VALUES (?, ?, ?, ?, ?, ?, true, ?)")) {
            s.setObject(1, UUID.randomUUID());
            s.setString(2, clinic.value());
            s.setString(3, login);
            s.setString(4, role.wireName());
            s.setString(5, hash);
            s.setBytes(6, cipher.seal(clinic, secret, TOTP_CONTEXT));
            s.setTimestamp(7, Timestamp.from(clock.instant()));
            s.executeUpdate();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new IllegalArgumentException("clinic " + clinic.value() + " already has a user '" + login + "'");
            }
            throw failed("create an account", e);
        }
        return new Enrolment(clinic, login, role, Totp.base32(secret), Totp.uri(login, secret));
    }

    /**
     * Disables an account and ends its sessions at once (the account stays, for the audit trail).
     *
     * @return whether the clinic had an enabled account with this login
     */
    public boolean disable(ClinicId clinic, String loginText) {
        return disable(database, clock, clinic, loginText);
    }

    /** {@link #disable(ClinicId, String)} without the keys (an operator must be able to disable at any time). */
    public static boolean disable(DataSource database, Clock clock, ClinicId clinic, String loginText) {
        String login = login(loginText);
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(
                "WITH u AS (UPDATE app_user SET disabled_at = ? WHERE clinic_id = ? AND login = ? AND disabled_at IS NULL"
                        + " RETURNING user_id), gone AS (DELETE FROM app_session WHERE user_id IN (SELECT user_id FROM u))"
                        + " SELECT count(*) FROM u")) {
            s.setTimestamp(1, Timestamp.from(clock.instant()));
            s.setString(2, clinic.value());
            s.setString(3, login);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1) > 0;
            }
        } catch (SQLException e) {
            throw failed("disable an account", e);
        }
    }

    Optional<Account> find(ClinicId clinic, String login) {
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT user_id, role, password_hash, totp_secret, locked_until, disabled_at, totp_sealed FROM app_user"
                        + " WHERE clinic_id = ? AND login = ?")) {
            s.setString(1, clinic.value());
            s.setString(2, login);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                byte[] secret = r.getBoolean(7) ? cipher.open(clinic, r.getBytes(4), TOTP_CONTEXT) : r.getBytes(4);
                return Optional.of(new Account(r.getObject(1, UUID.class), clinic, login, Role.parse(r.getString(2)),
                        r.getString(3), secret, instant(r.getTimestamp(5)), instant(r.getTimestamp(6))));
            }
        } catch (SQLException e) {
            throw failed("read an account", e);
        }
    }

    /**
     * Seals in place the TOTP secrets of accounts created before migration V9, in one transaction; run when
     * the logins start (a sealed row is never selected again). PostgreSQL keeps the replaced row versions in
     * the table's files until VACUUM reuses their space ({@code VACUUM FULL app_user} drops them at once).
     *
     * @return how many secrets were sealed
     */
    public int sealLegacySecrets() {
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement select = c.prepareStatement("SELECT user_id, clinic_id, totp_secret FROM app_user"
                    + " WHERE NOT totp_sealed FOR UPDATE");
                 PreparedStatement update = c.prepareStatement("UPDATE app_user SET totp_secret = ?, totp_sealed = true"
                         + " WHERE user_id = ?")) {
                int sealed = 0;
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        update.setBytes(1, cipher.seal(new ClinicId(r.getString(2)), r.getBytes(3), TOTP_CONTEXT));
                        update.setObject(2, r.getObject(1, UUID.class));
                        update.addBatch();
                        sealed++;
                    }
                }
                update.executeBatch();
                c.commit();
                return sealed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failed("seal the TOTP secrets", e);
        }
    }

    /**
     * Takes TOTP step {@code step} as used, if it is later than the last one used: false when that code (or a
     * later one) was already accepted, so the same code never opens two sessions.
     */
    boolean useTotpStep(UUID user, long step) {
        return update("UPDATE app_user SET totp_last_step = ? WHERE user_id = ? AND totp_last_step < ?",
                s -> {
                    s.setLong(1, step);
                    s.setObject(2, user);
                    s.setLong(3, step);
                }) == 1;
    }

    /**
     * Counts a failed attempt; the {@code maxFailures}-th in a row locks the account for {@code lockout} and
     * starts the count again.
     *
     * @return whether this failure locked the account
     */
    boolean recordFailure(UUID user, int maxFailures, Duration lockout) {
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE app_user SET"
                        + " locked_until = CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE locked_until END,"
                        + " failed_attempts = CASE WHEN failed_attempts + 1 >= ? THEN 0 ELSE failed_attempts + 1 END"
                        + " WHERE user_id = ? RETURNING failed_attempts = 0")) {
            s.setInt(1, maxFailures);
            s.setTimestamp(2, Timestamp.from(clock.instant().plus(lockout)));
            s.setInt(3, maxFailures);
            s.setObject(4, user);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        } catch (SQLException e) {
            throw failed("count a failed login", e);
        }
    }

    /** A successful login clears the failure count. */
    void recordSuccess(UUID user) {
        update("UPDATE app_user SET failed_attempts = 0, locked_until = NULL WHERE user_id = ?", s -> s.setObject(1, user));
    }

    private interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw failed("update an account", e);
        }
    }

    private static Optional<Instant> instant(Timestamp t) {
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }

    static IllegalStateException failed(String what, SQLException e) {
        // SQLState only: a driver message may quote the statement's values.
        return new IllegalStateException("the account database could not " + what + " (SQLState " + e.getSQLState()
                + ")", e);
    }
}
