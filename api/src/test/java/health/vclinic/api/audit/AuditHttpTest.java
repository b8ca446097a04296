package health.vclinic.api.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.fhir.FhirJson;
import health.vclinic.api.fhir.R4Validator;
import health.vclinic.api.record.Database;
import health.vclinic.api.security.Caller;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /fhir/r4/AuditEvent} on a real server and the real PostgreSQL. The authentication gate is
 * not part of this package; its contract (the verified {@link Caller} in the request context) is played by
 * a filter that registers an admin of the clinic named in a test header.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuditHttpTest {

    private static final HeaderName AS_ADMIN_OF = HeaderNames.create("X-Test-Admin-Of");
    private static final ClinicId NORTH = new ClinicId("north");
    private static final ClinicId SOUTH = new ClinicId("south");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static AuditDatabases databases;
    private Database db;
    private AuditLog log;
    private WebServer server;

    @BeforeAll
    static void start() {
        databases = new AuditDatabases(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        if (databases != null) {
            databases.close();
        }
    }

    @BeforeEach
    void serve() {
        db = databases.fresh();
        log = AuditLog.open(db.dataSource(), dir.resolve("keys").resolve(AuditLog.KEY_FILE), line -> { });
        for (int i = 0; i < 6; i++) {
            log.append(AuditDatabases.read(i % 2 == 0 ? NORTH : SOUTH, "dr-" + i, "pt-" + (i % 3), "req-" + i));
        }
        log.append(new AuditEntry("admin-n", "admin", NORTH, AuditAction.ERASE, "Patient", "erasure",
                Optional.of(new PatientRef("pt-0")), AuditOutcome.SUCCESS, "req-erase", Optional.empty()));
        log.append(new AuditEntry("dr-bg", "clinician", NORTH, AuditAction.BREAK_GLASS, "Patient", "timeline",
                Optional.of(new PatientRef("pt-2")), AuditOutcome.SUCCESS, "req-bg",
                Optional.of("unconscious on arrival")));
        log.append(new AuditEntry("backend-n", "backend", NORTH, AuditAction.DENIED, "TriageAssessment", "search",
                Optional.empty(), AuditOutcome.DENIED, "req-denied", Optional.empty()));
        server = WebServer.builder().host("127.0.0.1").port(0)
                .routing(r -> {
                    r.addFilter((chain, req, res) -> {
                        req.headers().first(AS_ADMIN_OF).ifPresent(clinic -> req.context().register(Caller.class,
                                new Caller(new ClinicId(clinic), Role.ADMIN, "admin-of-" + clinic, "jti-test")));
                        chain.proceed();
                    });
                    AuditHttp.register(r, log);
                })
                .build().start();
    }

    @AfterEach
    void close() {
        server.stop();
        db.close();
    }

    private HttpResponse<String> get(String query, Optional<ClinicId> adminOf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + AuditHttp.PATH
                + (query.isEmpty() ? "" : "?" + query)));
        adminOf.ifPresent(c -> b.header(AS_ADMIN_OF.defaultCase(), c.value()));
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private Bundle search(String query, ClinicId adminOf) throws Exception {
        HttpResponse<String> res = get(query, Optional.of(adminOf));
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("application/fhir+json", res.headers().firstValue("content-type").orElse(""));
        return (Bundle) FhirJson.parse(res.body());
    }

    private static List<String> ids(Bundle b) {
        return b.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    @Test
    void theSearchsetIsValidR4ShapedAfterBalpAndConfinedToTheCallersClinic() throws Exception {
        Bundle bundle = search("", NORTH);
        assertEquals(Bundle.BundleType.SEARCHSET, bundle.getType());
        assertEquals(List.of(), R4Validator.errors(bundle));
        assertEquals(List.of("9", "8", "7", "5", "3", "1"), ids(bundle));
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            AuditEvent e = (AuditEvent) entry.getResource();
            assertEquals("north", e.getSource().getSite());
            assertEquals("vclinic", e.getSource().getObserver().getDisplay());
            assertTrue(e.hasType() && e.hasSubtype() && e.hasAction() && e.hasRecorded() && e.hasOutcome(),
                    "type, subtype, action, recorded, outcome");
            AuditEvent.AuditEventAgentComponent requestor = e.getAgentFirstRep();
            assertTrue(requestor.getRequestor());
            assertFalse(requestor.getWho().getIdentifier().getValue().isEmpty());
            assertTrue(e.getEntity().stream().anyMatch(x -> x.getWhat().getIdentifier().getSystem()
                    .startsWith(AuditEvents.OBJECT_SYSTEM)), "an entity for the object");
            assertEquals(Bundle.SearchEntryMode.MATCH, entry.getSearch().getMode());
        }
        AuditEvent read = (AuditEvent) bundle.getEntry().getLast().getResource();
        assertEquals("rest", read.getType().getCode());
        assertEquals("read", read.getSubtypeFirstRep().getCode());
        assertEquals(AuditEvent.AuditEventAction.R, read.getAction());
        assertEquals(AuditEvent.AuditEventOutcome._0, read.getOutcome());
        assertEquals("dr-0", read.getAgentFirstRep().getWho().getIdentifier().getValue());
        assertEquals("clinician", read.getAgentFirstRep().getRoleFirstRep().getCodingFirstRep().getCode());
        AuditEvent erase = (AuditEvent) bundle.getEntry().get(2).getResource();
        assertEquals(AuditEvent.AuditEventAction.D, erase.getAction());
        AuditEvent breakGlass = (AuditEvent) bundle.getEntry().get(1).getResource();
        assertEquals("110113", breakGlass.getType().getCode());
        assertEquals("BTG", breakGlass.getPurposeOfEventFirstRep().getCodingFirstRep().getCode());
        assertEquals("unconscious on arrival", breakGlass.getPurposeOfEventFirstRep().getText());
        AuditEvent denied = (AuditEvent) bundle.getEntry().getFirst().getResource();
        assertEquals(AuditEvent.AuditEventOutcome._4, denied.getOutcome());

        assertEquals(List.of("6", "4", "2"), ids(search("", SOUTH)));
    }

    @Test
    void anotherClinicsSiteFindsNothing() throws Exception {
        assertEquals(List.of(), ids(search("site=south", NORTH)));
        assertEquals(List.of("6", "4", "2"), ids(search("site=south", SOUTH)));
    }

    @Test
    void theAdminsSearchIsItselfAuditedInItsClinic() throws Exception {
        search("", NORTH);
        StoredEntry last = log.search(AuditQuery.all()).entries().getFirst();
        assertEquals(10, last.sequence());
        assertEquals(AuditAction.QUERY, last.action());
        assertEquals(NORTH, last.clinic());
        assertEquals("admin-of-north", last.actorSubject());
        assertEquals("admin", last.role());
        assertEquals("AuditEvent", last.objectType());
        assertEquals(new ChainVerification.Intact(10), log.verify());
    }

    @Test
    void aPatientIsFoundByTheKeyedHashAndNeverNamed() throws Exception {
        String hash = log.patientHash(new PatientRef("pt-0"));
        HttpResponse<String> res = get("patient-ref-hash=" + hash, Optional.of(NORTH));
        assertEquals(200, res.statusCode(), res.body());
        assertFalse(res.body().contains("pt-0"), "the reference itself is never in the trail");
        Bundle bundle = (Bundle) FhirJson.parse(res.body());
        assertEquals(List.of("7", "1"), ids(bundle));
        AuditEvent e = (AuditEvent) bundle.getEntryFirstRep().getResource();
        assertTrue(e.getEntity().stream().anyMatch(x -> x.getWhat().getIdentifier().getValue().equals(hash)
                && x.getRole().getCode().equals("1")), "the patient entity, by hash");
    }

    /** Searched without a caller (nothing audited, so the results stay put), in north. */
    private Bundle northUnaudited(String query) throws Exception {
        HttpResponse<String> res = get(query + "&site=north", Optional.empty());
        assertEquals(200, res.statusCode(), res.body());
        return (Bundle) FhirJson.parse(res.body());
    }

    @Test
    void actionSubtypeAndDateNarrowTheSearch() throws Exception {
        assertEquals(List.of("7"), ids(northUnaudited("action=D")));
        assertEquals(List.of("9", "8"), ids(northUnaudited("action=E")));
        assertEquals(List.of("9", "8", "7"), ids(northUnaudited("action=D,E")));
        assertEquals(List.of("8"), ids(northUnaudited("subtype=BREAK_GLASS")));
        assertEquals(List.of("9", "8"), ids(northUnaudited("subtype=" + URLEncoder.encode(AuditEvents.ACTION_SYSTEM
                + "|BREAK_GLASS,DENIED", StandardCharsets.UTF_8))));
        assertEquals(List.of("8"), ids(northUnaudited("action=E&subtype=BREAK_GLASS,READ")));
        StoredEntry erase = log.search(AuditQuery.all().withActions(java.util.Set.of(AuditAction.ERASE)))
                .entries().getFirst();
        String at = URLEncoder.encode(erase.recorded().toString(), StandardCharsets.UTF_8);
        assertEquals(List.of("9", "8", "7"), ids(northUnaudited("date=ge" + at)));
        assertEquals(List.of("5", "3", "1"), ids(northUnaudited("date=lt" + at)));
        assertEquals(List.of("7"), ids(northUnaudited("date=ge" + at + "&date=le" + at)));
        assertEquals(List.of("7"), ids(northUnaudited("date=" + at)));
        assertEquals(List.of(), ids(northUnaudited("date=ge2999-01-01")));
        assertEquals(6, ids(northUnaudited("date=gt2000-01-01T00:00:00%2B01:00")).size());
        // Through the gate the same filters apply, confined to the caller's clinic.
        assertEquals(List.of("7"), ids(search("action=D", NORTH)));
        assertEquals(List.of(), ids(search("action=D", SOUTH)));
    }

    @Test
    void pagesFollowTheirNextLinksWithoutOverlap() throws Exception {
        List<String> seen = new ArrayList<>();
        String query = "_count=2";
        int pages = 0;
        while (true) {
            Bundle page = search(query, NORTH);
            assertTrue(page.getEntry().size() <= 2);
            seen.addAll(ids(page));
            pages++;
            Bundle.BundleLinkComponent next = page.getLink("next");
            if (next == null) {
                break;
            }
            query = URI.create(next.getUrl()).getRawQuery();
        }
        assertEquals(3, pages);
        assertEquals(List.of("9", "8", "7", "5", "3", "1"), seen);
    }

    @Test
    void aBadParameterIsA400OperationOutcomeNamingIt() throws Exception {
        for (String[] bad : new String[][] {{"_count=0", "_count"}, {"_count=abc", "_count"},
                {"patient-ref-hash=pt-0", "patient-ref-hash"}, {"date=yesterday", "date"}, {"date=ne2025-01-01", "date"},
                {"action=X", "action"}, {"subtype=PEEK", "subtype"}, {"site=North%20Clinic", "site"},
                {"patient=pt-0", "patient"}, {"_cursor=-1", "_cursor"}, {"site=a&site=b", "site"}}) {
            HttpResponse<String> res = get(bad[0], Optional.of(NORTH));
            assertEquals(400, res.statusCode(), bad[0] + ": " + res.body());
            OperationOutcome outcome = (OperationOutcome) FhirJson.parse(res.body());
            assertEquals(bad[1], outcome.getIssueFirstRep().getExpression().getFirst().getValue(), bad[0]);
            assertFalse(res.body().contains("pt-0"), "the rejected value is not repeated: " + res.body());
        }
    }

    @Test
    void withoutAGateEveryClinicIsVisibleAndNothingIsAudited() throws Exception {
        HttpResponse<String> res = get("", Optional.empty());
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(9, ids((Bundle) FhirJson.parse(res.body())).size());
        assertEquals(List.of("6", "4", "2"), ids((Bundle) FhirJson.parse(get("site=south", Optional.empty()).body())));
        assertEquals(new ChainVerification.Intact(9), log.verify());
    }
}
