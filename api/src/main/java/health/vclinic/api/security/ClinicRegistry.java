package health.vclinic.api.security;

import health.vclinic.api.server.ClinicId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The clinics (tenants) and the SMART Backend Services clients registered for them, in the record's
 * PostgreSQL (tables {@code clinic} and {@code client}, migration {@code V4__identity.sql}). A client is
 * a clinic's backend system: a random id, the public keys (JWKS) that sign its client assertions and the
 * system scopes it may be granted. Disabling a clinic or a client stops new tokens at once (tokens already
 * issued live out their five minutes); nothing is ever deleted, so the audit trail keeps naming them.
 */
public final class ClinicRegistry {

    /** A clinic. */
    public record Clinic(ClinicId id, String displayName, Instant createdAt, Optional<Instant> disabledAt) {
        public Clinic {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(displayName, "displayName");
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(disabledAt, "disabledAt");
        }
    }

    /**
     * A registered client.
     *
     * @param active neither the client nor its clinic is disabled
     */
    public record Client(String id, ClinicId clinic, String displayName, ClientKeys keys, Set<String> allowedScopes,
                         Instant createdAt, boolean active) {
        public Client {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(clinic, "clinic");
            Objects.requireNonNull(displayName, "displayName");
            Objects.requireNonNull(keys, "keys");
            allowedScopes = Set.copyOf(allowedScopes);
            Objects.requireNonNull(createdAt, "createdAt");
        }
    }

    /** The database could not be reached or answered with an error; the detail is in the cause, never on the wire. */
    public static final class UnavailableException extends RuntimeException {
        UnavailableException(SQLException cause) {
            super("the clinic registry's database is unavailable", cause);
        }
    }

    /** Longest display name. */
    static final int MAX_NAME = 200;
    /** Longest client id looked up (ours are UUIDs; an assertion's iss can be anything). */
    static final int MAX_CLIENT_ID = 128;
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;

    public ClinicRegistry(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Creates a clinic.
     *
     * @throws IllegalArgumentException when it exists already or the name is blank or too long
     */
    public Clinic createClinic(ClinicId id, String displayName) {
        String name = displayName(displayName);
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO clinic (clinic_id, display_name) VALUES (?, ?)"
                     + " RETURNING created_at")) {
            s.setString(1, id.value());
            s.setString(2, name);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new Clinic(id, name, r.getTimestamp(1).toInstant(), Optional.empty());
            }
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new IllegalArgumentException("clinic '" + id.value() + "' already exists");
            }
            throw new UnavailableException(e);
        }
    }

    /** The clinic {@code id}, disabled or not. */
    public Optional<Clinic> clinic(ClinicId id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT display_name, created_at, disabled_at FROM clinic"
                     + " WHERE clinic_id = ?")) {
            s.setString(1, id.value());
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new Clinic(id, r.getString(1), r.getTimestamp(2).toInstant(),
                        instant(r.getTimestamp(3)))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new UnavailableException(e);
        }
    }

    /**
     * Registers a client of {@code clinic} with these public keys and scopes; its id is a random UUID.
     *
     * @throws IllegalArgumentException when the clinic does not exist or is disabled, the JWKS is not
     *     acceptable ({@link ClientKeys#parse}) or a scope is unknown ({@link SmartScopes#registrable})
     */
    public Client registerClient(ClinicId clinic, String displayName, String jwks, List<String> scopes) {
        String name = displayName(displayName);
        ClientKeys keys = ClientKeys.parse(jwks);
        Set<String> allowed = SmartScopes.registrable(scopes);
        Clinic owner = clinic(clinic).orElseThrow(() -> new IllegalArgumentException("no clinic '" + clinic.value()
                + "'; create it first (vclinic admin clinic create)"));
        if (owner.disabledAt().isPresent()) {
            throw new IllegalArgumentException("clinic '" + clinic.value() + "' is disabled");
        }
        String id = UUID.randomUUID().toString();
        List<String> ordered = SmartScopes.SUPPORTED.stream().filter(allowed::contains).toList();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO client (client_id, clinic_id, display_name, jwks,"
                     + " allowed_scopes) VALUES (?, ?, ?, ?::jsonb, ?) RETURNING created_at")) {
            s.setString(1, id);
            s.setString(2, clinic.value());
            s.setString(3, name);
            s.setString(4, keys.json());
            s.setArray(5, c.createArrayOf("text", ordered.toArray()));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new Client(id, clinic, name, keys, allowed, r.getTimestamp(1).toInstant(), true);
            }
        } catch (SQLException e) {
            throw new UnavailableException(e);
        }
    }

    /** The client {@code id}, with {@link Client#active()} false when it or its clinic is disabled. */
    public Optional<Client> client(String id) {
        if (id.isEmpty() || id.length() > MAX_CLIENT_ID) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT k.clinic_id, k.display_name, k.jwks::text,"
                     + " k.allowed_scopes, k.created_at, k.disabled_at IS NULL AND c.disabled_at IS NULL"
                     + " FROM client k JOIN clinic c ON c.clinic_id = k.clinic_id WHERE k.client_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Client(id, new ClinicId(r.getString(1)), r.getString(2),
                        ClientKeys.parse(r.getString(3)), Set.of((String[]) r.getArray(4).getArray()),
                        r.getTimestamp(5).toInstant(), r.getBoolean(6)));
            }
        } catch (SQLException e) {
            throw new UnavailableException(e);
        }
    }

    /** Disables the client {@code id} (no new tokens); false when there is no such client or it was disabled. */
    public boolean disableClient(String id) {
        return disable("UPDATE client SET disabled_at = now() WHERE client_id = ? AND disabled_at IS NULL", id);
    }

    /** Disables the clinic {@code id} and with it every client of it; false when absent or already disabled. */
    public boolean disableClinic(ClinicId id) {
        return disable("UPDATE clinic SET disabled_at = now() WHERE clinic_id = ? AND disabled_at IS NULL", id.value());
    }

    private boolean disable(String sql, String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, id);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new UnavailableException(e);
        }
    }

    private static String displayName(String name) {
        String n = name.strip();
        if (n.isEmpty() || n.length() > MAX_NAME || n.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a display name must be 1 to " + MAX_NAME
                    + " printable characters");
        }
        return n;
    }

    private static Optional<Instant> instant(Timestamp t) {
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }
}
