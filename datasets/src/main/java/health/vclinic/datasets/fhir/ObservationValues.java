package health.vclinic.datasets.fhir;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Observation.ObservationComponentComponent;
import org.hl7.fhir.r4.model.Observation.ObservationStatus;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Type;

/**
 * Reads the triage measurements out of one Observation: its own value and its components (the
 * blood-pressure panel's systolic and diastolic, US Core pulse oximetry's inhaled oxygen), converted
 * to the domain units. What cannot be read is reported against the element at fault.
 */
final class ObservationValues {

    /** Statuses whose value is a result: registered has none yet; cancelled and entered-in-error are void. */
    private static final Set<ObservationStatus> USABLE = Set.of(ObservationStatus.FINAL, ObservationStatus.AMENDED,
            ObservationStatus.CORRECTED, ObservationStatus.PRELIMINARY);

    private ObservationValues() {
    }

    /** True when this Observation carries something triage reads (a known code or a blood-pressure panel). */
    static boolean relevant(Observation o) {
        Set<String> codes = loinc(o.getCode());
        return Measure.of(codes).isPresent() || codes.stream().anyMatch(Measure.BLOOD_PRESSURE_PANELS::contains)
                || o.getComponent().stream().anyMatch(c -> Measure.of(loinc(c.getCode())).isPresent());
    }

    /**
     * Adds a finding for every measurement in {@code entry}; returns false when the Observation was not
     * used because of its status.
     */
    static boolean read(Entry entry, Subject subject, Issues issues, List<Finding> out) {
        Observation o = (Observation) entry.resource();
        if (!o.hasStatus()) {
            issues.add(entry, "status", "is required");
            return true;
        }
        if (!USABLE.contains(o.getStatus())) {
            return false;
        }
        if (!subject.isReferencedBy(o.getSubject())) {
            issues.add(entry, "subject", "must reference the bundle's one Patient (the record may hold one patient only)");
            return true;
        }
        Optional<Instant> time = effective(entry, o, issues);
        if (time.isEmpty()) {
            return true;
        }
        Set<String> codes = loinc(o.getCode());
        Optional<Measure> measure = Measure.of(codes);
        boolean panel = codes.stream().anyMatch(Measure.BLOOD_PRESSURE_PANELS::contains);
        if (measure.isPresent()) {
            if (o.hasValue()) {
                value(entry, measure.get(), o.getValue(), "value", time.get(), issues, out);
            } else if (!o.hasDataAbsentReason() && !o.hasComponent()) {
                issues.add(entry, "value[x]", "or dataAbsentReason is required for " + measure.get().words()
                        + " (vital-signs profile, constraint vs-2)");
            }
        }
        boolean bloodPressure = false;
        List<ObservationComponentComponent> components = o.getComponent();
        for (int i = 0; i < components.size(); i++) {
            ObservationComponentComponent c = components.get(i);
            Optional<Measure> m = Measure.of(loinc(c.getCode()));
            if (m.isEmpty()) {
                continue;
            }
            bloodPressure |= m.get() == Measure.SYSTOLIC_BP || m.get() == Measure.DIASTOLIC_BP;
            String element = "component[" + i + "]";
            if (c.hasValue()) {
                value(entry, m.get(), c.getValue(), element + ".value", time.get(), issues, out);
            } else if (!c.hasDataAbsentReason()) {
                issues.add(entry, element + ".value[x]", "or " + element + ".dataAbsentReason is required for "
                        + m.get().words() + " (vital-signs profile, constraint vs-3)");
            }
        }
        if (panel && !bloodPressure && !o.hasDataAbsentReason()) {
            issues.add(entry, "component", "must hold systolic (LOINC 8480-6) and diastolic (8462-4) blood pressure,"
                    + " or the panel a dataAbsentReason");
        }
        return true;
    }

    private static void value(Entry entry, Measure m, Type value, String element, Instant time, Issues issues,
                              List<Finding> out) {
        if (value instanceof Quantity q) {
            quantity(entry, m, q, element + "Quantity", time, issues, out);
        } else if (value instanceof IntegerType i && m == Measure.PAIN) {
            add(entry, m, i.getValue(), element + "Integer", time, issues, out);
        } else {
            issues.add(entry, element + value.fhirType().substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                    + value.fhirType().substring(1), "must be a Quantity with a UCUM unit for " + m.words()
                    + (m == Measure.PAIN ? " (or an integer)" : "") + " (LOINC " + m.codes() + ")");
        }
    }

