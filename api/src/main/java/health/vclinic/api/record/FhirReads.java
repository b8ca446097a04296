package health.vclinic.api.record;

import health.vclinic.api.fhir.FhirJson;
import health.vclinic.api.fhir.OperationOutcomes;
import health.vclinic.api.record.RecordStore.AlertHistory;
import health.vclinic.api.record.RecordStore.Cursor;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.TimelineEntry;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.audit.AuditAction;
import health.vclinic.api.security.Caller;
import health.vclinic.api.server.Errors;
import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.InvalidInputException;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.RiskAssessment;

/**
 * The clinical record read through the FHIR R4 RESTful API (hl7.org/fhir/R4/http.html), JSON only:
 * <ul>
 *   <li>{@code GET /fhir/r4/RiskAssessment/{id}} (read): a triage assessment (gRPC or HTTP) or a
 *       {@code $triage} / CDS Hooks call of the caller's clinic; 404 with an OperationOutcome when there is
 *       none, it was erased, or it belongs to another clinic;</li>
 *   <li>{@code GET /fhir/r4/RiskAssessment?patient=REF} (search): the patient's RiskAssessments, newest
 *       first;</li>
 *   <li>{@code GET /fhir/r4/Flag?patient=REF} (search): the patient's monitoring alerts, open (active) and
 *       resolved (inactive), by their latest change, newest first.</li>
 * </ul>
 * {@code patient} is the clinic's pseudonymous {@code patient_ref} (the value of the Patient identifier
 * with system {@code urn:vclinic:patient-ref}). Searches answer a {@code searchset} Bundle of at most
 * {@code _count} entries (1 to 100, default 20) with a {@code self} link and, when more follow, a
 * {@code next} link (its {@code _page_token} is opaque). Other search parameters are ignored, as the
 * specification allows; a bad {@code patient}, {@code _count} or {@code _page_token} is a 400 naming it.
 * Resources are rendered by {@link RecordFhir}.
 */
final class FhirReads {

    static final String RISK_ASSESSMENT = "/fhir/r4/RiskAssessment";
    static final String FLAG = "/fhir/r4/Flag";
    private static final String FHIR_JSON = "application/fhir+json";

    /** A reply: HTTP status and the resource to send. */
    record Reply(int status, IBaseResource body) {
    }

    private final RecordStore store;

    FhirReads(RecordStore store) {
        this.store = store;
    }

    /** Registers the routes, each reading the caller's clinic's record. */
    void routes(HttpRouting.Builder routing) {
        routing.get(RISK_ASSESSMENT + "/{id}", (req, res) -> send(res, () -> read(Caller.of(req).clinic(),
                        req.path().pathParameters().get("id"))))
                .get(RISK_ASSESSMENT, (req, res) -> send(res, () -> riskAssessments(Caller.of(req).clinic(), base(req),
                        req.query())))
                .get(FLAG, (req, res) -> send(res, () -> flags(Caller.of(req).clinic(), base(req), req.query())));
    }

    /** The RiskAssessment with this id in {@code clinic}'s record. */
    Reply read(ClinicId clinic, String id) {
        Optional<UUID> uuid;
        try {
            uuid = Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            uuid = Optional.empty();
        }
        Optional<UUID> key = uuid;
        Optional<RiskAssessment> found = store.audited(AuditAction.READ, "RiskAssessment", id.length() > 64 ? "invalid"
                : id, Optional.empty(), () -> key.flatMap(u -> store.fhirCall(clinic, u).map(RecordFhir::riskAssessment)
                .or(() -> store.assessment(clinic, u).map(FhirReads::riskAssessment))));
        return found.<Reply>map(r -> new Reply(200, r)).orElseGet(() -> new Reply(404, OperationOutcomes.of(
                IssueType.NOTFOUND, "id", "no RiskAssessment with this id in this clinic's record (it may have been"
                        + " erased)")));
    }

    Reply riskAssessments(ClinicId clinic, String base, UriQuery query) {
        return search(query, base + "/RiskAssessment", (q) -> {
            RecordStore.Page page = store.audited(AuditAction.QUERY, "RiskAssessment", "search", Optional.of(q.patient()),
                    () -> store.riskAssessments(clinic, q.patient(), q.count(), q.after()));
            return new Found(page.entries().stream().<Resource>map(FhirReads::riskAssessment).toList(), page.next());
        });
    }

