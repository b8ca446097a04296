package health.vclinic.api.fhir;

import health.vclinic.api.server.ClinicId;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import health.vclinic.api.json.StrictJson;
import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.inference.TriageLevel;
import health.vclinic.inference.TriageResult;
import health.vclinic.inference.redflags.RedFlag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.RiskAssessment;

/**
 * A CDS Hooks 2.0 service (HL7, cds-hooks.hl7.org/2.0) for the {@code patient-view} hook: when a
 * clinician opens a chart, the EHR sends the patient and their recent vital signs, questionnaires and
 * encounters (the prefetch this service asks for in discovery), and gets one card back with the triage
 * level (indicator critical for levels 1-2, warning for 3, info for 4-5), the explanation in markdown, and
 * the rule and model versions as its source. With a clinical record the call is kept with the
 * RiskAssessment it produced (the patient mapped by {@link FhirPatientRef}), and the card's {@code uuid}
 * is that RiskAssessment's id ({@code GET /fhir/r4/RiskAssessment/{uuid}}).
 *
 * <p>The service never calls the EHR's FHIR server: without prefetched data it answers 412, as the
 * specification allows. A request that is not a patient-view call, or prefetched data that is not FHIR R4,
 * is a 400; data triage cannot use is a 422 with an OperationOutcome, as on {@code $triage}.
 */
final class CdsHooks {

    static final String SERVICE_ID = "vclinic-triage";
    static final String HOOK = "patient-view";

    /** The prefetch templates: FHIR queries the EHR runs before calling (CDS Hooks 2.0, "Prefetch Template"). */
    static final Map<String, String> PREFETCH = Map.of(
            "patient", "Patient/{{context.patientId}}",
            "vitals", "Observation?patient={{context.patientId}}&category=vital-signs&_sort=-date&_count=100",
            "questionnaires", "QuestionnaireResponse?patient={{context.patientId}}&status=completed&_sort=-authored&_count=20",
            "encounters", "Encounter?patient={{context.patientId}}&_sort=-date&_count=5");

    /** A reply: HTTP status and a JSON body (cards, or an OperationOutcome). */
    record Reply(int status, String json) {
    }

    /** A FHIRPath that starts at a resource type ({@code Observation}, {@code Bundle.entry[0]}). */
    private static final Pattern RESOURCE_ROOT = Pattern.compile("^[A-Z][A-Za-z]*(\\..*|\\[.*)?$");

    private final FhirTriage triage;

    CdsHooks(FhirTriage triage) {
        this.triage = triage;
    }

