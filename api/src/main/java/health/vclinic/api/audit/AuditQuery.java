package health.vclinic.api.audit;

import health.vclinic.api.server.ClinicId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which audit entries to read, newest first, one page at a time: every filter that is present must match.
 *
 * @param clinic      only this clinic's entries (an admin's query is always confined to the admin's clinic)
 * @param from        recorded at or after this instant
 * @param until       recorded before this instant
 * @param patientHash only entries about this patient, by the keyed hash of the reference
 * @param actions     only these actions; empty for all
 * @param count       the page size, 1 to {@value #MAX_COUNT}
 * @param before      only entries with a sequence number below this: the previous page's {@link AuditPage#next()}
 */
public record AuditQuery(Optional<ClinicId> clinic, Optional<Instant> from, Optional<Instant> until,
                         Optional<String> patientHash, Set<AuditAction> actions, int count, OptionalLong before) {

    /** Largest page. */
    public static final int MAX_COUNT = 1000;
    /** Page size when the caller names none. */
    public static final int DEFAULT_COUNT = 100;
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    public AuditQuery {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        Objects.requireNonNull(patientHash, "patientHash");
        Objects.requireNonNull(before, "before");
        actions = Set.copyOf(actions);
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be 1 to " + MAX_COUNT);
        }
        if (patientHash.isPresent() && !HASH.matcher(patientHash.get()).matches()) {
            throw new IllegalArgumentException("patientHash must be 64 lower-case hex digits (HMAC-SHA256)");
        }
    }

    /** Everything, newest first, in pages of {@value #DEFAULT_COUNT}. */
    public static AuditQuery all() {
        return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Set.of(),
                DEFAULT_COUNT, OptionalLong.empty());
    }

    /** This query confined to clinic {@code c}. */
    public AuditQuery inClinic(ClinicId c) {
        return new AuditQuery(Optional.of(c), from, until, patientHash, actions, count, before);
    }

    /** This query over [{@code f}, {@code u}). */
    public AuditQuery between(Optional<Instant> f, Optional<Instant> u) {
        return new AuditQuery(clinic, f, u, patientHash, actions, count, before);
    }

    /** This query about the patient whose keyed hash is {@code hash} ({@link AuditLog#patientHash}). */
    public AuditQuery aboutPatient(String hash) {
        return new AuditQuery(clinic, from, until, Optional.of(hash), actions, count, before);
    }

    /** This query for actions {@code a} only (empty: all). */
    public AuditQuery withActions(Set<AuditAction> a) {
        return new AuditQuery(clinic, from, until, patientHash, a, count, before);
    }

    /** This query's page of {@code size} entries below {@code beforeSequence}. */
    public AuditQuery page(int size, OptionalLong beforeSequence) {
        return new AuditQuery(clinic, from, until, patientHash, actions, size, beforeSequence);
    }
}
