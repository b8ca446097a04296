package health.vclinic.api.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.record.v1.GetAssessmentRequest;
import health.vclinic.api.record.v1.RecordServiceGrpc;
import health.vclinic.api.security.BearerToken;
import health.vclinic.api.security.Role;
import health.vclinic.api.security.Security;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail as the server writes it, on a real server and the real PostgreSQL: each access to
 * patient data (create, read, query, export, erase) and each refusal is one entry naming the caller, the
 * clinic, the object and the request id, the patient only by its keyed hash; the chain verifies.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AuditWiringTest {

    private static final ClinicId CLINIC = new ClinicId("audited-clinic");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static AuditLog audit;
    private static VclinicServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        audit = AuditLog.open(record.database().dataSource(), dataDir.resolve("keys/audit.key"), line -> { });
        record.auditingTo(audit);
        Security security = TestSecurity.SECURITY.auditingDenials(new SecurityAudit(audit).denials());
        server = VclinicServer.start(security, TriageEndpoint.standard(), Optional.empty(), Optional.empty(),
                Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private static List<StoredEntry> entries() {
        return audit.search(AuditQuery.all().inClinic(CLINIC).page(AuditQuery.MAX_COUNT, java.util.OptionalLong.empty()))
                .entries();
    }

    private static HttpResponse<String> http(String method, String path, Role role) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("authorization", "Bearer " + TestSecurity.token(CLINIC, role))
                .header("x-request-id", "req-" + method.toLowerCase() + "-1")
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyAccessToAPatientsDataIsOneEntryAndTheChainVerifies() throws Exception {
        PatientRef patient = new PatientRef("pt-audited");
        TriageAssessment a = TriageServiceGrpc.newBlockingStub(channel)
                .withInterceptors(new BearerToken(TestSecurity.token(CLINIC, Role.BACKEND)))
                .assess(TestSupport.example("demo-001").toBuilder().setPatientRef(patient.value()).build());
        RecordServiceGrpc.newBlockingStub(channel).withInterceptors(new BearerToken(TestSecurity.token(CLINIC, Role.CLINICIAN)))
                .getAssessment(GetAssessmentRequest.newBuilder().setRecordId(a.getRecordId()).build());
        assertEquals(200, http("GET", "/v1/record/patients/pt-audited/timeline", Role.CLINICIAN).statusCode());
        assertEquals(403, http("GET", "/v1/record/patients/pt-audited/export", Role.BACKEND).statusCode());
        assertEquals(200, http("GET", "/v1/record/patients/pt-audited/export", Role.ADMIN).statusCode());
        assertEquals(200, http("DELETE", "/v1/record/patients/pt-audited", Role.ADMIN).statusCode());

        List<StoredEntry> all = entries();
        String hash = audit.patientHash(patient);
        assertEquals(List.of(AuditAction.CREATE, AuditAction.READ, AuditAction.QUERY, AuditAction.DENIED,
                AuditAction.EXPORT, AuditAction.ERASE), all.stream().filter(e -> e.objectId().equals(a.getRecordId())
                || e.patientHash().equals(Optional.of(audit.patientHash(patient))) || e.action() == AuditAction.DENIED)
                .sorted(java.util.Comparator.comparingLong(StoredEntry::sequence)).map(StoredEntry::action).toList());
        StoredEntry created = all.stream().filter(e -> e.action() == AuditAction.CREATE).findFirst().orElseThrow();
        assertEquals(a.getRecordId(), created.objectId());
        assertEquals("backend", created.role());
        assertEquals(Optional.of(hash), created.patientHash(), "the patient by its keyed hash");
        StoredEntry denied = all.stream().filter(e -> e.action() == AuditAction.DENIED).findFirst().orElseThrow();
        assertEquals(AuditOutcome.DENIED, denied.outcome());
        StoredEntry erased = all.stream().filter(e -> e.action() == AuditAction.ERASE).findFirst().orElseThrow();
        assertEquals("req-delete-1", erased.requestId(), "the caller's x-request-id");
        assertEquals(Optional.of(hash), erased.patientHash());
        assertTrue(all.stream().noneMatch(e -> e.toString().contains("pt-audited")), "never the reference itself");
        assertInstanceOf(ChainVerification.Intact.class, audit.verify());
    }

    @Test
    void theClinicianReviewApiIsAuditedToo() throws Exception {
        assertEquals(200, http("GET", "/v1/reviews/worklist", Role.CLINICIAN).statusCode());
        assertTrue(entries().stream().anyMatch(e -> e.action() == AuditAction.QUERY && e.objectType().equals("Worklist")
                && e.role().equals("clinician") && e.outcome() == AuditOutcome.SUCCESS), "the worklist query is audited");
        assertInstanceOf(ChainVerification.Intact.class, audit.verify());
    }

    @Test
    void aReadOfAnotherClinicsObjectIsAuditedAsAFailure() {
        RecordServiceGrpc.RecordServiceBlockingStub other = RecordServiceGrpc.newBlockingStub(channel)
                .withInterceptors(new BearerToken(TestSecurity.token(CLINIC, Role.CLINICIAN)));
        String missing = java.util.UUID.randomUUID().toString();
        org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> other.getAssessment(GetAssessmentRequest.newBuilder().setRecordId(missing).build()));
        assertTrue(entries().stream().anyMatch(e -> e.action() == AuditAction.READ && e.objectId().equals(missing)
                && e.outcome() == AuditOutcome.FAILURE));
    }
}