    /** The discovery document ({@code GET /cds-services}). */
    String discovery() {
        JsonObject service = new JsonObject();
        service.addProperty("hook", HOOK);
        service.addProperty("id", SERVICE_ID);
        service.addProperty("title", "vclinic triage");
        service.addProperty("description", "Triage level 1-5 with its disposition and reasons (NEWS2, paediatric"
                + " limits, red-flag rules, PHQ-9 / GAD-7, and the served model) from the patient's recent vital"
                + " signs, questionnaires and encounter reason.");
        JsonObject prefetch = new JsonObject();
        PREFETCH.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> prefetch.addProperty(e.getKey(), e.getValue()));
        service.add("prefetch", prefetch);
        service.addProperty("usageRequirements", "Send the prefetch: this service does not call the FHIR server.");
        JsonArray services = new JsonArray();
        services.add(service);
        JsonObject out = new JsonObject();
        out.add("services", services);
        return out.toString();
    }

    /** One hook call ({@code POST /cds-services/vclinic-triage}). Never throws. */
    Reply call(ClinicId clinic, String body) {
        try {
            StrictJson.check(body, StrictJson.Paths.JSON);
        } catch (InvalidInputException e) {
            return new Reply(400, FhirJson.encode(OperationOutcomes.malformed(e), false));
        }
        JsonObject request;
        try {
            JsonElement parsed = JsonParser.parseString(body);
            if (!parsed.isJsonObject()) {
                return error(400, IssueType.STRUCTURE, "body", "must be a CDS Hooks request (a JSON object)");
            }
            request = parsed.getAsJsonObject();
        } catch (RuntimeException e) {
            return error(400, IssueType.STRUCTURE, "body", "must be a CDS Hooks request in well-formed JSON");
        }
        if (!HOOK.equals(string(request, "hook"))) {
            return error(400, IssueType.NOTSUPPORTED, "hook", "must be '" + HOOK + "': the only hook this service serves");
        }
        if (string(request, "hookInstance").isBlank()) {
            return error(400, IssueType.REQUIRED, "hookInstance", "is required (a UUID for this call)");
        }
        String patientId = request.has("context") && request.get("context").isJsonObject()
                ? string(request.getAsJsonObject("context"), "patientId") : "";
        if (patientId.isBlank()) {
            return error(400, IssueType.REQUIRED, "context.patientId", "is required for " + HOOK);
        }
        JsonObject prefetch = request.has("prefetch") && request.get("prefetch").isJsonObject()
                ? request.getAsJsonObject("prefetch") : new JsonObject();
        if (!prefetch.has("patient") || !prefetch.get("patient").isJsonObject()) {
            return error(412, IssueType.REQUIRED, "prefetch.patient", "is required: this service does not call the"
                    + " FHIR server, so the EHR must send the prefetch named in discovery");
        }
        Record record;
        try {
            record = record(prefetch, patientId);
        } catch (InvalidInputException e) {
            return new Reply(400, FhirJson.encode(OperationOutcomes.malformed(e), false));
        }
        try {
            long start = System.nanoTime();
            FhirTriage.Assessed a = triage.assess(record.bundle());
            Optional<PatientRef> patient = patientRef((Patient) record.bundle().getEntryFirstRep().getResource(),
                    patientId);
            Instant now = triage.clock().instant();
            RiskAssessment ra = TriageBundle.riskAssessment(a.input(), a.result(), now, patient);
            UUID id = UUID.randomUUID();
            ra.setId(id.toString());
            boolean kept = triage.keep(clinic, FhirCall.PATIENT_VIEW, body, patient, ra, now, a, start);
            return new Reply(200, cards(a.result(), a.input().lookBack(), kept ? id : UUID.randomUUID()));
        } catch (InvalidInputException e) {
            return new Reply(422, FhirJson.encode(OperationOutcomes.unprocessable(record.callersPaths(e)), false));
        } catch (RuntimeException e) {
            return new Reply(500, FhirJson.encode(OperationOutcomes.internal(e), false));
        }
    }

    /**
     * The patient_ref by the rule of {@link FhirPatientRef}: the prefetched Patient's identifier, else
     * {@code context.patientId}.
     */
    private static Optional<PatientRef> patientRef(Patient patient, String patientId) {
        Optional<PatientRef> byIdentifier = FhirPatientRef.of(patient, "prefetch.patient");
        if (byIdentifier.isPresent()) {
            return byIdentifier;
        }
        try {
            return Optional.of(new PatientRef(patientId));
        } catch (InvalidInputException e) {
            throw new InvalidInputException("context.patientId", "must be 1 to " + PatientRef.MAX_LENGTH
                    + " printable ASCII characters without spaces when the Patient has no identifier: it is kept as"
                    + " the patient's patient_ref");
        }
    }

    /**
     * The prefetched resources as one collection Bundle, and where each of its entries came from in the
     * caller's request ({@code prefetch.vitals.entry[2].resource}), so that an error names the caller's own
     * element rather than the Bundle this service put together.
     */
    record Record(Bundle bundle, List<String> origins) {
        private static final Pattern ENTRY = Pattern.compile("^Bundle\\.entry\\[(\\d+)]\\.resource(.*)$");

        Record {
            origins = List.copyOf(origins);
        }

        /** The violations with paths into the caller's prefetch instead of into {@link #bundle()}. */
        InvalidInputException callersPaths(InvalidInputException e) {
            return new InvalidInputException(e.violations().stream()
                    .map(v -> new InvalidInputException.Violation(callersPath(v.field()), v.allowed())).toList());
        }

        String callersPath(String field) {
            Matcher m = ENTRY.matcher(field);
            if (m.matches() && Integer.parseInt(m.group(1)) < origins.size()) {
                return origins.get(Integer.parseInt(m.group(1))) + m.group(2);
            }
            // The record as a whole (e.g. "Bundle.entry": no Patient): that is the prefetch as a whole.
            return field.startsWith("Bundle") ? "prefetch" + field.substring("Bundle".length()).replaceFirst("^\\.entry$", "")
                    : field;
        }
    }

    /** The prefetched resources as one collection Bundle: the patient first, each resource once. */
    private static Record record(JsonObject prefetch, String patientId) {
        Bundle record = new Bundle().setType(Bundle.BundleType.COLLECTION);
        List<String> origins = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        IBaseResource patient = parse(prefetch, "patient");
        if (!(patient instanceof Patient p) || !patientId.equals(p.getIdElement().getIdPart())) {
            throw new InvalidInputException("prefetch.patient", "must be the Patient whose id is context.patientId");
        }
        record.addEntry().setResource(p);
        origins.add("prefetch.patient");
        for (String key : prefetch.keySet().stream().sorted().toList()) {
            if (key.equals("patient") || prefetch.get(key).isJsonNull()) {
                continue;  // null: the EHR could not fetch it, which the specification allows
            }
            IBaseResource r = parse(prefetch, key);
            if (r instanceof Bundle b) {
                for (int i = 0; i < b.getEntry().size(); i++) {
                    Bundle.BundleEntryComponent e = b.getEntry().get(i);
                    if (e.hasResource() && seen.add(identity(e))) {
                        record.addEntry().setFullUrl(e.getFullUrl()).setResource(e.getResource());
                        origins.add("prefetch." + key + ".entry[" + i + "].resource");
                    }
                }
            } else if (r instanceof Resource res && seen.add(res.fhirType() + "/" + res.getIdElement().getIdPart())) {
                record.addEntry().setResource(res);
                origins.add("prefetch." + key);
            }
        }
        return new Record(record, origins);
    }

    private static String identity(Bundle.BundleEntryComponent e) {
        return e.hasFullUrl() ? e.getFullUrl() : e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart();
    }

    private static IBaseResource parse(JsonObject prefetch, String key) {
        if (!prefetch.get(key).isJsonObject()) {
            throw new InvalidInputException("prefetch." + key, "must be a FHIR resource (a JSON object) or null");
        }
        try {
            return FhirJson.parse(prefetch.get(key).toString());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.violations().stream()
                    .map(v -> new InvalidInputException.Violation(underPrefetch(key, v.field()), v.allowed())).toList());
        }
    }

    /**
     * A FHIRPath of a prefetched resource ({@code Bundle.entry[2].resource.code}) as a path in the caller's
     * request ({@code prefetch.vitals.entry[2].resource.code}): the resource type stands for the key.
     */
    static String underPrefetch(String key, String fhirPath) {
        String root = "prefetch." + key;
        if (fhirPath.equals("body")) {
            return root;
        }
        return RESOURCE_ROOT.matcher(fhirPath).matches() ? root + fhirPath.replaceFirst("^[A-Z][A-Za-z]*", "")
                : root + "." + fhirPath;
    }

    /**
     * The response: one card with the level, the reasons, the versions, and the override reasons an EHR may
     * offer its user ({@link ReasonCode}), for feedback to {@code /cds-services/vclinic-triage/feedback}.
     *
     * @param cardId the card's uuid: the record id of the RiskAssessment kept for this call
     *     ({@code GET /fhir/r4/RiskAssessment/{id}}), or a random one when it was not kept
     */
    static String cards(TriageResult result, java.time.Duration lookBack, UUID cardId) {
        TriageLevel level = result.level();
        JsonObject card = new JsonObject();
        card.addProperty("uuid", cardId.toString());
        card.addProperty("summary", TriageBundle.levelName(level) + ": " + result.decision().disposition().advice());
        card.addProperty("indicator", indicator(level));
        card.addProperty("detail", detail(result, lookBack));
        JsonObject source = new JsonObject();
        source.addProperty("label", "vclinic triage (" + result.versions().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")) + ")");
        JsonObject topic = new JsonObject();
        topic.addProperty("system", TriageBundle.COMPONENT_SYSTEM);
        topic.addProperty("code", "triage");
        topic.addProperty("display", "Triage acuity");
        source.add("topic", topic);
        card.add("source", source);
        JsonArray reasons = new JsonArray();
        for (ReasonCode r : ReasonCode.values()) {
            JsonObject coding = new JsonObject();
            coding.addProperty("code", r.name());
            coding.addProperty("system", ReasonCode.SYSTEM);
            coding.addProperty("display", r.display());
            reasons.add(coding);
        }
        card.add("overrideReasons", reasons);
        JsonArray cards = new JsonArray();
        cards.add(card);
        JsonObject out = new JsonObject();
        out.add("cards", cards);
        return out.toString();
    }

    /** CDS Hooks indicator from the level: emergencies are critical, urgent a warning, the rest info. */
    static String indicator(TriageLevel level) {
        return switch (level) {
            case RESUSCITATION, EMERGENT -> "critical";
            case URGENT -> "warning";
            case LESS_URGENT, NON_URGENT -> "info";
        };
    }

    private static String detail(TriageResult result, java.time.Duration lookBack) {
        StringBuilder md = new StringBuilder();
        TriageLevel level = result.level();
        md.append("**").append(TriageBundle.levelName(level)).append("**: ")
                .append(result.decision().disposition().advice())
                .append(". Set by ").append(markdown(result.decision().decidedBy())).append(".\n\n");
        // The first line of the explanation is the level and who set it: the header above.
        result.explanation().stream().skip(1).forEach(line -> md.append("- ").append(markdown(line)).append('\n'));
        if (!result.redFlags().isEmpty()) {
            md.append("\n**Red flags**\n\n");
            for (RedFlag f : result.redFlags()) {
                md.append("- ").append(markdown(f.description())).append(": ")
                        .append(markdown(String.join("; ", f.evidence()))).append(" (floor ")
                        .append(TriageBundle.levelName(f.floor()).toLowerCase(java.util.Locale.ROOT)).append(")\n");
            }
        }
        if (result.needsClinicianReview()) {
            md.append("\n**Needs clinician review**: ").append(markdown(String.join("; ", result.reviewReasons()))).append('\n');
        }
        md.append("\n_From the prefetched record, newest value of each within ")
                .append(words(lookBack))
                .append(" of the newest measurement. Decision support for a clinician, not a diagnosis._");
        return md.toString();
    }

    private static String words(java.time.Duration d) {
        return d.toHours() > 0 && d.toMinutesPart() == 0 ? d.toHours() + " h" : d.toMinutes() + " min";
    }

    /** Escapes what CommonMark would read as formatting, so the patient's words show as written. */
    static String markdown(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (char c : text.toCharArray()) {
            // Brackets are escaped, so parentheses cannot form a link; a line never starts with the text.
            if ("\\`*_[]<>#|~".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c == '\n' ? ' ' : c);
        }
        return out.toString();
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : "";
    }

    private static Reply error(int status, IssueType type, String expression, String problem) {
        return new Reply(status, FhirJson.encode(OperationOutcomes.of(type, expression, expression + " " + problem), false));
    }
}
