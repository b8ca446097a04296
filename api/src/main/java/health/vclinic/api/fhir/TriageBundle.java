package health.vclinic.api.fhir;

import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.fhir.FhirTriageInput;
import health.vclinic.inference.TriageLevel;
import health.vclinic.inference.TriageResult;
import health.vclinic.inference.redflags.RedFlag;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.RiskAssessment;
import org.hl7.fhir.r4.model.RiskAssessment.RiskAssessmentPredictionComponent;
import org.hl7.fhir.utilities.xhtml.XhtmlNode;

/**
 * A triage result as FHIR R4 resources: a {@code collection} Bundle with one {@code RiskAssessment}
 * and one {@code Flag} per red flag.
 *
 * <p>{@code RiskAssessment}: id = its record id in the clinical record (absent without a record); status
 * final; subject (with the patient's pseudonymous {@code patient_ref} as its identifier, see
 * {@link FhirPatientRef}), and encounter when the chief complaint came from one;
 * occurrence = when the assessment was made; method = every rule set and model that took part, one coding
 * each with its version; basis = the Observations, QuestionnaireResponses and Encounter the values came
 * from; mitigation = the disposition; the assigned level's {@code prediction.rationale} (R4 has no other
 * rationale) and the narrative = the explanation; notes = why a clinician should review and what the
 * reader left out.
 *
 * <p><b>Predictions.</b> With a calibrated model: one per triage level, {@code probabilityDecimal} (the
 * model's probability, 4 decimals) and {@code qualitativeRisk} from the
 * {@code risk-probability} code system (below 0.05 negligible, below 0.2 low, below 0.5 moderate, else
 * high; never "certain" for a model). Rules alone give a level, not a probability: then there is one
 * prediction, for the assigned level, with {@code qualitativeRisk} high and no {@code probabilityDecimal},
 * and its rationale says so. Either way the assigned level's prediction says which rule or model set it.
 *
 * <p>{@code Flag}: status active, category clinical, code = the red-flag rule; its text and narrative
 * carry the evidence (the patient's words or the values that fired it), the floor it set and its source;
 * extension flag-detail points at the RiskAssessment.
 */
final class TriageBundle {

    /** The namespace of vclinic's own code systems. */
    static final String BASE = "https://vclinic.health/fhir";
    static final String LEVEL_SYSTEM = BASE + "/CodeSystem/triage-level";
    static final String COMPONENT_SYSTEM = BASE + "/CodeSystem/triage-component";
    static final String RED_FLAG_SYSTEM = BASE + "/CodeSystem/red-flag";
    static final String RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability";
    private static final String FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category";
    private static final String FLAG_DETAIL = "http://hl7.org/fhir/StructureDefinition/flag-detail";

    private TriageBundle() {
    }

