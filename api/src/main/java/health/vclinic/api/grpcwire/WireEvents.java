package health.vclinic.api.grpcwire;

import io.grpc.Status;

/**
 * What the wire answered on its own, with no call for the method interceptors to see (an unknown method,
 * an unsupported content type): the server counts these in {@code /metrics}, since a client's mistake is
 * counted, never logged.
 */
@FunctionalInterface
public interface WireEvents {

    /** A gRPC request answered with {@code code} before any service saw it, {@code nanos} after it arrived. */
    void answered(Status.Code code, long nanos);
}
