package health.vclinic.api.record;

import health.vclinic.api.record.v1.GetAssessmentRequest;
import health.vclinic.api.record.v1.OpenAlertsPage;
import health.vclinic.api.record.v1.OpenAlertsRequest;
import health.vclinic.api.record.v1.RecordServiceGrpc;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.TimelinePage;
import health.vclinic.api.record.v1.TimelineRequest;
import health.vclinic.api.server.Errors;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.security.Caller;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** {@code vclinic.record.v1.RecordService} over {@link RecordReader}. */
final class RecordGrpcService extends RecordServiceGrpc.RecordServiceImplBase {

    private final RecordReader reader;

    RecordGrpcService(RecordReader reader) {
        this.reader = reader;
    }

    /** The caller's clinic: every read is confined to it. */
    private static ClinicId clinic() {
        return Caller.current().clinic();
    }

    @Override
    public void getAssessment(GetAssessmentRequest request, StreamObserver<RecordedAssessment> responses) {
        answer(responses, () -> reader.assessment(clinic(), request.getRecordId()));
    }

    @Override
    public void getTimeline(TimelineRequest request, StreamObserver<TimelinePage> responses) {
        answer(responses, () -> reader.timeline(clinic(), request.getPatientRef(), request.getPageSize(),
                request.getPageToken()));
    }

    @Override
    public void listOpenAlerts(OpenAlertsRequest request, StreamObserver<OpenAlertsPage> responses) {
        answer(responses, () -> reader.openAlerts(clinic()));
    }

    private static <T> void answer(StreamObserver<T> responses, Supplier<T> call) {
        T out;
        try {
            out = call.get();
        } catch (RuntimeException e) {
            responses.onError(Errors.grpcStatus(e).asRuntimeException());
            return;
        }
        responses.onNext(out);
        responses.onCompleted();
    }
}
