package health.vclinic.api.security.login;

import health.vclinic.api.security.Role;
import health.vclinic.api.security.SecretFiles;
import health.vclinic.api.server.ClinicId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Browser sessions in PostgreSQL ({@code app_session}), so that a restart logs nobody out and any session
 * can be ended: the cookie holds 256 random bits, the table only their SHA-256 (OWASP Session Management
 * Cheat Sheet). Each use checks the idle and absolute limits and refreshes the idle timer in one statement.
 */
final class SessionStore {

    /** A session id as the cookie carries it: 32 random bytes, unpadded Base64url. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** A session: its public reference, whose it is, and since when. */
    record Live(String ref, ClinicId clinic, String login, Role role, Instant createdAt) {
    }

    private final DataSource database;
    private final Clock clock;
    private final LoginSettings settings;

    SessionStore(DataSource database, Clock clock, LoginSettings settings) {
        this.database = database;
        this.clock = clock;
        this.settings = settings;
    }

    /** A new session's id (for the cookie only) and its public reference. */
    record Started(String id, String ref) {
    }

    /** Starts a session for {@code user}. */
    Started start(UUID user) {
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(SecretFiles.randomBytes(32));
        String ref = UUID.randomUUID().toString();
        Instant now = clock.instant();
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO app_session (session_hash, session_ref, user_id, created_at, last_seen_at)"
                        + " VALUES (?, ?, ?, ?, ?)")) {
            s.setBytes(1, hash(id));
            s.setObject(2, UUID.fromString(ref));
            s.setObject(3, user);
            s.setTimestamp(4, Timestamp.from(now));
            s.setTimestamp(5, Timestamp.from(now));
            s.executeUpdate();
        } catch (SQLException e) {
            throw Accounts.failed("start a session", e);
        }
        return new Started(id, ref);
    }

    /**
     * The live session {@code id} names, its idle timer refreshed; empty when there is none (never was,
     * ended, idle too long, too old, or its account disabled).
     */
    Optional<Live> use(String id) {
        return use(id, true);
    }

    /**
     * As {@link #use(String)}; with {@code refresh} false the idle timer is left as it is (a page's background
     * refresh is not the person's activity, so it must not keep an unattended session alive).
     */
    Optional<Live> use(String id, boolean refresh) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String live = " s.session_hash = ? AND u.user_id = s.user_id AND u.disabled_at IS NULL"
                + " AND s.last_seen_at > ? AND s.created_at > ?";
        String columns = " s.session_ref, u.clinic_id, u.login, u.role, s.created_at";
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(refresh
                ? "UPDATE app_session s SET last_seen_at = ? FROM app_user u WHERE" + live + " RETURNING" + columns
                : "SELECT" + columns + " FROM app_session s, app_user u WHERE" + live)) {
            int p = 1;
            if (refresh) {
                s.setTimestamp(p++, Timestamp.from(now));
            }
            s.setBytes(p++, hash(id));
            s.setTimestamp(p++, Timestamp.from(now.minus(settings.idleTimeout())));
            s.setTimestamp(p, Timestamp.from(now.minus(settings.maxSessionAge())));
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Live(r.getObject(1, UUID.class).toString(), new ClinicId(r.getString(2)),
                        r.getString(3), Role.parse(r.getString(4)), r.getTimestamp(5).toInstant()));
            }
        } catch (SQLException e) {
            throw Accounts.failed("read a session", e);
        }
    }

    /** Ends session {@code id}; returns who it was, when it existed (live or expired). */
    Optional<Live> end(String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(
                "WITH gone AS (DELETE FROM app_session WHERE session_hash = ? RETURNING session_ref, user_id, created_at)"
                        + " SELECT g.session_ref, u.clinic_id, u.login, u.role, g.created_at FROM gone g"
                        + " JOIN app_user u ON u.user_id = g.user_id")) {
            s.setBytes(1, hash(id));
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Live(r.getObject(1, UUID.class).toString(), new ClinicId(r.getString(2)),
                        r.getString(3), Role.parse(r.getString(4)), r.getTimestamp(5).toInstant()));
            }
        } catch (SQLException e) {
            throw Accounts.failed("end a session", e);
        }
    }

    /** Deletes every session past its idle or absolute limit; returns how many. */
    int purgeExpired() {
        Instant now = clock.instant();
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM app_session WHERE last_seen_at <= ? OR created_at <= ?")) {
            s.setTimestamp(1, Timestamp.from(now.minus(settings.idleTimeout())));
            s.setTimestamp(2, Timestamp.from(now.minus(settings.maxSessionAge())));
            return s.executeUpdate();
        } catch (SQLException e) {
            throw Accounts.failed("purge sessions", e);
        }
    }

    /** The CSRF token of session {@code id}: derived from it (HMAC-SHA256), so bound to it and never stored. */
    static String csrfToken(String id) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(id.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    mac.doFinal("vclinic csrf token".getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
    }

    static byte[] hash(String id) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }
}
