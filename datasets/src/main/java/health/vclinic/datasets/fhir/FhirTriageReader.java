package health.vclinic.datasets.fhir;

import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.InvalidInputException.Violation;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Resource;

/**
 * Reads a FHIR R4 record (a {@code Bundle}, or a {@code Parameters} wrapping one) into the domain
 * {@link Encounter} that every entry point of the service assesses.
 *
 * <ul>
 *   <li><b>Patient</b>: exactly one. Sex from {@code gender}; age from {@code birthDate} at the time of
 *       the newest input. A birth date not precise to the day gives the age only when the patient is an
 *       adult whatever the day (then the lower bound); otherwise the age is missing.</li>
 *   <li><b>Observations</b> by LOINC code (see {@link Measure}): heart rate, respiratory rate, SpO2,
 *       body temperature, the blood-pressure panel's components, inhaled oxygen, pain severity. Units
 *       are converted by UCUM code; an unknown unit is an error. Pain is rounded half up to the whole
 *       numbers of its 0-10 scale (Synthea sends fractions), as NEWS2 rounds to its chart's precision.</li>
 *   <li><b>QuestionnaireResponses</b>: PHQ-9, GAD-7 and a chief-complaint item (see
 *       {@link QuestionnaireAnswers}).</li>
 *   <li><b>Encounter</b>: its {@code reasonCode} is the chief complaint when no questionnaire gives one.</li>
 * </ul>
 *
 * <p><b>Which value</b>: the newest of each within the look-back window, which ends at the newest
 * Observation or QuestionnaireResponse (or, with none, the newest Encounter, or the time of reading)
 * and reaches back {@link #lookBack()}. A window anchored at the record rather than at the clock lets a
 * record be assessed as it stood when measured; the caller decides what to send (a CDS Hooks prefetch
 * asks for recent observations). Two values for one field at the same time that disagree are an error.
 *
 * <p><b>Errors</b>: everything that cannot be read is collected into one {@link InvalidInputException}
 * whose fields are FHIRPath locations ({@code Bundle.entry[3].resource.valueQuantity.code}) and whose
 * messages name the resource ({@code of Observation/abc}). A value that is merely absent is never an
 * error: it stays absent and the engine lists it as missing. Resources triage does not read are ignored.
 * Immutable and thread safe.
 */
public final class FhirTriageReader {

    /** Default look-back: one day, the span of one virtual consultation and the observations before it. */
    public static final Duration DEFAULT_LOOK_BACK = Duration.ofHours(24);
    /** Longest look-back accepted: ten years. */
    public static final Duration MAX_LOOK_BACK = Duration.ofDays(3653);

    static final String COMPLAINT = "interview.chief_complaint";
    private static final String ENCOUNTER_REASON = "encounter.reason";
    private static final Set<String> TIME_UNITS = Set.of("s", "min", "h", "d", "wk");

    /** Domain fields in NEWS2 chart order, then the interview: the order of the basis. */
    private static final List<String> FIELDS = List.of("vitals.respiratory_rate", "vitals.spo2",
            Measure.OXYGEN_FIELD, "vitals.systolic_bp", "vitals.diastolic_bp", "vitals.heart_rate",
            "vitals.temperature_c", "interview.pain_score", "interview.phq9", "interview.gad7", COMPLAINT,
            ENCOUNTER_REASON);

    private static final Map<String, BiConsumer<VitalSigns.Builder, Double>> VITALS = Map.of(
            "vitals.respiratory_rate", VitalSigns.Builder::respiratoryRate,
            "vitals.spo2", VitalSigns.Builder::spo2,
            Measure.OXYGEN_FIELD, (b, v) -> b.supplementalOxygen(v == 1.0),
            "vitals.systolic_bp", VitalSigns.Builder::systolicBp,
            "vitals.diastolic_bp", VitalSigns.Builder::diastolicBp,
            "vitals.heart_rate", VitalSigns.Builder::heartRate,
            "vitals.temperature_c", VitalSigns.Builder::temperatureC);

