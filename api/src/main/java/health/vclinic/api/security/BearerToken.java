package health.vclinic.api.security;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.Objects;

/**
 * A gRPC client's side of the gate: sends {@code authorization: Bearer <token>} on every call. Used by the
 * service's own clients ({@code bench}, {@code replay}) and by tests; a clinic backend does the same with
 * its own gRPC library.
 *
 * @param token an access token (from {@code POST /oauth2/token} or {@code ./vclinic admin token})
 */
public record BearerToken(String token) implements ClientInterceptor {

    public BearerToken {
        Objects.requireNonNull(token, "token");
        if (token.isBlank()) {
            throw new IllegalArgumentException("an access token must not be blank");
        }
    }

    /** The header value. */
    public String header() {
        return "Bearer " + token;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                headers.put(GrpcGate.AUTHORIZATION, header());
                super.start(listener, headers);
            }
        };
    }
}
