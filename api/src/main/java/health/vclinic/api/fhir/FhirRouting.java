package health.vclinic.api.fhir;

import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.server.Limits;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * The FHIR and CDS Hooks routes of the HTTP server:
 * <ul>
 *   <li>{@code POST /fhir/r4/$triage} with {@code application/fhir+json}: a Bundle (or Parameters with
 *       parameter {@code bundle} and optionally {@code lookBack}) in, a Bundle with a RiskAssessment and
 *       Flags out ({@link FhirTriage}); errors are OperationOutcomes with 400 / 415 / 422.</li>
 *   <li>{@code GET /cds-services}: CDS Hooks discovery; {@code POST /cds-services/vclinic-triage}: the
 *       {@code patient-view} hook ({@link CdsHooks}).</li>
 * </ul>
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
    /** FHIR's own media type, plain JSON, and the DSTU2-era name some clients still send. */
    private static final Set<String> ACCEPTED = Set.of(FHIR_JSON, "application/json", "application/json+fhir");

    private FhirRouting() {
    }

    /** Adds the routes over {@code endpoint}'s engine; warms the FHIR context first so the first call is fast. */
    public static void register(HttpRouting.Builder routing, TriageEndpoint endpoint) {
        FhirJson.warm();
        FhirTriage triage = new FhirTriage(endpoint.engine());
        CdsHooks cds = new CdsHooks(triage);
        routing.post(TRIAGE, (req, res) -> triage(triage, req, res))
                .get(CDS_DISCOVERY, (req, res) -> send(res, 200, "application/json", cds.discovery()))
                .post(CDS_TRIAGE, (req, res) -> {
                    Body body = body(req);
                    CdsHooks.Reply r = body.tooLarge()
                            ? new CdsHooks.Reply(413, FhirJson.encode(tooLarge(), false)) : cds.call(body.text());
                    send(res, r.status(), "application/json", r.json());
                });
    }

    private static void triage(FhirTriage triage, ServerRequest req, ServerResponse res) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        String media = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!ACCEPTED.contains(media)) {
            fhir(res, 415, OperationOutcomes.of(IssueType.NOTSUPPORTED, "body",
                    "Content-Type must be " + FHIR_JSON + " (FHIR R4 JSON)"));
            return;
        }
        Body body = body(req);
        if (body.tooLarge()) {
            fhir(res, 413, tooLarge());
            return;
        }
        if (body.text().isBlank()) {
            fhir(res, 400, OperationOutcomes.of(IssueType.REQUIRED, "body",
                    "body is required: a FHIR R4 Bundle, or Parameters with parameter 'bundle'"));
            return;
        }
        FhirTriage.Reply reply = triage.triage(body.text());
        fhir(res, reply.status(), reply.body());
    }

    private record Body(String text, boolean tooLarge) {
    }

    /**
     * The body as UTF-8 ("" when there is none), read up to {@link #MAX_BODY_BYTES} and no further: the
     * transport may admit larger bodies (for images). A client that goes away mid-body is Helidon's to
     * answer, as on the other routes.
     */
    private static Body body(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return new Body("", false);
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes((int) MAX_BODY_BYTES + 1);
            return bytes.length > MAX_BODY_BYTES ? new Body("", true)
                    : new Body(new String(bytes, StandardCharsets.UTF_8), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
