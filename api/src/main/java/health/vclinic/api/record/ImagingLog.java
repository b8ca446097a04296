package health.vclinic.api.record;

import health.vclinic.api.imaging.ImagingRecorder;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.record.RecordStore.ImagingRow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps image analyses, one insert each, before the answer: an analysis takes tens of milliseconds of
 * model time, so a commit is small beside it. With the database down the analysis is still answered and
 * counted as lost in /metrics (images are too large for the local spool).
 */
final class ImagingLog implements ImagingRecorder {

    private final RecordStore store;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    ImagingLog(RecordStore store) {
        this.store = store;
    }

    @Override
    public void record(ClinicId clinic, AnalyzeRequest request, ImageAnalysis analysis) {
        Optional<PatientRef> patient = request.getPatientRef().isEmpty() ? Optional.empty()
                : Optional.of(new PatientRef(request.getPatientRef()));
        try {
            store.insertImaging(new ImagingRow(UUID.randomUUID(), clinic, patient, Instant.now(),
                    analysis.getModelVersion(), analysis.getLabel(), request.getImage().toByteArray(), analysis));
            committed.incrementAndGet();
        } catch (SQLException e) {
            lost.incrementAndGet();
        }
    }

    String prometheus() {
        return "# HELP vclinic_record_image_analyses_total Image analyses kept, or lost (database down).\n"
                + "# TYPE vclinic_record_image_analyses_total counter\n"
                + "vclinic_record_image_analyses_total{outcome=\"committed\"} " + committed.get() + "\n"
                + "vclinic_record_image_analyses_total{outcome=\"lost\"} " + lost.get() + "\n";
    }
}
