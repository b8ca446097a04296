package health.vclinic.api.audit;

import health.vclinic.api.security.Caller;
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
 * into the gate: the call is refused either way. Both counts are in {@code /metrics} as
 * {@value #METRIC}{@code {reason="sampled"|"write_failed"}}, so an operator sees what the trail lacks.
 */
public final class SecurityAudit {

    private static final System.Logger LOG = System.getLogger(SecurityAudit.class.getName());
    static final int UNAUTHENTICATED_PER_SECOND = 20;
    /** The clinic of an entry whose caller proved no clinic. */
    public static final ClinicId UNAUTHENTICATED = new ClinicId("unauthenticated");

    private final AuditLog log;
    private final RequestQuota sampling;
    /** The Prometheus counter of security events not in the trail. */
    public static final String METRIC = "vclinic_audit_security_events_unaudited_total";
    private final AtomicLong sampledAway = new AtomicLong();
    private final AtomicLong writeFailed = new AtomicLong();

    public SecurityAudit(AuditLog log) {
        this(log, System::nanoTime);
    }

    /** Sampling unauthenticated refusals on {@code nanoClock} (tests hold it still). */
    SecurityAudit(AuditLog log, java.util.function.LongSupplier nanoClock) {
        this.log = log;
        this.sampling = new RequestQuota(UNAUTHENTICATED_PER_SECOND, 2 * UNAUTHENTICATED_PER_SECOND, nanoClock);
    }

    /** Security events not audited (refusals sampled away, or events whose write failed). */
    public long unauditedDenials() {
        return sampledAway.get() + writeFailed.get();
    }

    /** The counts of {@link #unauditedDenials}, as Prometheus text. */
    public String prometheus() {
        return "# HELP " + METRIC + " Security events not in the audit trail: unauthenticated refusals beyond "
                + UNAUTHENTICATED_PER_SECOND + " a second (sampled), or events whose audit write failed.\n"
                + "# TYPE " + METRIC + " counter\n"
                + METRIC + "{reason=\"sampled\"} " + sampledAway.get() + "\n"
                + METRIC + "{reason=\"write_failed\"} " + writeFailed.get() + "\n";
    }

    /** The gate's listener (its {@link Denials#prometheus} is {@link #prometheus}). */
    public Denials denials() {
        return new Denials() {
            @Override
            public void denied(Optional<Caller> caller, String target, Outcome outcome) {
                deny(caller, target);
            }

            @Override
            public String prometheus() {
                return SecurityAudit.this.prometheus();
            }
        };
    }

    private void deny(Optional<Caller> caller, String target) {
        String requestId = UUID.randomUUID().toString();
        String object = target.length() > 256 ? target.substring(0, 256) : target;
        AuditEntry entry = caller.map(c -> AuditEntry.of(c, AuditAction.DENIED, "Route", object, Optional.empty(),
                AuditOutcome.DENIED, requestId)).orElse(null);
        if (entry == null) {
            if (!sampling.admit(UNAUTHENTICATED)) {
                sampledAway.incrementAndGet();
                return;
            }
            entry = new AuditEntry("anonymous", "anonymous", UNAUTHENTICATED, AuditAction.DENIED, "Route", object,
                    Optional.empty(), AuditOutcome.DENIED, requestId, Optional.empty());
        }
        append(entry);
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
            writeFailed.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "audit trail unwritable for a security event: " + e.getClass().getName());
        }
    }
}
