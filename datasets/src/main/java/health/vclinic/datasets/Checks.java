package health.vclinic.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** Collects range violations for one record, so a caller learns every bad field at once. */
final class Checks {

    private final List<InvalidInputException.Violation> violations = new ArrayList<>();

    void range(String field, OptionalDouble value, double min, double max, String unit) {
        if (value.isPresent()) {
            range(field, value.getAsDouble(), min, max, unit);
        }
    }

    void range(String field, double value, double min, double max, String unit) {
        // Written so that NaN fails too: every comparison with NaN is false.
        if (!(value >= min && value <= max)) {
            fail(field, "must be a number from " + format(min) + " to " + format(max) + unitSuffix(unit));
        }
    }

    void range(String field, OptionalInt value, int min, int max, String unit) {
        if (value.isPresent() && (value.getAsInt() < min || value.getAsInt() > max)) {
            fail(field, "must be a whole number from " + min + " to " + max + unitSuffix(unit));
        }
    }

    void maxLength(String field, String value, int max) {
        if (value.length() > max) {
            fail(field, "must be at most " + max + " characters");
        }
    }

    void fail(String field, String allowed) {
        violations.add(new InvalidInputException.Violation(field, allowed));
    }

    List<InvalidInputException.Violation> violations() {
        return List.copyOf(violations);
    }

    void throwIfAny() {
        if (!violations.isEmpty()) {
            throw new InvalidInputException(violations);
        }
    }

    static <T> Optional<T> present(Optional<T> value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must be Optional.empty(), not null");
        }
        return value;
    }

    private static String unitSuffix(String unit) {
        return unit.isEmpty() ? "" : " " + unit;
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
