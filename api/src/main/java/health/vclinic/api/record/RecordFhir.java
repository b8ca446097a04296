package health.vclinic.api.record;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import health.vclinic.api.fhir.FhirJson;
import health.vclinic.api.fhir.FhirPatientRef;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertKind;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.record.RecordStore.AlertHistory;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.RecordedFhirCall;
import health.vclinic.api.record.v1.VitalSummary;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.api.triage.v1.TriageAssessment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RiskAssessment;

/**
 * The record's rows as FHIR R4 resources, for the FHIR read API and the patient export:
 * <ul>
 *   <li>a triage assessment (gRPC or HTTP) as a RiskAssessment: id = record id, status final, occurrence,
 *       method = who decided and every rule and model version, one prediction for the assigned level with
 *       the explanation as its rationale, mitigation = the disposition;</li>
 *   <li>a FHIR {@code $triage} or CDS Hooks call as the RiskAssessment it answered, exactly as answered;</li>
 *   <li>a monitoring alert as a Flag (FHIR R4 Flag: "a warning about a patient"): id = the alert id,
 *       active while open, inactive once resolved, period from its first event to its resolution, code =
 *       the alert kind with the severity and reason as text, priority from the severity with the
 *       flag-priority extension (NEWS2 clinical response levels, RCP 2017);</li>
 *   <li>a trend window as one Observation per vital sign measured in it (category vital-signs, the LOINC
 *       code of the R4 vital-signs profile, effectivePeriod = the minute, value = the mean in UCUM units,
 *       components = minimum, maximum and the number of samples).</li>
 * </ul>
 */
final class RecordFhir {

    private static final String BASE = "https://vclinic.health/fhir/CodeSystem/";
    /** The identifier system of a monitoring alert's id (stable over RAISED, UPDATED, RESOLVED). */
    static final String ALERT_ID_SYSTEM = "urn:vclinic:alert-id";
    private static final String ALERT_KIND = BASE + "monitoring-alert";
    private static final String WINDOW_STATISTIC = BASE + "window-statistic";
    private static final String FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category";
    private static final String FLAG_PRIORITY = "http://hl7.org/fhir/StructureDefinition/flag-priority";
    private static final String FLAG_PRIORITY_CODES = "http://hl7.org/fhir/flag-priority-code";
    private static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
    private static final String LOINC = "http://loinc.org";
    private static final String UCUM = "http://unitsofmeasure.org";
    /** FHIR R4 id: letters, digits, '-' and '.', at most 64. */
    private static final Pattern FHIR_ID = Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

    private RecordFhir() {
    }

    /** A reference to the patient by the pseudonymous patient_ref alone (no Patient resource is served). */
    static Reference patient(String patientRef) {
        return new Reference().setIdentifier(new Identifier().setSystem(FhirPatientRef.SYSTEM).setValue(patientRef));
    }

