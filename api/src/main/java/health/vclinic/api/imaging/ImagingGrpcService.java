package health.vclinic.api.imaging;

import health.vclinic.api.server.Deadlines;
import health.vclinic.api.server.Errors;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.imaging.v1.ImagingServiceGrpc;
import health.vclinic.inference.imaging.Cancellation;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * {@code vclinic.imaging.v1.ImagingService} over the shared {@link ImagingEndpoint}. The call blocks
 * its (virtual) thread while the request waits for a decoder and its batch. The client's deadline and
 * its cancellation travel with it as one {@link Cancellation}: a client that cancels (RST_STREAM, e.g.
 * an aborted saliency call) cancels the handle, and its work is dropped before it reaches the model; a
 * request whose deadline passes while it waits is answered DEADLINE_EXCEEDED without running.
 *
 * <p>Helidon 4.5 reports a cancelled stream to the call, but not a connection that is closed (nor one
 * it closes itself, e.g. after more than 50 resets in 10 s, its rapid-reset guard): that work is
 * bounded by its deadline instead.
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
        Cancellation cancellation = Cancellation.withDeadline(Deadlines.remaining());
        if (responses instanceof ServerCallStreamObserver<ImageAnalysis> call) {
            // Runs on the transport's thread when the client resets the stream, while this one waits.
            call.setOnCancelHandler(cancellation::cancel);
        }
        ImageAnalysis analysis;
        try {
            analysis = endpoint.analyze(health.vclinic.api.security.Caller.current().clinic(), request, cancellation);
        } catch (RuntimeException e) {
            responses.onError(Errors.grpcStatus(e).asRuntimeException());
            return;
        }
        responses.onNext(analysis);
        responses.onCompleted();
    }
}
