package health.vclinic.api.server;

import io.grpc.Status;

/**
 * gRPC's rendering of an {@link ApiError}: its code, and the message as the status description.
 */
public final class GrpcErrors {

    private GrpcErrors() {
    }

    public static Status status(ApiError error) {
        return Status.fromCode(error.kind().grpc()).withDescription(error.message());
    }
}
