package health.vclinic.api.audit;

import health.vclinic.api.security.Denials;
import health.vclinic.api.security.RequestQuota;
import health.vclinic.api.security.login.LoginEvents;
import health.vclinic.api.server.ClinicId;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Security events into the audit trail (IHE BALP: denials as security alerts, logins and logouts):
 * every refused call ({@link Denials}) and every login event ({@link LoginEvents}) is one entry.
 *
 * <p>A flood of calls without a valid token must not turn into a flood of serialised audit writes (the
 * chain takes a lock per entry): unauthenticated refusals are audited up to {@value #UNAUTHENTICATED_PER_SECOND}
 * a second and the rest counted ({@link #unauditedDenials}). Refusals of authenticated callers are all
 * audited; their clinic's request quota bounds them. An audit write that fails is counted, never thrown
 * into the gate: the call is refused either way.
 */
public final class SecurityAudit {

    private static final System.Logger LOG = System.getLogger(SecurityAudit.class.getName());
    static final int UNAUTHENTICATED_PER_SECOND = 20;
    /** The clinic of an entry whose caller proved no clinic. */
    public static final ClinicId UNAUTHENTICATED = new ClinicId("unauthenticated");

    private final AuditLog log;
    private final RequestQuota sampling = RequestQuota.perSecond(UNAUTHENTICATED_PER_SECOND);
    private final AtomicLong unaudited = new AtomicLong();

    public SecurityAudit(AuditLog log) {
        this.log = log;
    }

    /** Refusals not audited (sampled away or the database failed). */
    public long unauditedDenials() {
        return unaudited.get();
    }

    /** The gate's listener. */
    public Denials denials() {
        return (caller, target, outcome) -> {
            String requestId = UUID.randomUUID().toString();
            String object = target.length() > 256 ? target.substring(0, 256) : target;
            AuditEntry entry = caller.map(c -> AuditEntry.of(c, AuditAction.DENIED, "Route", object, Optional.empty(),
                    AuditOutcome.DENIED, requestId)).orElse(null);
            if (entry == null) {
                if (!sampling.admit(UNAUTHENTICATED)) {
                    unaudited.incrementAndGet();
                    return;
                }
                entry = new AuditEntry("anonymous", "anonymous", UNAUTHENTICATED, AuditAction.DENIED, "Route", object,
                        Optional.empty(), AuditOutcome.DENIED, requestId, Optional.empty());
            }
            append(entry);
        };
    }

    /** The clinician login's listener. */
    public LoginEvents loginEvents() {
        return event -> {
            ClinicId clinic;
            try {
                clinic = new ClinicId(event.clinic());
            } catch (IllegalArgumentException e) {
                clinic = UNAUTHENTICATED;
            }
            AuditAction action = switch (event.outcome()) {
                case LOGGED_IN -> AuditAction.LOGIN;
                case FAILED, LOCKED_OUT -> AuditAction.LOGIN_FAILED;
                case LOGGED_OUT, TIMED_OUT -> AuditAction.LOGOUT;
            };
            AuditOutcome outcome = switch (event.outcome()) {
                case LOGGED_IN, LOGGED_OUT, TIMED_OUT -> AuditOutcome.SUCCESS;
                case FAILED -> AuditOutcome.FAILURE;
                case LOCKED_OUT -> AuditOutcome.DENIED;
            };
            String login = event.login().isBlank() || event.login().length() > 256 ? "(none)" : event.login();
            String why = event.outcome().name() + event.failure().map(f -> ":" + f.name()).orElse("");
            append(new AuditEntry(login.chars().anyMatch(Character::isISOControl) ? "(invalid)" : login, "clinician",
                    clinic, action, "Session", event.session().orElse(why), Optional.empty(), outcome,
                    UUID.randomUUID().toString(), Optional.empty()));
        };
    }

    private void append(AuditEntry entry) {
        try {
            log.append(entry);
        } catch (RuntimeException e) {
            unaudited.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "audit trail unwritable for a security event: " + e.getClass().getName());
        }
    }
}