    private final Duration lookBack;
    private final Clock clock;

    private FhirTriageReader(Builder builder) {
        this.lookBack = builder.lookBack;
        this.clock = builder.clock;
    }

    /** A reader with the default look-back ({@link #DEFAULT_LOOK_BACK}) and the system clock. */
    public static FhirTriageReader standard() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How far before the newest input a value may be and still be used. */
    public Duration lookBack() {
        return lookBack;
    }

    /**
     * @param resource a {@code Bundle}, or a {@code Parameters} with the Bundle in parameter {@code bundle}
     *     and optionally a {@code lookBack} ({@code valueDuration} in s, min, h, d or wk) for this call
     * @throws InvalidInputException naming every resource and element at fault
     */
    public FhirTriageInput read(IBaseResource resource) {
        Objects.requireNonNull(resource, "resource");
        if (resource instanceof Bundle bundle) {
            return read(bundle, "Bundle", lookBack);
        }
        if (resource instanceof Parameters parameters) {
            return read(parameters);
        }
        throw new InvalidInputException(resource.fhirType(),
                "is not supported: send a Bundle, or a Parameters with the Bundle in parameter 'bundle'");
    }

    private FhirTriageInput read(Parameters parameters) {
        Issues issues = new Issues();
        Bundle bundle = null;
        String bundlePath = "";
        Duration window = lookBack;
        List<ParametersParameterComponent> ps = parameters.getParameter();
        for (int i = 0; i < ps.size(); i++) {
            ParametersParameterComponent p = ps.get(i);
            String path = "Parameters.parameter[" + i + "]";
            String name = p.getName() == null ? "" : p.getName();
            switch (name) {
                case "bundle" -> {
                    if (bundle != null || !(p.getResource() instanceof Bundle b)) {
                        issues.add(path + ".resource", "must be the one Bundle of parameter 'bundle'");
                    } else {
                        bundle = b;
                        bundlePath = path + ".resource";
                    }
                }
                case "lookBack" -> {
                    Optional<Duration> d = duration(p);
                    if (d.isEmpty()) {
                        issues.add(path + ".valueDuration", "must be a Duration above 0 and at most ten years,"
                                + " with a UCUM code s, min, h, d or wk");
                    } else {
                        window = d.get();
                    }
                }
                default -> issues.add(path + ".name", "must be 'bundle' or 'lookBack' (the parameters of $triage)");
            }
        }
        if (bundle == null && !issues.any()) {
            issues.add("Parameters.parameter", "must include parameter 'bundle' with the patient's Bundle");
        }
        issues.throwIfAny();
        return read(bundle, bundlePath, window);
    }

    private static Optional<Duration> duration(ParametersParameterComponent p) {
        if (!(p.getValue() instanceof org.hl7.fhir.r4.model.Duration d) || !d.hasValue() || !d.hasCode()
                || !TIME_UNITS.contains(d.getCode()) || (d.hasSystem() && !Measure.UCUM.equals(d.getSystem()))) {
            return Optional.empty();
        }
        double seconds = d.getValue().doubleValue() * switch (d.getCode()) {
            case "s" -> 1;
            case "min" -> 60;
            case "h" -> 3_600;
            case "d" -> 86_400;
            default -> 604_800;
        };
        if (!(seconds > 0 && seconds <= MAX_LOOK_BACK.toSeconds())) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
    }

