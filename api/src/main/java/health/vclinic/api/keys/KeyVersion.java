package health.vclinic.api.keys;

import health.vclinic.api.server.ClinicId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a clinic's data keys, as the key table records it (no key material).
 *
 * @param retiredAt  when a newer version became current (new seals stopped using this one)
 * @param shreddedAt when the wrapped key was destroyed ({@link KeyRing#shred})
 */
public record KeyVersion(ClinicId clinic, int version, Instant createdAt, Optional<Instant> retiredAt,
                         Optional<Instant> shreddedAt) {

    public KeyVersion {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(retiredAt, "retiredAt");
        Objects.requireNonNull(shreddedAt, "shreddedAt");
        if (version < 1) {
            throw new IllegalArgumentException("key version must be 1 or more");
        }
    }

    /** Whether new seals use this version. */
    public boolean current() {
        return retiredAt.isEmpty() && shreddedAt.isEmpty();
    }
}
