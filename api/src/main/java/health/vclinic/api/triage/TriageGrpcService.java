package health.vclinic.api.triage;

import health.vclinic.api.server.Errors;
import health.vclinic.api.server.Deadlines;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import health.vclinic.api.security.Caller;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** {@code vclinic.triage.v1.TriageService} over the shared {@link TriageEndpoint}. */
public final class TriageGrpcService extends TriageServiceGrpc.TriageServiceImplBase {

    private final TriageEndpoint endpoint;

    public TriageGrpcService(TriageEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void assess(TriageRequest request, StreamObserver<TriageAssessment> responses) {
        if (Deadlines.expired()) {
            responses.onError(Status.DEADLINE_EXCEEDED.withDescription("deadline expired before assessment")
                    .asRuntimeException());
            return;
        }
        TriageAssessment assessment;
        try {
            assessment = endpoint.assess(Caller.current(), request);
        } catch (RuntimeException e) {
            responses.onError(Errors.grpcStatus(e).asRuntimeException());
            return;
        }
        responses.onNext(assessment);
        responses.onCompleted();
    }
}
