package health.vclinic.api.audit;

import health.vclinic.api.security.BreakGlass;
import health.vclinic.api.security.Caller;
import health.vclinic.api.security.RequestId;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Binds {@link Access#CURRENT} for every authenticated call: an HTTP filter (after the gate) and a gRPC
 * interceptor (inside the gate) that run the request's handlers within the binding; on HTTP with the
 * request's {@link BreakGlass} reason, when the gate let it through as emergency access.
 */
public final class AccessScope {

    private AccessScope() {
    }

    /** The HTTP filter: requests the gate authenticated run with their access bound. */
    public static Filter http() {
        return (FilterChain chain, RoutingRequest req, RoutingResponse res) -> {
            java.util.Optional<Caller> caller = req.context().get(Caller.class, Caller.class);
            if (caller.isEmpty()) {
                chain.proceed();
                return;
            }
            ScopedValue.where(Access.CURRENT, new Access(caller.get(), RequestId.of(req).value(),
                    req.context().get(BreakGlass.class, BreakGlass.class))).run(chain::proceed);
        };
    }

    /** The gRPC interceptor: every callback of an authenticated call runs with its access bound. */
    public static ServerInterceptor grpc() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                Caller caller = Caller.KEY.get();
                if (caller == null) {
                    return next.startCall(call, headers);
                }
                Access access = new Access(caller, RequestId.current().value());
                ServerCall.Listener<Q> listener = ScopedValue.where(Access.CURRENT, access)
                        .call(() -> next.startCall(call, headers));
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                    @Override
                    public void onMessage(Q message) {
                        ScopedValue.where(Access.CURRENT, access).run(() -> super.onMessage(message));
                    }

                    @Override
                    public void onHalfClose() {
                        ScopedValue.where(Access.CURRENT, access).run(super::onHalfClose);
                    }

                    @Override
                    public void onReady() {
                        ScopedValue.where(Access.CURRENT, access).run(super::onReady);
                    }
                };
            }
        };
    }
}
