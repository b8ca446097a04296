package health.vclinic.api.imaging;

import health.vclinic.api.server.Deadlines;
import health.vclinic.api.server.Errors;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.imaging.v1.ImagingServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * {@code vclinic.imaging.v1.ImagingService} over the shared {@link ImagingEndpoint}. The call blocks
 * its (virtual) thread while the request waits for its batch; the client's deadline travels with it,
 * so a request whose deadline passes in the queue is answered DEADLINE_EXCEEDED without running.
 */
public final class ImagingGrpcService extends ImagingServiceGrpc.ImagingServiceImplBase {

    private final ImagingEndpoint endpoint;

    public ImagingGrpcService(ImagingEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public void analyze(AnalyzeRequest request, StreamObserver<ImageAnalysis> responses) {
        if (Deadlines.expired()) {
            responses.onError(Status.DEADLINE_EXCEEDED.withDescription("deadline expired before analysis")
                    .asRuntimeException());
            return;
        }
        ImageAnalysis analysis;
        try {
            analysis = endpoint.analyze(request, Deadlines.remaining());
        } catch (RuntimeException e) {
            responses.onError(Errors.grpcStatus(e).asRuntimeException());
            return;
        }
        responses.onNext(analysis);
        responses.onCompleted();
    }
}