    /**
     * @param assessmentId the RiskAssessment's id (its record id in the clinical record), also its entry's
     *     {@code urn:uuid:} fullUrl
     * @param patient the patient's pseudonymous reference, added to the subjects as an identifier
     */
    static Bundle of(FhirTriageInput input, TriageResult result, Instant now, UUID assessmentId,
                     Optional<PatientRef> patient) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
        bundle.setId(UUID.randomUUID().toString());
        bundle.setTimestamp(Date.from(now));
        String assessmentUrl = "urn:uuid:" + assessmentId;
        RiskAssessment ra = riskAssessment(input, result, now, patient);
        ra.setId(assessmentId.toString());
        bundle.addEntry().setFullUrl(assessmentUrl).setResource(ra);
        for (RedFlag f : result.redFlags()) {
            bundle.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(flag(input, f, assessmentUrl, now,
                    patient));
        }
        return bundle;
    }

    static RiskAssessment riskAssessment(FhirTriageInput input, TriageResult result, Instant now,
                                         Optional<PatientRef> patient) {
        TriageLevel level = result.level();
        RiskAssessment ra = new RiskAssessment();
        ra.setStatus(RiskAssessment.RiskAssessmentStatus.FINAL);
        ra.setCode(new CodeableConcept(new Coding(COMPONENT_SYSTEM, "triage", "Triage acuity"))
                .setText("Triage acuity, 5 levels (ESI / KTAS)"));
        ra.setSubject(subject(input, patient));
        input.encounterReference().ifPresent(e -> ra.setEncounter(new Reference(e)));
        ra.setOccurrence(new DateTimeType(Date.from(now), ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND,
                java.util.TimeZone.getTimeZone("UTC")));
        ra.setMethod(method(result.versions()));
        input.basis().forEach(b -> ra.addBasis(new Reference(b)));
        predictions(result).forEach(ra::addPrediction);
        ra.setMitigation("Disposition: " + result.decision().disposition().advice() + ".");
        ra.setText(narrative(level, result));
        if (result.needsClinicianReview()) {
            ra.addNote(new Annotation().setText("Needs clinician review: " + String.join("; ", result.reviewReasons()) + "."));
        }
        input.notes().forEach(n -> ra.addNote(new Annotation().setText("Input: " + n + ".")));
        return ra;
    }

    private static CodeableConcept method(Map<String, String> versions) {
        CodeableConcept method = new CodeableConcept();
        versions.forEach((name, version) -> method.addCoding(new Coding(COMPONENT_SYSTEM, name, name + " " + version)
                .setVersion(version)));
        method.setText("vclinic triage: " + versions.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")));
        return method;
    }

    private static List<RiskAssessmentPredictionComponent> predictions(TriageResult result) {
        String rationale = String.join("\n", result.explanation());
        String assigned = "Assigned level, set by " + result.decision().decidedBy() + ".";
        List<Double> p = result.levelProbabilities();
        if (p.isEmpty()) {
            RiskAssessmentPredictionComponent only = prediction(result.level())
                    .setQualitativeRisk(risk("high", "High likelihood"))
                    .setRationale(assigned + " The rules assign a level, not a probability: no probability is"
                            + " given (no calibrated model took part).\n" + rationale);
            return List.of(only);
        }
        return java.util.Arrays.stream(TriageLevel.values()).map(l -> {
            double v = p.get(l.level() - 1);
            RiskAssessmentPredictionComponent c = prediction(l)
                    .setProbability(new DecimalType(BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_EVEN)))
                    .setQualitativeRisk(qualitative(v));
            if (l == result.level()) {
                c.setRationale(assigned + "\n" + rationale);
            }
            return c;
        }).toList();
    }

    private static RiskAssessmentPredictionComponent prediction(TriageLevel level) {
        RiskAssessmentPredictionComponent c = new RiskAssessmentPredictionComponent();
        c.setOutcome(new CodeableConcept(new Coding(LEVEL_SYSTEM, Integer.toString(level.level()), levelName(level)))
                .setText(levelName(level) + ": " + level.disposition().advice()));
        return c;
    }

    /** Bands of the model's probability; documented on the class. */
    static CodeableConcept qualitative(double p) {
        if (p < 0.05) {
            return risk("negligible", "Negligible likelihood");
        }
        if (p < 0.2) {
            return risk("low", "Low likelihood");
        }
        if (p < 0.5) {
            return risk("moderate", "Moderate likelihood");
        }
        return risk("high", "High likelihood");
    }

    private static CodeableConcept risk(String code, String display) {
        return new CodeableConcept(new Coding(RISK_PROBABILITY, code, display));
    }

    static String levelName(TriageLevel level) {
        return "Level " + level.level() + " (" + level.words() + ")";
    }

    /** The caller's reference to the Patient, with the pseudonymous patient_ref as its identifier when there is one. */
    private static Reference subject(FhirTriageInput input, Optional<PatientRef> patient) {
        Reference subject = new Reference(input.patientReference());
        patient.ifPresent(p -> subject.setIdentifier(new Identifier().setSystem(FhirPatientRef.SYSTEM).setValue(p.value())));
        return subject;
    }

    static Flag flag(FhirTriageInput input, RedFlag f, String assessmentUrl, Instant now, Optional<PatientRef> patient) {
        Flag flag = new Flag();
        flag.setStatus(Flag.FlagStatus.ACTIVE);
        flag.addCategory(new CodeableConcept(new Coding(FLAG_CATEGORY, "clinical", "Clinical")));
        flag.setCode(new CodeableConcept(new Coding(RED_FLAG_SYSTEM, f.code(), f.description())).setText(flagText(f)));
        flag.setSubject(subject(input, patient));
        input.encounterReference().ifPresent(e -> flag.setEncounter(new Reference(e)));
        flag.setPeriod(new Period().setStartElement(new DateTimeType(Date.from(now),
                ca.uhn.fhir.model.api.TemporalPrecisionEnum.SECOND, java.util.TimeZone.getTimeZone("UTC"))));
        flag.addExtension(FLAG_DETAIL, new Reference(assessmentUrl));
        XhtmlNode div = div();
        div.addTag("p").addTag("b").addText("Red flag: " + f.description());
        div.addTag("p").addText("Evidence: " + String.join("; ", f.evidence()));
        div.addTag("p").addText("Floor: " + levelName(f.floor()) + ". " + f.rationale() + " Source: " + f.source());
        flag.setText(new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED).setDiv(div));
        return flag;
    }

    static String flagText(RedFlag f) {
        return "Red flag: " + f.description() + ". Evidence: " + String.join("; ", f.evidence())
                + ". Floor: " + levelName(f.floor()).toLowerCase(Locale.ROOT) + ".";
    }

    private static Narrative narrative(TriageLevel level, TriageResult result) {
        XhtmlNode div = div();
        div.addTag("p").addTag("b").addText("Triage: " + levelName(level) + ", " + result.decision().disposition().advice()
                + ".");
        XhtmlNode list = div.addTag("ul");
        result.explanation().forEach(line -> list.addTag("li").addText(line));
        return new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED).setDiv(div);
    }

    private static XhtmlNode div() {
        XhtmlNode div = new XhtmlNode(org.hl7.fhir.utilities.xhtml.NodeType.Element, "div");
        div.setAttribute("xmlns", "http://www.w3.org/1999/xhtml");
        return div;
    }
}