    Reply flags(ClinicId clinic, String base, UriQuery query) {
        return search(query, base + "/Flag", (q) -> {
            RecordStore.AlertPage page = store.audited(AuditAction.QUERY, "Flag", "search", Optional.of(q.patient()),
                    () -> store.alerts(clinic, q.patient(), q.count(), q.after()));
            Reference subject = RecordFhir.patient(q.patient().value());
            return new Found(page.alerts().stream().<Resource>map((AlertHistory h) -> RecordFhir.flag(h, subject))
                    .toList(), page.next());
        });
    }

    private record Query(PatientRef patient, int count, Optional<Cursor> after) {
    }

    private record Found(List<Resource> resources, Optional<Cursor> next) {
    }

    private Reply search(UriQuery query, String url, Function<Query, Found> find) {
        Query q;
        try {
            q = query(query);
        } catch (InvalidInputException e) {
            InvalidInputException.Violation v = e.violations().getFirst();
            return new Reply(400, OperationOutcomes.of(IssueType.INVALID, v.field(), v.toString()));
        }
        Found found = find.apply(q);
        String self = url + "?patient=" + URLEncoder.encode(q.patient().value(), StandardCharsets.UTF_8)
                + "&_count=" + q.count();
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.setId(UUID.randomUUID().toString());
        b.addLink().setRelation("self").setUrl(self + q.after().map(c -> "&_page_token=" + RecordReader.encode(c))
                .orElse(""));
        found.next().ifPresent(c -> b.addLink().setRelation("next").setUrl(self + "&_page_token="
                + RecordReader.encode(c)));
        for (Resource r : found.resources()) {
            b.addEntry().setFullUrl(url + "/" + r.getIdElement().getIdPart()).setResource(r)
                    .getSearch().setMode(Bundle.SearchEntryMode.MATCH);
        }
        return new Reply(200, b);
    }

    private static Query query(UriQuery query) {
        String raw = query.first("patient").asOptional().orElseThrow(() -> new InvalidInputException("patient", "is required:"
                + " the patient's pseudonymous patient_ref (searches are per patient)"));
        PatientRef patient;
        try {
            patient = new PatientRef(raw);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("patient", "must be a patient_ref: 1 to " + PatientRef.MAX_LENGTH
                    + " printable ASCII characters without spaces");
        }
        int count;
        try {
            count = Integer.parseInt(query.first("_count").asOptional().orElse(Integer.toString(RecordReader.DEFAULT_PAGE_SIZE)));
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1 || count > RecordReader.MAX_PAGE_SIZE) {
            throw new InvalidInputException("_count", "must be 1 to " + RecordReader.MAX_PAGE_SIZE + " (default "
                    + RecordReader.DEFAULT_PAGE_SIZE + ")");
        }
        Optional<Cursor> after;
        try {
            after = query.first("_page_token").asOptional().map(RecordReader::decode);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("_page_token", "must be absent or taken from the previous page's next link");
        }
        return new Query(patient, count, after);
    }

    private static RiskAssessment riskAssessment(TimelineEntry e) {
        return e.hasFhirCall() ? RecordFhir.riskAssessment(e.getFhirCall()) : riskAssessment(e.getAssessment());
    }

    private static RiskAssessment riskAssessment(RecordedAssessment a) {
        return RecordFhir.riskAssessment(a, a.getPatientRef().isEmpty()
                ? new Reference().setDisplay("patient not identified (assessed without a patient_ref)")
                : RecordFhir.patient(a.getPatientRef()));
    }

    /** This server's FHIR base as the client called it ({@code http://host:port/fhir/r4}). */
    private static String base(ServerRequest req) {
        return req.requestedUri().scheme() + "://" + req.requestedUri().authority() + "/fhir/r4";
    }

    /** Sends the reply; a failure (the database unreachable: 503) as an OperationOutcome without detail. */
    private static void send(ServerResponse res, Supplier<Reply> call) {
        Reply reply;
        try {
            reply = call.get();
        } catch (RuntimeException e) {
            ApiError error = Errors.classify(e);
            OperationOutcome out = new OperationOutcome();
            out.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(error.kind() == ApiError.Kind.UNAVAILABLE ? IssueType.TRANSIENT : IssueType.EXCEPTION)
                    .setDiagnostics(error.message());
            reply = new Reply(error.kind().http(), out);
        }
        send(res, reply);
    }

    private static void send(ServerResponse res, Reply reply) {
        res.status(Status.create(reply.status()));
        res.header(HeaderNames.CONTENT_TYPE, FHIR_JSON);
        res.send(FhirJson.encode(reply.body(), false));
    }
}
