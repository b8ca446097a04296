package health.vclinic.api.keys;

import health.vclinic.api.server.ClinicId;
import java.util.Objects;
import javax.crypto.SecretKey;

/** One unwrapped data key: version {@code version} of {@code clinic}'s AES-256 keys. Never leaves this package. */
record DataKey(ClinicId clinic, int version, SecretKey key) {

    DataKey {
        Objects.requireNonNull(clinic, "clinic");
        Objects.requireNonNull(key, "key");
        if (version < 1) {
            throw new IllegalArgumentException("key version must be 1 or more");
        }
    }

    @Override
    public String toString() {
        return "DataKey[" + clinic.value() + " v" + version + "]";
    }
}
