package health.vclinic.api.record;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.http.HttpTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.record.v1.GetAssessmentRequest;
import health.vclinic.api.record.v1.RecordServiceGrpc;
import health.vclinic.api.record.v1.TimelineRequest;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --database-url} path against a PostgreSQL server that is not embedded: Debian's, which
 * {@code .ci/run} starts and names in {@code VCLINIC_TEST_DATABASE_URL} (user {@code postgres}, trust).
 * Skipped, saying so, when the variable is absent (a local run); CI sets {@code VCLINIC_REQUIRE_EXTERNAL_DB}
 * so that a missing server fails instead of skipping.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ExternalPostgresTest {

    @TempDir
    Path dir;

    @Test
    void assessmentsRoundTripThroughAnExternalPostgres() throws Exception {
        String url = System.getenv("VCLINIC_TEST_DATABASE_URL");
        if (url == null || url.isBlank()) {
            if (System.getenv("VCLINIC_REQUIRE_EXTERNAL_DB") != null) {
                throw new AssertionError("VCLINIC_REQUIRE_EXTERNAL_DB is set but VCLINIC_TEST_DATABASE_URL is not");
            }
            Assumptions.abort("VCLINIC_TEST_DATABASE_URL is not set: the external PostgreSQL path is not tested in"
                    + " this run (.ci/run starts Debian's PostgreSQL and sets it)");
        }
        String patient = "pt-ext-" + UUID.randomUUID();
        try (ClinicalRecord record = ClinicalRecord.open(Database.external(url, "postgres", ""), health.vclinic.api.TestKeys.master(dir),
                dir, ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty())) {
            VclinicServer server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.empty(),
                    Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
            try {
                TriageRequest sent = TriageEndpoint.parseJson(TestSupport.exampleLines().getFirst()).toBuilder()
                        .setPatientRef(patient).build();
                TriageAssessment answer = TriageServiceGrpc.newBlockingStub(channel).assess(sent);
                assertTrue(answer.getRecorded());
                RecordServiceGrpc.RecordServiceBlockingStub records = RecordServiceGrpc.newBlockingStub(channel);
                assertEquals(sent, records.getAssessment(GetAssessmentRequest.newBuilder()
                        .setRecordId(answer.getRecordId()).build()).getRequest());
                assertEquals(1, records.getTimeline(TimelineRequest.newBuilder().setPatientRef(patient).build())
                        .getEntriesCount());
                assertEquals(1, record.erase(ClinicId.DEFAULT, new PatientRef(patient)));
                assertEquals(0, record.store().rowsAbout(ClinicId.DEFAULT, new PatientRef(patient)));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                // The server closes the record too; closing it twice is harmless.
                server.close();
            }
        }
    }
}
