package health.vclinic.api.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The server neither compresses nor decompresses messages (see {@code VclinicServer}). A client that
 * sends a compressed request is answered at once, as the gRPC compression spec asks, with UNIMPLEMENTED
 * and {@code grpc-accept-encoding: identity}. (A message flagged compressed without a
 * {@code grpc-encoding} header is the wire guard's to refuse: {@code health.vclinic.api.grpcwire}.)
 */
public final class IdentityEncoding implements ServerInterceptor {

    static final Metadata.Key<String> GRPC_ENCODING = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> GRPC_ACCEPT_ENCODING =
            Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String encoding = headers.get(GRPC_ENCODING);
        if (encoding == null || encoding.equals("identity")) {
            return next.startCall(call, headers);
        }
        Metadata trailers = new Metadata();
        trailers.put(GRPC_ACCEPT_ENCODING, "identity");
        call.close(Status.UNIMPLEMENTED.withDescription("compressed requests are not accepted; send identity"
                + " (messages are about 1 KB, and compression costs more than it saves)"), trailers);
        return new ServerCall.Listener<>() {
        };
    }
}
