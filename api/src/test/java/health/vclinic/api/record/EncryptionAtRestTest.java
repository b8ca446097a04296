package health.vclinic.api.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestKeys;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.imaging.ImagingEndpoint;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.ImagingServiceGrpc;
import health.vclinic.api.keys.EncryptionException;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.record.v1.GetAssessmentRequest;
import health.vclinic.api.record.v1.RecordServiceGrpc;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.TimelineRequest;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.inference.imaging.DynamicBatcher;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest, the done-when: after assessments with a distinctive complaint word, a
 * patient reference, an alert and an image went through a real server into the embedded PostgreSQL and a
 * CHECKPOINT, no file under the database's data directory (tables, indexes, WAL) nor the local spool holds
 * the word, the reference or the image's bytes; a plaintext control written the same way is found, so the
 * scan can fail. A sealed value moved into another clinic's row does not open.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EncryptionAtRestTest {

    private static final String COMPLAINT_WORD = "zygomaticus-xq17";
    private static final String PATIENT = "pt-zq-5521-ref";
    private static final String CONTROL_WORD = "plaintext-control-kq93";

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static ManagedChannel channel;
    private static byte[] image;
    private static TriageRequest sent;
    private static TriageAssessment answer;

    @BeforeAll
    static void start() throws Exception {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        ImagingEndpoint imaging = ImagingEndpoint.open(TestSupport.projectRoot().resolve("models/repository"),
                new DynamicBatcher.Config(4, Duration.ofMillis(2), 64), new ImageLimits(256 << 10, 2048L * 2048, 28));
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.of(imaging),
                Optional.empty(), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                .intercept(TestSecurity.backend()).build();

        TriageRequest example = TriageEndpoint.parseJson(TestSupport.exampleLines().getFirst());
        sent = example.toBuilder().setPatientRef(PATIENT).setInterview(example.getInterview().toBuilder()
                .setChiefComplaint("sudden " + COMPLAINT_WORD + " spasm with chest pain")).build();
        for (int i = 0; i < 3; i++) {
            answer = TriageServiceGrpc.newBlockingStub(channel).assess(sent);
            assertTrue(answer.getRecorded());
        }
        image = Files.readAllBytes(TestSupport.projectRoot().resolve("examples/chest-xray-pneumonia.png"));
        ImagingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .analyze(AnalyzeRequest.newBuilder().setStudyId("s-at-rest").setPatientRef(PATIENT)
                        .setImage(com.google.protobuf.ByteString.copyFrom(image)).build());
        record.store().insertAlertEvents(List.of(new RecordStore.AlertRow(UUID.randomUUID(), ClinicId.DEFAULT,
                new PatientRef(PATIENT), Instant.now(), Alert.newBuilder().setAlertId("a-at-rest")
                .setState(AlertState.RAISED).build())));

        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            // The control: the same kind of bytes, kept in clear, must be found by the same scan.
            s.execute("CREATE TABLE scan_control (b bytea)");
            try (PreparedStatement p = c.prepareStatement("INSERT INTO scan_control VALUES (?)")) {
                p.setBytes(1, sent.toBuilder().setPatientRef("pt-control").setInterview(sent.getInterview().toBuilder()
                        .setChiefComplaint(CONTROL_WORD)).build().toByteArray());
                p.executeUpdate();
            }
            s.execute("CHECKPOINT");
        }
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

    @Test
    void whatWasRecordedReadsBackInClear() {
        RecordedAssessment back = RecordServiceGrpc.newBlockingStub(channel).getAssessment(GetAssessmentRequest
                .newBuilder().setRecordId(answer.getRecordId()).build());
        assertEquals(sent, back.getRequest());
        assertEquals(PATIENT, back.getPatientRef());
        assertEquals(5, RecordServiceGrpc.newBlockingStub(channel).getTimeline(TimelineRequest.newBuilder()
                .setPatientRef(PATIENT).build()).getEntriesCount());
        assertEquals(PATIENT, record.store().openAlerts(ClinicId.DEFAULT).getFirst().getPatientRef());
    }

    @Test
    void noDataFileHoldsTheComplaintThePatientRefOrTheImage() throws IOException {
        Path pgData = dataDir.resolve("postgres");
        assertFalse(filesHolding(pgData, CONTROL_WORD.getBytes(StandardCharsets.UTF_8)).isEmpty(),
                "the scan finds a value kept in clear (else it proves nothing)");
        assertEquals(List.of(), filesHolding(pgData, COMPLAINT_WORD.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), filesHolding(pgData, PATIENT.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), filesHolding(pgData, Arrays.copyOfRange(image, image.length / 2, image.length / 2 + 64)));
    }

    @Test
    void theJournalHoldsNoPlaintextAndReadsBack() throws Exception {
        Path dir = dataDir.resolve("scan-journal");
        RecordStore store = new RecordStore(Database.embedded(dataDir, OptionalInt.empty()).dataSource(), record.cipher());
        JournalCodec codec = new JournalCodec(record.cipher(), store::seal);
        Journal journal = new Journal(dir, Optional.empty(), 1 << 20, codec);
        RecordStore.AssessmentRow row = new RecordStore.AssessmentRow(UUID.randomUUID(), ClinicId.DEFAULT,
                Optional.of(new PatientRef(PATIENT)), Instant.now(), 10, sent, answer, Optional.empty());
        assertTrue(journal.append(store.seal(row), e -> { }).isPresent());
        journal.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".journal")).toList()) {
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(f)), "a journal segment is its owner's only");
            }
        }
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(List.of(), filesHolding(dir, COMPLAINT_WORD.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), filesHolding(dir, PATIENT.getBytes(StandardCharsets.UTF_8)));
        Files.write(dir.resolve("control"), sent.toByteArray());
        assertEquals(List.of(dir.resolve("control")), filesHolding(dir, COMPLAINT_WORD.getBytes(StandardCharsets.UTF_8)));
        Files.delete(dir.resolve("control"));
        Journal reopened = new Journal(dir, Optional.empty(), 1 << 20, codec);
        RecordStore.SealedAssessment back = reopened.recovered().getFirst().row();
        reopened.close();
        assertEquals(sent, TriageRequest.parseFrom(record.cipher().open(ClinicId.DEFAULT, back.request(),
                RecordStore.REQUEST_CONTEXT)));
        assertEquals(Optional.of(new PatientRef(PATIENT)), back.patient());
    }

    @Test
    void aSealedRowMovedToAnotherClinicDoesNotOpen() throws Exception {
        ClinicId other = new ClinicId("other-clinic");
        record.cipher().keyedHash(other, "creates-its-key");
        UUID moved = UUID.randomUUID();
        try (Connection c = record.database().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO triage_assessment (record_id, clinic_id, patient_ref,"
                     + " assessed_at, latency_micros, level, decided_by, model_versions, request, result, sealed,"
                     + " patient_ref_sealed) SELECT ?, 'other-clinic', patient_ref, assessed_at, latency_micros, level,"
                     + " decided_by, model_versions, request, result, sealed, patient_ref_sealed FROM triage_assessment"
                     + " WHERE record_id = ?")) {
            s.setObject(1, moved);
            s.setObject(2, UUID.fromString(answer.getRecordId()));
            assertEquals(1, s.executeUpdate());
        }
        EncryptionException e = assertThrows(EncryptionException.class, () -> record.store().assessment(other, moved));
        assertEquals(EncryptionException.Reason.REFUSED, e.reason());
        assertFalse(e.getMessage().contains(COMPLAINT_WORD));
    }

    /** The files under {@code root} whose bytes contain {@code needle}. */
    private static List<Path> filesHolding(Path root, byte[] needle) throws IOException {
        List<Path> out = new ArrayList<>();
        String n = new String(needle, StandardCharsets.ISO_8859_1);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(f);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // a temporary file the server removed meanwhile
                }
                if (new String(bytes, StandardCharsets.ISO_8859_1).contains(n)) {
                    out.add(f);
                }
            }
        }
        return out;
    }
}
