package health.vclinic.api.security;

import health.vclinic.api.server.HttpErrors;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Authentication and authorisation of every gRPC call, before any of its messages is read: the bearer
 * token is verified ({@link AccessTokens}), the method checked against the {@link Policy}, and the
 * {@link Caller} put in the call's context; a token limited to SMART scopes must hold one of the method's. Refused calls end UNAUTHENTICATED (with a
 * {@code www-authenticate} trailer) or PERMISSION_DENIED.
 */
public final class GrpcGate implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of(RequestId.HEADER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> WWW_AUTHENTICATE =
            Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER);

    private final AccessTokens tokens;
    private final Policy policy;
    private final Denials denials;
    private final RequestQuota quota;

    public GrpcGate(AccessTokens tokens, Policy policy, Denials denials, RequestQuota quota) {
        this.tokens = tokens;
        this.policy = policy;
        this.denials = denials;
        this.quota = quota;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Policy.Access access = policy.grpc(method);
        if (access instanceof Policy.Access.Open) {
            return next.startCall(call, headers);
        }
        Caller caller;
        try {
            caller = tokens.verify(Bearer.token(headers.get(AUTHORIZATION)));
        } catch (AuthenticationException e) {
            denials.denied(Optional.empty(), method, Denials.Outcome.UNAUTHENTICATED);
            Metadata trailers = new Metadata();
            trailers.put(WWW_AUTHENTICATE, HttpErrors.wwwAuthenticate(e.getMessage()));
            return refuse(call, Status.UNAUTHENTICATED.withDescription(e.getMessage()), trailers);
        }
        Policy.Access.Roles roles = (Policy.Access.Roles) access;
        if (!roles.admits(caller.role())) {
            denials.denied(Optional.of(caller), method, Denials.Outcome.FORBIDDEN);
            return refuse(call, Status.PERMISSION_DENIED.withDescription("role " + caller.role().wireName()
                    + " may not call " + method), new Metadata());
        }
        if (!roles.covers(caller.scopes())) {
            denials.denied(Optional.of(caller), method, Denials.Outcome.FORBIDDEN);
            return refuse(call, Status.PERMISSION_DENIED.withDescription(HttpGate.insufficientScope(method, roles)),
                    new Metadata());
        }
        if (!quota.admit(caller.clinic())) {
            return refuse(call, Status.RESOURCE_EXHAUSTED.withDescription(quota.refusal()), new Metadata());
        }
        RequestId id = RequestId.from(java.util.Optional.ofNullable(headers.get(REQUEST_ID)));
        return Contexts.interceptCall(Context.current().withValue(Caller.KEY, caller).withValue(RequestId.KEY, id),
                call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, Metadata trailers) {
        call.close(status, trailers);
        return new ServerCall.Listener<>() {
        };
    }
}
