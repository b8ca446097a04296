package health.vclinic.api.fhir;

import health.vclinic.api.security.Caller;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.http.RequestBodies;
import health.vclinic.api.json.StrictJson;
import health.vclinic.api.server.Limits;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.datasets.InvalidInputException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * The FHIR and CDS Hooks routes of the HTTP server:
 * <ul>
 *   <li>{@code POST /fhir/r4/$triage} with {@code application/fhir+json}: a Bundle (or Parameters with
 *       parameter {@code bundle} and optionally {@code lookBack}) in, a Bundle with a RiskAssessment and
 *       Flags out ({@link FhirTriage}); errors are OperationOutcomes with 400 / 413 / 415 / 422.</li>
 *   <li>{@code GET /cds-services}: CDS Hooks discovery; {@code POST /cds-services/vclinic-triage}: the
 *       {@code patient-view} hook ({@link CdsHooks}).</li>
 * </ul>
 * With a clinical record, every call is kept with its RiskAssessment ({@link FhirCallRecorder}); the
 * record's own routes read them back ({@code GET /fhir/r4/RiskAssessment/{id}} and the searches).
 * Bodies are read with {@link RequestBodies} (bounded, within a deadline, strict UTF-8) and checked by
 * {@code StrictJson} before any FHIR or JSON parser sees them.
 */
public final class FhirRouting {

    public static final String TRIAGE = "/fhir/r4/$triage";
    public static final String CDS_DISCOVERY = "/cds-services";
    public static final String CDS_TRIAGE = CDS_DISCOVERY + "/" + CdsHooks.SERVICE_ID;
    /** The routes, as the server's metrics name them ("METHOD path"). */
    public static final Set<String> ROUTES = Set.of("POST " + TRIAGE, "GET " + CDS_DISCOVERY, "POST " + CDS_TRIAGE);

    /** Largest FHIR or CDS Hooks body: a recent record or prefetch is well under this; it bounds memory per call. */
    public static final long MAX_BODY_BYTES = Limits.MAX_PAYLOAD_BYTES;

    private static final String FHIR_JSON = "application/fhir+json";
    private static final String CDS_JSON = "application/json";
    /** FHIR's own media type, plain JSON, and the DSTU2-era name some clients still send. */
    private static final Set<String> ACCEPTED = Set.of(FHIR_JSON, "application/json", "application/json+fhir");

    private FhirRouting() {
    }

    /** Adds the routes over {@code endpoint}'s engine, with the default body deadline. */
    public static void register(HttpRouting.Builder routing, TriageEndpoint endpoint) {
        register(routing, endpoint, HttpTimeouts.DEFAULTS.body());
    }

    /**
     * Adds the routes over {@code endpoint}'s engine; a request body must arrive within {@code bodyDeadline}.
     * Warms the FHIR context first so the first call is fast.
     */
    public static void register(HttpRouting.Builder routing, TriageEndpoint endpoint, Duration bodyDeadline) {
        register(routing, endpoint, bodyDeadline, FhirCallRecorder.NONE);
    }

    /**
     * Adds the routes over {@code endpoint}'s engine, keeping every {@code $triage} and CDS Hooks call with
     * the RiskAssessment it produced in {@code recorder} before answering.
     */
    public static void register(HttpRouting.Builder routing, TriageEndpoint endpoint, Duration bodyDeadline,
                                FhirCallRecorder recorder) {
        FhirJson.warm();
        FhirTriage triage = new FhirTriage(endpoint.engine()).recordingTo(recorder);
        CdsHooks cds = new CdsHooks(triage);
        routing.post(TRIAGE, (req, res) -> triage(triage, req, res, bodyDeadline))
                .get(CDS_DISCOVERY, (req, res) -> send(res, 200, "application/json", cds.discovery()))
                .post(CDS_TRIAGE, (req, res) -> cdsCall(cds, req, res, bodyDeadline));
    }

    private static void triage(FhirTriage triage, ServerRequest req, ServerResponse res, Duration bodyDeadline) {
        Optional<String> unsupported = RequestBodies.unsupportedMediaType(req, ACCEPTED);
        if (unsupported.isPresent()) {
            fhir(res, 415, OperationOutcomes.of(IssueType.NOTSUPPORTED, "body", unsupported.get()
                    + " (" + FHIR_JSON + " is FHIR R4 JSON)"));
            return;
        }
        Optional<byte[]> body = RequestBodies.read(req, res, MAX_BODY_BYTES, bodyDeadline);
        if (body.isEmpty()) {
            fhir(res, 413, tooLarge());
            return;
        }
        String text;
        try {
            text = StrictJson.decode(body.get());
        } catch (InvalidInputException e) {
            fhir(res, 400, OperationOutcomes.malformed(e));
            return;
        }
        if (text.isBlank()) {
            fhir(res, 400, OperationOutcomes.of(IssueType.REQUIRED, "body",
                    "body is required: a FHIR R4 Bundle, or Parameters with parameter 'bundle'"));
            return;
        }
        FhirTriage.Reply reply = triage.triage(Caller.of(req).clinic(), text);
        fhir(res, reply.status(), reply.body());
    }

    /** CDS Hooks: errors are OperationOutcomes too, sent as application/json (the hook's own media type). */
    private static void cdsCall(CdsHooks cds, ServerRequest req, ServerResponse res, Duration bodyDeadline) {
        Optional<String> unsupported = RequestBodies.unsupportedMediaType(req, Set.of(CDS_JSON));
        if (unsupported.isPresent()) {
            cds(res, new CdsHooks.Reply(415, FhirJson.encode(OperationOutcomes.of(IssueType.NOTSUPPORTED, "body",
                    unsupported.get() + " (CDS Hooks 2.0 requests are JSON)"), false)));
            return;
        }
        Optional<byte[]> body = RequestBodies.read(req, res, MAX_BODY_BYTES, bodyDeadline);
        if (body.isEmpty()) {
            cds(res, new CdsHooks.Reply(413, FhirJson.encode(tooLarge(), false)));
            return;
        }
        try {
            cds(res, cds.call(Caller.of(req).clinic(), StrictJson.decode(body.get())));
        } catch (InvalidInputException e) {
            cds(res, new CdsHooks.Reply(400, FhirJson.encode(OperationOutcomes.malformed(e), false)));
        }
    }

    private static void cds(ServerResponse res, CdsHooks.Reply reply) {
        send(res, reply.status(), CDS_JSON, reply.json());
    }

    private static org.hl7.fhir.r4.model.OperationOutcome tooLarge() {
        return OperationOutcomes.of(IssueType.TOOLONG, "body", "body must be at most " + MAX_BODY_BYTES
                + " bytes: send the recent part of the record (the look-back window), not the whole history");
    }

    private static void fhir(ServerResponse res, int status, org.hl7.fhir.instance.model.api.IBaseResource body) {
        send(res, status, FHIR_JSON, FhirJson.encode(body, false));
    }

    private static void send(ServerResponse res, int status, String contentType, String body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        res.send(body);
    }
}
