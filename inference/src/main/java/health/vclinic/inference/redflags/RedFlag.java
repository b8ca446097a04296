package health.vclinic.inference.redflags;

import health.vclinic.inference.Disposition;
import health.vclinic.inference.TriageLevel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A red-flag rule that fired for one encounter.
 *
 * @param code the rule id ("acute-coronary-syndrome")
 * @param evidence the patient's words or the values that fired it, e.g. "'crushing chest pain'",
 *     "vitals.temperature_c 38.6"
 */
public record RedFlag(String code, String description, List<String> evidence, TriageLevel floor,
                      Optional<Disposition> disposition, String rationale, String source) {
    public RedFlag {
        Objects.requireNonNull(code, "code");
        evidence = List.copyOf(evidence);
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(disposition, "disposition");
    }
}
