package health.vclinic.api.server;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The clinic a record belongs to. Every row of the clinical record carries one, so that per-clinic
 * identity (a later step) partitions data that already exists instead of back-filling it. Until callers
 * authenticate, every call belongs to {@link #DEFAULT}.
 *
 * @param value lower-case letters, digits and hyphens, 1 to 64 characters
 */
public record ClinicId(String value) {

    private static final Pattern FORM = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /** The one clinic of a service that does not yet identify its callers. */
    public static final ClinicId DEFAULT = new ClinicId("default");

    public ClinicId {
        Objects.requireNonNull(value, "value");
        if (!FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("clinic id must be 1 to 64 lower-case letters, digits or hyphens");
        }
    }
}
