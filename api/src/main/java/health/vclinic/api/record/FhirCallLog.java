package health.vclinic.api.record;

import health.vclinic.api.fhir.FhirCall;
import health.vclinic.api.record.RecordStore.FhirCallRow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps FHIR {@code $triage} and CDS Hooks calls, one transaction each, before the answer (an answer that
 * names a RiskAssessment id can always be read back): the call as received and answered, and the triage
 * assessment it stands for under the same id, so that the worklist, a CDS card's feedback and the reviews
 * export treat it like an assessment made over gRPC. With the database down the call is still answered,
 * without an id, and counted as lost in /metrics.
 */
final class FhirCallLog {

    private final RecordStore store;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    FhirCallLog(RecordStore store) {
        this.store = store;
    }

    /** Keeps one call of {@code clinic}; false when the database could not take it. */
    boolean record(ClinicId clinic, FhirCall call) {
        try {
            store.insertFhirCall(new FhirCallRow(clinic, call, call.assessment().map(a -> {
                TriageEndpoint.Recorded r = TriageEndpoint.recorded(a.encounter(), call.patient(), a.result());
                return new RecordStore.AssessmentRow(call.recordId(), clinic, call.patient(), call.calledAt(),
                        a.latency().toNanos() / 1_000, r.request(), r.assessment(), Optional.empty());
            })));
            committed.incrementAndGet();
            return true;
        } catch (SQLException e) {
            lost.incrementAndGet();
            return false;
        }
    }

    String prometheus() {
        return "# HELP vclinic_record_fhir_calls_total FHIR $triage and CDS Hooks calls kept, or lost (database down).\n"
                + "# TYPE vclinic_record_fhir_calls_total counter\n"
                + "vclinic_record_fhir_calls_total{outcome=\"committed\"} " + committed.get() + "\n"
                + "vclinic_record_fhir_calls_total{outcome=\"lost\"} " + lost.get() + "\n";
    }
}