    private FhirTriageInput read(Bundle bundle, String path, Duration window) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < bundle.getEntry().size(); i++) {
            Bundle.BundleEntryComponent e = bundle.getEntry().get(i);
            if (e.hasResource()) {
                entries.add(Entry.of(e.getResource(), e.getFullUrl(), path + ".entry[" + i + "].resource"));
            }
        }
        List<Entry> patients = entries.stream().filter(e -> e.resource() instanceof org.hl7.fhir.r4.model.Patient).toList();
        if (patients.size() != 1) {
            throw new InvalidInputException(path + ".entry", "must contain exactly one Patient (found "
                    + patients.size() + "): a triage is for one patient");
        }
        Subject subject = Subject.of(patients.getFirst());
        Issues issues = new Issues();
        List<Finding> findings = new ArrayList<>();
        int unusedStatus = 0;
        for (Entry e : entries) {
            Resource r = e.resource();
            boolean used = true;
            if (r instanceof Observation o && ObservationValues.relevant(o)) {
                used = ObservationValues.read(e, subject, issues, findings);
            } else if (r instanceof QuestionnaireResponse) {
                used = QuestionnaireAnswers.read(e, subject, issues, findings);
            } else if (r instanceof org.hl7.fhir.r4.model.Encounter enc) {
                reason(e, enc, subject, issues, findings);
            }
            unusedStatus += used ? 0 : 1;
        }
        issues.throwIfAny();

        List<String> notes = new ArrayList<>();
        Optional<Instant> observedAt = findings.stream().filter(f -> !f.field().equals(ENCOUNTER_REASON))
                .map(Finding::time).max(Comparator.naturalOrder());
        Instant anchor = observedAt
                .or(() -> findings.stream().map(Finding::time).max(Comparator.naturalOrder()))
                .orElseGet(clock::instant);
        if (findings.isEmpty()) {
            notes.add("the record holds no dated vital sign, questionnaire or encounter reason: the age is taken"
                    + " at the time of reading");
        }
        Instant from = anchor.minus(window);
        List<Finding> inWindow = findings.stream()
                .filter(f -> !f.time().isBefore(from) && !f.time().isAfter(anchor)).toList();
        long old = findings.stream().filter(f -> f.time().isBefore(from)).map(Finding::source).distinct().count();
        if (old > 0) {
            notes.add(old + " resource" + (old == 1 ? " was" : "s were") + " older than the look-back window ("
                    + words(window) + " before the newest input) and not used");
        }
        if (unusedStatus > 0) {
            notes.add(unusedStatus + " Observation or QuestionnaireResponse resource" + (unusedStatus == 1 ? " was" : "s were")
                    + " not used because of its status (only final, amended, corrected, preliminary or completed count)");
        }
        Map<String, Finding> newest = newest(inWindow, issues);
        issues.throwIfAny();
        return build(subject, newest, observedAt, anchor, window, notes);
    }

    /** The Encounter's reason, as text, when the Encounter belongs to the patient and has a start. */
    private static void reason(Entry e, org.hl7.fhir.r4.model.Encounter enc, Subject subject, Issues issues,
                               List<Finding> out) {
        if (!enc.hasReasonCode() || !enc.getPeriod().hasStart()
                || enc.getStatus() == org.hl7.fhir.r4.model.Encounter.EncounterStatus.ENTEREDINERROR
                || enc.getStatus() == org.hl7.fhir.r4.model.Encounter.EncounterStatus.CANCELLED) {
            return;
        }
        if (enc.hasSubject() && !subject.isReferencedBy(enc.getSubject())) {
            issues.add(e, "subject", "must reference the bundle's one Patient (the record may hold one patient only)");
            return;
        }
        String text = enc.getReasonCode().stream().map(FhirTriageReader::words)
                .filter(s -> !s.isBlank()).collect(Collectors.joining("; "));
        if (!text.isBlank()) {
            out.add(new Finding(ENCOUNTER_REASON, text, enc.getPeriod().getStart().toInstant(), e, e.path() + ".reasonCode"));
        }
    }

    private static String words(CodeableConcept c) {
        if (c.hasText()) {
            return c.getText().strip();
        }
        return c.getCoding().stream().filter(x -> x.hasDisplay()).map(x -> x.getDisplay().strip()).findFirst().orElse("");
    }

    /** The newest finding of each field; two at the newest time that disagree are an error. */
    private static Map<String, Finding> newest(List<Finding> findings, Issues issues) {
        Map<String, Finding> newest = new LinkedHashMap<>();
        for (String field : FIELDS) {
            List<Finding> of = findings.stream().filter(f -> f.field().equals(field)).toList();
            Optional<Finding> latest = of.stream().max(Comparator.comparing(Finding::time));
            if (latest.isEmpty()) {
                continue;
            }
            Finding n = latest.get();
            of.stream().filter(f -> f != n && f.time().equals(n.time()) && !f.value().equals(n.value())).findFirst()
                    .ifPresent(f -> issues.add(f.location(), "of " + f.source().label() + " disagrees with "
                            + n.location() + " of " + n.source().label() + " measured at the same time: send one value"));
            newest.put(field, n);
        }
        return newest;
    }

    private FhirTriageInput build(Subject subject, Map<String, Finding> newest, Optional<Instant> observedAt,
                                  Instant anchor, Duration window, List<String> notes) {
        VitalSigns.Builder vitals = VitalSigns.builder();
        VITALS.forEach((field, set) -> Optional.ofNullable(newest.get(field)).ifPresent(f -> set.accept(vitals, f.number())));
        Optional<Finding> complaint = Optional.ofNullable(newest.get(COMPLAINT))
                .or(() -> Optional.ofNullable(newest.get(ENCOUNTER_REASON)));
        Optional<Finding> pain = Optional.ofNullable(newest.get("interview.pain_score"));
        Optional<Finding> phq9 = Optional.ofNullable(newest.get("interview.phq9"));
        Optional<Finding> gad7 = Optional.ofNullable(newest.get("interview.gad7"));
        org.hl7.fhir.r4.model.Patient p = (org.hl7.fhir.r4.model.Patient) subject.patient().resource();
        OptionalDouble age = age(p, anchor, notes);

        Map<String, Finding> sources = new LinkedHashMap<>(newest);
        complaint.ifPresent(c -> sources.put(COMPLAINT, c));
        Encounter encounter;
        try {
            encounter = new Encounter("",
                    new Patient(age, sex(p), Optional.empty()),
                    vitals.build(),
                    new Interview(complaint.map(Finding::text).orElse(""),
                            pain.map(f -> OptionalInt.of((int) f.number())).orElse(OptionalInt.empty()),
                            OptionalDouble.empty(),
                            phq9.map(Finding::answers).orElse(List.of()),
                            gad7.map(Finding::answers).orElse(List.of()),
                            Map.of()));
        } catch (InvalidInputException e) {
            throw relocate(e, sources, subject.patient());
        }
        Set<String> basis = new LinkedHashSet<>();
        for (String field : FIELDS) {
            Finding f = field.equals(COMPLAINT) ? complaint.orElse(null)
                    : field.equals(ENCOUNTER_REASON) ? null : newest.get(field);
            if (f != null) {
                f.source().reference().ifPresent(basis::add);
            }
        }
        Optional<String> encounterReference = complaint.filter(c -> c.field().equals(ENCOUNTER_REASON))
                .flatMap(c -> c.source().reference());
        return new FhirTriageInput(encounter, subject.reference(), encounterReference, List.copyOf(basis), observedAt,
                window, notes);
    }

    /** A domain range violation, told against the FHIR element the value came from. */
    private static InvalidInputException relocate(InvalidInputException e, Map<String, Finding> sources, Entry patient) {
        List<Violation> out = new ArrayList<>();
        for (Violation v : e.violations()) {
            Optional<Finding> source = sources.entrySet().stream().filter(s -> v.field().startsWith(s.getKey()))
                    .map(Map.Entry::getValue).findFirst();
            if (source.isPresent()) {
                Finding f = source.get();
                out.add(new Violation(f.location(), "of " + f.source().label() + ", read as " + v.field() + " in the"
                        + " domain unit, " + v.allowed()));
            } else if (v.field().startsWith("patient.")) {
                out.add(new Violation(patient.path() + ".birthDate", "of " + patient.label() + " gives an age that "
                        + v.allowed()));
            } else {
                out.add(v);
            }
        }
        return new InvalidInputException(out);
    }

    /** Age in years at {@code at}, or empty when the birth date is absent or too coarse to tell a child. */
    private static OptionalDouble age(org.hl7.fhir.r4.model.Patient p, Instant at, List<String> notes) {
        if (!p.hasBirthDate()) {
            return OptionalDouble.empty();
        }
        DateType birth = p.getBirthDateElement();
        LocalDate on = LocalDate.ofInstant(at, ZoneOffset.UTC);
        LocalDate earliest = LocalDate.of(birth.getYear(), birth.getMonth() + 1, birth.getDay());
        LocalDate latest = switch (birth.getPrecision()) {
            case YEAR -> earliest.withDayOfYear(1).plusYears(1).minusDays(1);
            case MONTH -> earliest.withDayOfMonth(1).plusMonths(1).minusDays(1);
            default -> earliest;
        };
        if (birth.getPrecision() == ca.uhn.fhir.model.api.TemporalPrecisionEnum.YEAR) {
            earliest = earliest.withDayOfYear(1);
        } else if (birth.getPrecision() == ca.uhn.fhir.model.api.TemporalPrecisionEnum.MONTH) {
            earliest = earliest.withDayOfMonth(1);
        }
        if (earliest.isAfter(on)) {
            // Validated like any other out-of-range value: the Patient record rejects a negative age.
            return OptionalDouble.of(-years(on, earliest));
        }
        double youngest = Math.max(0, years(latest, on));
        if (latest.equals(earliest)) {
            return OptionalDouble.of(youngest);
        }
        if (youngest >= 16) {
            notes.add("Patient.birthDate is not precise to the day: the age is its lower bound, "
                    + (long) Math.floor(youngest) + " years");
            return OptionalDouble.of(Math.floor(youngest));
        }
        notes.add("Patient.birthDate is not precise to the day and the patient may be under 16: the age is not used");
        return OptionalDouble.empty();
    }

    private static double years(LocalDate from, LocalDate to) {
        // The mean Gregorian year: exact to a day over a lifetime, which is all triage needs.
        return ChronoUnit.DAYS.between(from, to) / 365.2425;
    }

    private static Sex sex(org.hl7.fhir.r4.model.Patient p) {
        if (!p.hasGender()) {
            return Sex.UNKNOWN;
        }
        return switch (p.getGender()) {
            case FEMALE -> Sex.FEMALE;
            case MALE -> Sex.MALE;
            case OTHER -> Sex.OTHER;
            default -> Sex.UNKNOWN;
        };
    }

    static String words(Duration d) {
        if (d.toDays() >= 2 && d.toHoursPart() == 0 && d.toMinutesPart() == 0 && d.toSecondsPart() == 0) {
            return d.toDays() + " d";
        }
        if (d.toMinutes() % 60 == 0 && d.toSecondsPart() == 0) {
            return d.toHours() + " h";
        }
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    /** Configures a reader; every option has a default. */
    public static final class Builder {
        private Duration lookBack = DEFAULT_LOOK_BACK;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** How far before the newest input values are used; above 0 and at most {@link #MAX_LOOK_BACK}. */
        public Builder lookBack(Duration lookBack) {
            if (lookBack.isNegative() || lookBack.isZero() || lookBack.compareTo(MAX_LOOK_BACK) > 0) {
                throw new IllegalArgumentException("lookBack must be above 0 and at most ten years");
            }
            this.lookBack = lookBack;
            return this;
        }

        /** The clock for records with no dated input (default: system UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public FhirTriageReader build() {
            return new FhirTriageReader(this);
        }
    }
}
