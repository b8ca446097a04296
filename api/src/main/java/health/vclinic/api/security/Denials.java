package health.vclinic.api.security;

import java.util.Optional;

/**
 * Told of every refused call, so that the audit trail records denials as security events (IHE BALP).
 * Called on the request's thread; must not block for long.
 */
@FunctionalInterface
public interface Denials {

    /** Nobody listening. */
    Denials NONE = (caller, target, outcome) -> { };

    /** Why a call was refused. */
    enum Outcome {
        /** No valid token (UNAUTHENTICATED / 401). */
        UNAUTHENTICATED,
        /** A valid token whose role may not call the target (PERMISSION_DENIED / 403). */
        FORBIDDEN
    }

    /**
     * @param caller the verified caller, absent when the token did not verify
     * @param target the gRPC method or "METHOD path" pattern refused (never a path with a patient reference)
     */
    void denied(Optional<Caller> caller, String target, Outcome outcome);

    /** Prometheus text about the refusals this listener saw (none by default), for {@code /metrics}. */
    default String prometheus() {
        return "";
    }
}
