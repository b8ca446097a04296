package health.vclinic.api.security;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a caller may do, deny by default: each endpoint names the roles it admits ({@link Policy}), and a
 * caller whose role is not named is refused with PERMISSION_DENIED / 403.
 *
 * <ul>
 *   <li>{@link #BACKEND}: a clinic's backend system (SMART Backend Services client): assess, stream,
 *       analyse, FHIR {@code $triage}, CDS Hooks;</li>
 *   <li>{@link #CLINICIAN}: a clinician of the clinic: read and review the clinic's records;</li>
 *   <li>{@link #DATA_SCIENTIST}: export de-identified review data only;</li>
 *   <li>{@link #ADMIN}: clinics, clients, users, keys and the audit trail.</li>
 * </ul>
 */
public enum Role {
    BACKEND("backend"),
    CLINICIAN("clinician"),
    DATA_SCIENTIST("data-scientist"),
    ADMIN("admin");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** The name in tokens, on the command line and in the database. */
    public String wireName() {
        return wireName;
    }

    /** The role with this wire name. */
    public static Role parse(String name) {
        for (Role r : values()) {
            if (r.wireName.equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("role must be one of " + Arrays.stream(values()).map(Role::wireName)
                .toList() + ", not '" + (name == null ? "" : name.toLowerCase(Locale.ROOT)) + "'");
    }
}