    private static void quantity(Entry entry, Measure m, Quantity q, String element, Instant time, Issues issues,
                                 List<Finding> out) {
        if (q.hasComparator()) {
            issues.add(entry, element + ".comparator", "is not supported for " + m.words() + ": triage needs an exact value");
            return;
        }
        if (!q.hasValue()) {
            issues.add(entry, element + ".value", "is required");
            return;
        }
        if (q.hasSystem() && !Measure.UCUM.equals(q.getSystem())) {
            issues.add(entry, element + ".system", "must be UCUM (" + Measure.UCUM + ")");
            return;
        }
        if (!q.hasCode()) {
            issues.add(entry, element + ".code", "is required: the UCUM unit of " + m.words() + ", one of "
                    + String.join(", ", m.unitCodes()));
            return;
        }
        OptionalDouble converted = m.convert(q.getValue().doubleValue(), q.getCode());
        if (converted.isEmpty()) {
            issues.add(entry, element + ".code", "must be a UCUM unit of " + m.words() + " (LOINC " + m.codes()
                    + "): one of " + String.join(", ", m.unitCodes()));
            return;
        }
        add(entry, m, converted.getAsDouble(), element + ".value", time, issues, out);
    }

    private static void add(Entry entry, Measure m, double value, String element, Instant time, Issues issues,
                            List<Finding> out) {
        String location = entry.path() + "." + element;
        switch (m) {
            case OXYGEN_CONCENTRATION -> {
                // Room air is 21 %; less cannot be breathed, so it is an error, not "air".
                if (!(value >= 21 && value <= 100)) {
                    issues.add(entry, element, "must be an inhaled oxygen concentration from 21 to 100 %");
                    return;
                }
                out.add(new Finding(m.field(), value > 21 ? 1.0 : 0.0, time, entry, location));
            }
            case OXYGEN_FLOW -> {
                if (!(value >= 0 && value <= 100)) {
                    issues.add(entry, element, "must be an inhaled oxygen flow from 0 to 100 L/min");
                    return;
                }
                out.add(new Finding(m.field(), value > 0 ? 1.0 : 0.0, time, entry, location));
            }
            // The numeric rating scale is whole numbers; some systems (Synthea among them) send fractions.
            // Rounded half up to the scale's precision, as NEWS2 values are rounded to the chart's.
            case PAIN -> out.add(new Finding(m.field(), Math.floor(value + 0.5), time, entry, location));
            default -> out.add(new Finding(m.field(), value, time, entry, location));
        }
    }

    /** When the value was measured: effectiveDateTime, effectiveInstant, or the end of effectivePeriod. */
    private static Optional<Instant> effective(Entry entry, Observation o, Issues issues) {
        Type e = o.getEffective();
        if (e instanceof DateTimeType dt && dt.getValue() != null) {
            return Optional.of(dt.getValue().toInstant());
        }
        if (e instanceof InstantType it && it.getValue() != null) {
            return Optional.of(it.getValue().toInstant());
        }
        if (e instanceof Period p && (p.hasEnd() || p.hasStart())) {
            return Optional.of((p.hasEnd() ? p.getEnd() : p.getStart()).toInstant());
        }
        if (e != null && !e.isEmpty()) {
            issues.add(entry, "effective" + Character.toUpperCase(e.fhirType().charAt(0)) + e.fhirType().substring(1),
                    "is not supported: a vital sign needs effectiveDateTime, effectiveInstant or effectivePeriod");
        } else {
            issues.add(entry, "effective[x]", "is required: the look-back window and the age need the time of"
                    + " measurement (vital-signs profile)");
        }
        return Optional.empty();
    }

    /** The LOINC codes of a concept (codings without the LOINC system do not count). */
    static Set<String> loinc(CodeableConcept concept) {
        return concept.getCoding().stream().filter(c -> Measure.LOINC.equals(c.getSystem()) && c.hasCode())
                .map(c -> c.getCode()).collect(Collectors.toSet());
    }
}
