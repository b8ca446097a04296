package health.vclinic.api.record;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.StreamLimits;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.MonitoringServiceGrpc;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.api.record.v1.RecordServiceGrpc;
import health.vclinic.api.record.v1.VitalSummary;
import health.vclinic.api.record.v1.VitalsPage;
import health.vclinic.api.record.v1.VitalsRequest;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trend windows: samples streamed to a real server's monitoring, summarised per minute into the real
 * PostgreSQL, read back over HTTP and gRPC, exported as FHIR Observations and erased with the patient.
 * The writer is flushed explicitly, never waited for.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VitalsTrendTest {

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static ManagedChannel channel;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Instant T = Instant.parse("2024-05-01T10:00:00Z");

    @BeforeAll
    static void start() {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        MonitoringEndpoint monitoring = MonitoringEndpoint.create(MonitoringConfig.defaults(), MonitoringModels.none(),
                StreamLimits.defaults());
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(), Optional.of(monitoring),
                Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().intercept(TestSecurity.backend()).build();
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

    private static VitalSample.Builder sample(String patient, int secondsAfterT) {
        return VitalSample.newBuilder().setPatientRef(patient).setDeviceId("d1")
                .setTimestamp(Timestamp.newBuilder().setSeconds(T.getEpochSecond() + secondsAfterT));
    }

    /** One Monitor stream: sends the samples, half-closes, waits for the server's end of the stream. */
    private static void stream(VitalSample... samples) throws Exception {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        StreamObserver<VitalSample> out = MonitoringServiceGrpc.newStub(channel).monitor(new StreamObserver<>() {
            @Override
            public void onNext(Alert alert) {
            }

            @Override
            public void onError(Throwable t) {
                ended.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                ended.complete(null);
            }
        });
        for (VitalSample s : samples) {
            out.onNext(s);
        }
        out.onCompleted();
        ended.get(30, TimeUnit.SECONDS);
    }

    private static VitalsPage overHttp(String patient, String query) throws Exception {
        HttpResponse<String> r = get("/v1/record/patients/" + patient + "/vitals" + query);
        assertEquals(200, r.statusCode(), r.body());
        VitalsPage.Builder b = VitalsPage.newBuilder();
        JsonFormat.parser().merge(r.body(), b);
        return b.build();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).header("authorization", TestSecurity.backendHeader()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static VitalSummary summary(int count, double mean, double min, double max) {
        return VitalSummary.newBuilder().setCount(count).setMean(mean).setMin(min).setMax(max).build();
    }

    @Test
    void acceptedSamplesAreSummarisedPerMinuteAndReadBackOverHttpAndGrpc() throws Exception {
        stream(sample("pt-vitals", 5).setHeartRate(80).setSpo2(97).setRespiratoryRate(16).setSystolicBp(120)
                        .setDiastolicBp(80).setTemperatureC(37.0).build(),
                sample("pt-vitals", 25).setHeartRate(90).setSpo2(95).build(),
                sample("pt-vitals", 45).setHeartRate(100).build(),
                sample("pt-vitals", 70).setHeartRate(110).setTemperatureC(38.0).build());
        record.flushVitals();
        // A later stream adds to the same minute (a second partial row), and a poor-signal sample is not kept.
        stream(sample("pt-vitals", 100).setHeartRate(70).build(),
                sample("pt-vitals", 130).setHeartRate(200).setSignalQuality(0.1).build());
        record.flushVitals();
        assertEquals(3, rows("pt-vitals"), "two rows for the second minute, merged on reading");

        VitalsPage page = overHttp("pt-vitals", "?since=2024-05-01T10:00:00Z");
        assertEquals(2, page.getWindowsCount());
        assertFalse(page.hasNextSince());
        VitalsWindow first = page.getWindows(0);
        assertEquals(T.getEpochSecond(), first.getWindowStart().getSeconds());
        assertEquals(3, first.getSamples());
        assertEquals(summary(3, 90, 80, 100), first.getHeartRate());
        assertEquals(summary(2, 96, 95, 97), first.getSpo2());
        assertEquals(summary(1, 16, 16, 16), first.getRespiratoryRate());
        assertEquals(summary(1, 120, 120, 120), first.getSystolicBp());
        assertEquals(summary(1, 80, 80, 80), first.getDiastolicBp());
        assertEquals(summary(1, 37.0, 37.0, 37.0), first.getTemperatureC());
        VitalsWindow second = page.getWindows(1);
        assertEquals(T.getEpochSecond() + 60, second.getWindowStart().getSeconds());
        assertEquals(2, second.getSamples());
        assertEquals(summary(2, 90, 70, 110), second.getHeartRate());
        assertEquals(summary(1, 38.0, 38.0, 38.0), second.getTemperatureC());
        assertFalse(second.hasSpo2(), "not measured in that minute");

        VitalsPage grpc = RecordServiceGrpc.newBlockingStub(channel).getVitals(VitalsRequest.newBuilder()
                .setPatientRef("pt-vitals").setSince(Timestamp.newBuilder().setSeconds(T.getEpochSecond())).build());
        assertEquals(page, grpc);
        // From the second minute on; and by default only the last hours, which hold nothing of 2024.
        assertEquals(List.of(second), overHttp("pt-vitals", "?since=2024-05-01T12:01:00%2B02:00").getWindowsList());
        assertEquals(0, overHttp("pt-vitals", "").getWindowsCount());
        assertTrue(record.prometheus().contains("vclinic_record_vital_samples_total{outcome=\"lost\"} 0"));
    }

    @Test
    void aBadSinceOrPatientRefIsAClientErrorNamingTheField() throws Exception {
        HttpResponse<String> bad = get("/v1/record/patients/pt-vitals/vitals?since=yesterday");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("\"field\":\"since\""), bad.body());
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> RecordServiceGrpc.newBlockingStub(channel).getVitals(VitalsRequest.newBuilder()
                        .setPatientRef("has space").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("patient_ref"));
    }

    @Test
    void theTrendIsExportedAsVitalSignObservationsAndErasedWithThePatient() throws Exception {
        // Unremarkable values: no alert events, so the rows erased are the trend's alone.
        stream(sample("pt-vitals-erase", 0).setHeartRate(70).setSpo2(98).build(),
                sample("pt-vitals-erase", 30).setHeartRate(80).build());
        record.flushVitals();

        Bundle export = (Bundle) FhirContext.forR4Cached().newJsonParser().parseResource(
                record.export(ClinicId.DEFAULT, new PatientRef("pt-vitals-erase")));
        List<Observation> observations = export.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Observation.class::isInstance).map(Observation.class::cast).toList();
        assertEquals(2, observations.size());
        Observation hr = observations.stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals("8867-4"))
                .findFirst().orElseThrow();
        assertEquals(75.0, hr.getValueQuantity().getValue().doubleValue());
        assertEquals("/min", hr.getValueQuantity().getCode());
        assertEquals(T, hr.getEffectivePeriod().getStart().toInstant());

        // A sample still queued when the erasure comes is written first, then erased with the rest.
        stream(sample("pt-vitals-erase", 90).setHeartRate(75).build());
        assertEquals(2, record.erase(ClinicId.DEFAULT, new PatientRef("pt-vitals-erase")));
        assertEquals(0, record.store().rowsAbout(ClinicId.DEFAULT, new PatientRef("pt-vitals-erase")));
        assertEquals(0, rows("pt-vitals-erase"));
        assertEquals(0, overHttp("pt-vitals-erase", "?since=2024-05-01T00:00:00Z").getWindowsCount());
    }

    private static long rows(String patient) throws Exception {
        try (Connection c = record.database().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM vital_window WHERE patient_ref = ?")) {
            s.setString(1, record.cipher().keyedHash(ClinicId.DEFAULT, patient));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
