package health.vclinic.api.audit;

import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;

/**
 * Audit entries as FHIR R4 {@code AuditEvent}s shaped after IHE Basic Audit Log Patterns (BALP 1.1):
 * {@code type} and {@code subtype} from the audit event type, RESTful interaction and DICOM code systems
 * (plus the entry's own action in vclinic's code system), {@code action} C/R/U/D/E, {@code recorded},
 * {@code outcome}; the requesting agent ({@code who} by identifier, {@code requestor = true}, its role) and
 * the service as the destination agent; {@code source} observed by the service at the clinic's site; and
 * entities for the object ({@code what}), the patient (by keyed hash only) and the request id (BALP's
 * XrequestId). Emergency access, the BREAK_GLASS alert and each access made under it, has the purpose of event
 * and the requestor's purpose of use v3-ActReason BTG, with the reason as the purpose's text.
 */
final class AuditEvents {

    static final String BASE = "https://vclinic.health/fhir";
    static final String ACTION_SYSTEM = BASE + "/CodeSystem/audit-action";
    static final String ROLE_SYSTEM = BASE + "/CodeSystem/role";
    static final String SUBJECT_SYSTEM = BASE + "/sid/subject";
    static final String OBJECT_SYSTEM = BASE + "/sid/object/";
    static final String PATIENT_HASH_SYSTEM = BASE + "/sid/patient-ref-hmac-sha256";
    static final String REQUEST_SYSTEM = BASE + "/sid/request-id";
    private static final String EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    private static final String REST = "http://hl7.org/fhir/restful-interaction";
    private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
    private static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    private static final String ENTITY_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
    private static final String BALP_ENTITY_TYPE = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType";
    private static final String SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type";
    private static final String SECURITY_ROLE = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
    private static final String ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    private static final String SERVICE = "vclinic";

    private AuditEvents() {
    }

    /** A searchset Bundle of {@code page}, linking to itself and, when there is one, the next page. */
    static Bundle searchset(AuditPage page, String selfUrl, String nextUrl) {
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.addLink().setRelation("self").setUrl(selfUrl);
        if (page.next().isPresent()) {
            b.addLink().setRelation("next").setUrl(nextUrl);
        }
        for (StoredEntry e : page.entries()) {
            b.addEntry().setFullUrl("urn:vclinic:AuditEvent/" + e.sequence()).setResource(render(e))
                    .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
        }
        return b;
    }

    static AuditEvent render(StoredEntry e) {
        AuditEvent event = new AuditEvent();
        event.setId(Long.toString(e.sequence()));
        event.setType(type(e.action()));
        subtypes(e.action()).forEach(event::addSubtype);
        event.addSubtype(new Coding(ACTION_SYSTEM, e.action().name(), null));
        event.setAction(AuditEventAction.fromCode(e.action().fhirAction()));
        InstantType recorded = new InstantType(Date.from(e.recorded()));
        recorded.setTimeZoneZulu(true);
        event.setRecordedElement(recorded);
        event.setOutcome(AuditEventOutcome.fromCode(e.outcome().fhirCode()));
        // A reason marks emergency access: the BREAK_GLASS alert and each access made under it.
        e.reason().ifPresent(reason -> event.addPurposeOfEvent(breakGlass().setText(reason)));

        AuditEvent.AuditEventAgentComponent requestor = event.addAgent()
                .setType(new CodeableConcept(e.role().equals("backend") || e.role().equals("system")
                        ? new Coding(DCM, "110153", "Source Role ID")
                        : new Coding(SECURITY_ROLE, "humanuser", "human user")))
                .setWho(identified(SUBJECT_SYSTEM, e.actorSubject()))
                .setRequestor(true);
        requestor.addRole(new CodeableConcept(new Coding(ROLE_SYSTEM, e.role(), null)));
        if (e.reason().isPresent()) {
            requestor.addPurposeOfUse(breakGlass());
        }
        event.addAgent().setType(new CodeableConcept(new Coding(DCM, "110152", "Destination Role ID")))
                .setWho(new Reference().setDisplay(SERVICE)).setRequestor(false);

        event.getSource().setSite(e.clinic().value()).setObserver(new Reference().setDisplay(SERVICE))
                .addType(new Coding(SOURCE_TYPE, "4", "Application Server"));

        event.addEntity().setWhat(identified(OBJECT_SYSTEM + e.objectType(), e.objectId()))
                .setType(new Coding(ENTITY_TYPE, "2", "System Object"))
                .setRole(new Coding(ENTITY_ROLE, "4", "Domain Resource"));
        e.patientHash().ifPresent(h -> event.addEntity().setWhat(identified(PATIENT_HASH_SYSTEM, h))
                .setType(new Coding(ENTITY_TYPE, "1", "Person"))
                .setRole(new Coding(ENTITY_ROLE, "1", "Patient")));
        event.addEntity().setWhat(identified(REQUEST_SYSTEM, e.requestId()))
                .setType(new Coding(BALP_ENTITY_TYPE, "XrequestId", "X-Request-Id"));
        return event;
    }

    private static Coding type(AuditAction action) {
        return switch (action) {
            case CREATE, READ, UPDATE, QUERY, ERASE -> new Coding(EVENT_TYPE, "rest", "Restful Operation");
            case EXPORT -> new Coding(DCM, "110106", "Export");
            case LOGIN, LOGOUT, LOGIN_FAILED -> new Coding(DCM, "110114", "User Authentication");
            case DENIED, BREAK_GLASS -> new Coding(DCM, "110113", "Security Alert");
        };
    }

    private static List<Coding> subtypes(AuditAction action) {
        return switch (action) {
            case CREATE -> List.of(new Coding(REST, "create", "create"));
            case READ -> List.of(new Coding(REST, "read", "read"));
            case UPDATE -> List.of(new Coding(REST, "update", "update"));
            case QUERY -> List.of(new Coding(REST, "search-type", "search-type"));
            case ERASE -> List.of(new Coding(REST, "delete", "delete"));
            case LOGIN, LOGIN_FAILED -> List.of(new Coding(DCM, "110122", "Login"));
            case LOGOUT -> List.of(new Coding(DCM, "110123", "Logout"));
            case EXPORT, DENIED, BREAK_GLASS -> List.of();
        };
    }

    private static CodeableConcept breakGlass() {
        return new CodeableConcept(new Coding(ACT_REASON, "BTG", "break the glass"));
    }

    private static Reference identified(String system, String value) {
        return new Reference().setIdentifier(new Identifier().setSystem(system).setValue(value));
    }
}
