package health.vclinic.api.server;

import java.time.Duration;

/** The bounds every route shares; each is a defence against a caller exhausting the server. */
public final class Limits {

    /** Largest accepted triage, FHIR or CDS Hooks body: a request is a few kilobytes; this bounds memory per call. */
    public static final long MAX_PAYLOAD_BYTES = 1 << 20;
    /** How long in-flight calls may take to finish on shutdown. */
    public static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private Limits() {
    }
}