    static RiskAssessment riskAssessment(RecordedAssessment a, Reference subject) {
        TriageAssessment t = a.getAssessment();
        RiskAssessment r = new RiskAssessment();
        r.setId(a.getRecordId());
        r.setStatus(RiskAssessment.RiskAssessmentStatus.FINAL);
        r.setCode(new CodeableConcept().setText("Triage acuity, 5 levels (ESI / KTAS)"));
        r.setSubject(subject);
        r.setOccurrence(dateTime(instant(a.getAssessedAt())));
        r.setMethod(new CodeableConcept().setText("vclinic triage, decided by " + t.getDecidedBy() + ": "
                + t.getModelVersionsMap().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
        r.addPrediction().setOutcome(new CodeableConcept().setText("triage level " + t.getLevel() + " ("
                        + t.getAcuity().name() + ")"))
                .setRationale(String.join("\n", t.getExplanationList()));
        r.setMitigation("Disposition: " + t.getDisposition().name());
        return r;
    }

    /** The RiskAssessment a FHIR call answered, as answered. */
    static RiskAssessment riskAssessment(RecordedFhirCall f) {
        return (RiskAssessment) FhirJson.parse(f.getRiskAssessment());
    }

    static Flag flag(AlertHistory h, Reference subject) {
        Alert a = h.latest().getAlert();
        boolean resolved = a.getState() == AlertState.RESOLVED;
        Flag f = new Flag();
        f.setId(FHIR_ID.matcher(a.getAlertId()).matches() ? a.getAlertId()
                : UUID.nameUUIDFromBytes(a.getAlertId().getBytes(StandardCharsets.UTF_8)).toString());
        f.addIdentifier().setSystem(ALERT_ID_SYSTEM).setValue(a.getAlertId());
        f.setStatus(resolved ? Flag.FlagStatus.INACTIVE : Flag.FlagStatus.ACTIVE);
        boolean technical = a.getKind() == AlertKind.SIGNAL_QUALITY || a.getKind() == AlertKind.NOT_MONITORED;
        f.addCategory(new CodeableConcept(new Coding(FLAG_CATEGORY, technical ? "admin" : "clinical",
                technical ? "Administrative" : "Clinical")));
        f.setCode(new CodeableConcept(new Coding(ALERT_KIND, a.getKind().name().toLowerCase(Locale.ROOT),
                a.getKind().name())).setText(a.getKind().name() + " " + a.getSeverity().name() + ": " + a.getReason()));
        f.setSubject(subject);
        Period period = new Period().setStartElement(dateTime(h.firstAt()));
        if (resolved) {
            period.setEndElement(dateTime(instant(h.latest().getOccurredAt())));
        }
        f.setPeriod(period);
        String priority = switch (a.getSeverity()) {
            case HIGH -> "PH";
            case MEDIUM -> "PM";
            case LOW -> "PL";
            default -> "PN";
        };
        f.addExtension(FLAG_PRIORITY, new CodeableConcept(new Coding(FLAG_PRIORITY_CODES, priority, null)));
        return f;
    }

    static List<Observation> observations(VitalsWindow w, Reference subject) {
        Instant start = instant(w.getWindowStart());
        List<Observation> out = new ArrayList<>();
        for (Vital v : Vital.values()) {
            if (!w.hasField(v.field())) {
                continue;
            }
            VitalSummary s = (VitalSummary) w.getField(v.field());
            Observation o = new Observation();
            o.setId("vital-" + start.getEpochSecond() / 60 + "-" + v.column().replace('_', '-'));
            o.setStatus(Observation.ObservationStatus.FINAL);
            o.addCategory(new CodeableConcept(new Coding(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")));
            o.setCode(new CodeableConcept(new Coding(LOINC, v.loinc(), v.display())).setText(v.display()));
            o.setSubject(subject);
            o.setEffective(new Period().setStartElement(dateTime(start)).setEndElement(dateTime(start.plusSeconds(60))));
            o.setValue(quantity(v, s.getMean()));
            o.setMethod(new CodeableConcept().setText("mean of " + s.getCount() + " samples over one minute"));
            o.addComponent().setCode(statistic("minimum")).setValue(quantity(v, s.getMin()));
            o.addComponent().setCode(statistic("maximum")).setValue(quantity(v, s.getMax()));
            o.addComponent().setCode(statistic("count")).setValue(new IntegerType(s.getCount()));
            out.add(o);
        }
        return out;
    }

    private static Quantity quantity(Vital v, double value) {
        return new Quantity().setValue(value).setUnit(v.unit()).setSystem(UCUM).setCode(v.ucum());
    }

    private static CodeableConcept statistic(String code) {
        return new CodeableConcept(new Coding(WINDOW_STATISTIC, code, code));
    }

    static DateTimeType dateTime(Instant t) {
        return new DateTimeType(Date.from(t), TemporalPrecisionEnum.MILLI, TimeZone.getTimeZone("UTC"));
    }

    static Instant instant(com.google.protobuf.Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
