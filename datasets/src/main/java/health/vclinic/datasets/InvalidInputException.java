package health.vclinic.datasets;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Input that cannot describe a real patient: a value outside its physiological range, a malformed
 * questionnaire, a non-finite number. Every violation names the request field and the allowed range,
 * so a caller can fix it; none repeats the rejected value or any other patient data.
 */
public final class InvalidInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** One rejected field: its request path (e.g. {@code vitals.heart_rate}) and what is allowed. */
    public record Violation(String field, String allowed) {
        public Violation {
            if (field.isBlank() || allowed.isBlank()) {
                throw new IllegalArgumentException("a violation needs a field and a description");
            }
        }

        @Override
        public String toString() {
            return field + " " + allowed;
        }
    }

    private final transient List<Violation> violations;

    public InvalidInputException(List<Violation> violations) {
        super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("an invalid input needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public InvalidInputException(String field, String allowed) {
        this(List.of(new Violation(field, allowed)));
    }

    public List<Violation> violations() {
        return violations;
    }
}
