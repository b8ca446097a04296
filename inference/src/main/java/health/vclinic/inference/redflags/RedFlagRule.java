package health.vclinic.inference.redflags;

import health.vclinic.inference.Disposition;
import health.vclinic.inference.TriageLevel;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One red-flag rule from the rules file. It fires when every concept of at least one of its
 * {@code when} groups is present (a disjunction of conjunctions), and the patient's age is within its
 * limits (an unknown age never excludes a rule).
 *
 * @param floor the least urgent level a case that fires it may get
 * @param disposition an advice more urgent than the floor's own, when the source asks for it (stroke
 *     is level 2 but "call emergency services")
 */
public record RedFlagRule(String id, String description, TriageLevel floor, Optional<Disposition> disposition,
                          String rationale, String source, OptionalDouble minAgeYears, OptionalDouble maxAgeYears,
                          List<List<String>> when) {
    public RedFlagRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(disposition, "disposition");
        when = when.stream().map(List::copyOf).toList();
    }

    boolean appliesAtAge(OptionalDouble age) {
        if (age.isEmpty()) {
            return true;
        }
        double a = age.getAsDouble();
        return (minAgeYears.isEmpty() || a >= minAgeYears.getAsDouble())
                && (maxAgeYears.isEmpty() || a < maxAgeYears.getAsDouble());
    }
}
