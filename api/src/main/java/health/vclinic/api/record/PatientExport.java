package health.vclinic.api.record;

import ca.uhn.fhir.context.FhirContext;
import health.vclinic.api.fhir.FhirCall;
import health.vclinic.api.fhir.FhirPatientRef;
import health.vclinic.api.record.v1.RecordedAlertEvent;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.RecordedFhirCall;
import health.vclinic.api.record.v1.RecordedImageAnalysis;
import health.vclinic.api.record.v1.TimelineEntry;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.api.server.PatientRef;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Media;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.RiskAssessment;

/**
 * Everything the record holds on a patient as one FHIR R4 Bundle of type {@code collection} (the right
 * of access, GDPR art. 15, and portability, art. 20, in a format any health-records system reads): the
 * Patient by its pseudonymous identifier, a RiskAssessment per triage assessment, a Flag per alert
 * event, a Media per image, the RiskAssessment of each FHIR / CDS Hooks call as answered, and an
 * Observation per vital sign of each trend minute ({@link RecordFhir}). The exact request and answer
 * of each stay attached as Binaries (protobuf, or the FHIR / CDS Hooks JSON as received), so the export
 * is complete, not a summary.
 */
final class PatientExport {

    /** The identifier system of a clinic's pseudonymous patient reference. */
    static final String PATIENT_REF_SYSTEM = FhirPatientRef.SYSTEM;
    private static final String PROTOBUF = "application/x-protobuf";
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private PatientExport() {
    }

    static String json(PatientRef patient, List<TimelineEntry> entries, List<VitalsWindow> vitals) {
        return FHIR.newJsonParser().setPrettyPrint(false).encodeResourceToString(bundle(patient, entries, vitals));
    }

    static Bundle bundle(PatientRef patient, List<TimelineEntry> entries, List<VitalsWindow> vitals) {
        Bundle b = new Bundle().setType(Bundle.BundleType.COLLECTION);
        b.setTimestamp(Date.from(Instant.now()));
        Patient p = new Patient();
        p.setId("patient");
        p.addIdentifier().setSystem(PATIENT_REF_SYSTEM).setValue(patient.value());
        add(b, p);
        Reference subject = new Reference("Patient/patient");
        // A FHIR call and the assessment it stands for share their id: one RiskAssessment (as answered) for both.
        java.util.Set<String> fhirCalls = new java.util.HashSet<>();
        entries.stream().filter(TimelineEntry::hasFhirCall).forEach(e -> fhirCalls.add(e.getFhirCall().getRecordId()));
        for (TimelineEntry e : entries) {
            switch (e.getEntryCase()) {
                case ASSESSMENT -> assessment(b, subject, e.getAssessment(), fhirCalls.contains(
                        e.getAssessment().getRecordId()));
                case ALERT -> alert(b, subject, e.getAlert());
                case IMAGE_ANALYSIS -> image(b, subject, e.getImageAnalysis());
                case FHIR_CALL -> fhirCall(b, subject, e.getFhirCall());
                case ENTRY_NOT_SET -> throw new IllegalStateException("a timeline entry without a kind");
            }
        }
        for (VitalsWindow w : vitals) {
            RecordFhir.observations(w, subject).forEach(o -> add(b, o));
        }
        return b;
    }

    /**
     * The assessment as a RiskAssessment with the request and answer as kept; for one that a FHIR call
     * stands for ({@code ofFhirCall}), only those two (the call's entry is its RiskAssessment).
     */
    private static void assessment(Bundle b, Reference subject, RecordedAssessment a, boolean ofFhirCall) {
        String id = a.getRecordId();
        Binary request = binary("request-" + id, PROTOBUF, a.getRequest().toByteArray());
        Binary result = binary("result-" + id, PROTOBUF, a.getAssessment().toByteArray());
        if (!ofFhirCall) {
            RiskAssessment r = RecordFhir.riskAssessment(a, subject);
            r.addBasis(new Reference("Binary/" + request.getIdElement().getIdPart()));
            r.addBasis(new Reference("Binary/" + result.getIdElement().getIdPart()));
            add(b, r);
        }
        add(b, request);
        add(b, result);
    }

    /** The RiskAssessment as answered, about the export's Patient, and the request as received. */
    private static void fhirCall(Bundle b, Reference subject, RecordedFhirCall f) {
        Binary request = binary("fhir-request-" + f.getRecordId(), f.getOperation().equals(FhirCall.TRIAGE)
                ? "application/fhir+json" : "application/json", f.getRequest().getBytes(StandardCharsets.UTF_8));
        RiskAssessment r = RecordFhir.riskAssessment(f);
        r.setSubject(subject);
        r.addBasis(new Reference("Binary/" + request.getIdElement().getIdPart()));
        add(b, r);
        add(b, request);
    }

    private static void alert(Bundle b, Reference subject, RecordedAlertEvent a) {
        Flag f = new Flag();
        f.setId(a.getEventId());
        f.setStatus(a.getAlert().getState() == health.vclinic.api.monitoring.v1.AlertState.RESOLVED
                ? Flag.FlagStatus.INACTIVE : Flag.FlagStatus.ACTIVE);
        f.setSubject(subject);
        f.setCode(new CodeableConcept().setText(a.getAlert().getKind().name() + " " + a.getAlert().getSeverity().name()
                + ": " + a.getAlert().getReason()));
        f.setPeriod(new Period().setStart(date(a.getOccurredAt())));
        add(b, f);
        add(b, binary("alert-" + a.getEventId(), PROTOBUF, a.getAlert().toByteArray()));
    }

    private static void image(Bundle b, Reference subject, RecordedImageAnalysis i) {
        Media m = new Media();
        m.setId(i.getRecordId());
        m.setStatus(Media.MediaStatus.COMPLETED);
        m.setSubject(subject);
        m.setCreated(new DateTimeType(date(i.getAnalyzedAt())));
        m.setContent(new Attachment().setData(i.getImage().toByteArray())
                .setTitle(i.getModelId() + ": " + i.getFinding()));
        add(b, m);
        add(b, binary("analysis-" + i.getRecordId(), PROTOBUF, i.getAnalysis().toByteArray()));
    }

    private static Binary binary(String id, String contentType, byte[] bytes) {
        Binary bin = new Binary();
        bin.setId(id);
        bin.setContentType(contentType);
        bin.setData(bytes);
        return bin;
    }

    private static void add(Bundle b, Resource r) {
        b.addEntry().setFullUrl("urn:vclinic:" + r.fhirType() + "/" + r.getIdElement().getIdPart()).setResource(r);
    }

    private static Date date(com.google.protobuf.Timestamp t) {
        return Date.from(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()));
    }
}
