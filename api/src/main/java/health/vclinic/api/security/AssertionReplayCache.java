package health.vclinic.api.security;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code jti}s of client assertions already used, each kept until its assertion expires, so that an
 * assertion works once (SMART App Launch, client-confidential-asymmetric: the server checks that the
 * {@code jti} "has not been previously encountered for the given iss within the maximum allowed
 * authentication JWT lifetime"). Only verified assertions are entered, so only registered clients can
 * fill it; its bound ({@link #LIMIT}, with a five-minute lifetime about 330 token requests a second) is
 * reached only under a flood, and then it refuses new assertions (fails closed) rather than forget.
 *
 * <p>In memory, per process: a restart forgets, and several instances behind one address do not share it,
 * so an assertion could be replayed once against each instance within its lifetime. Run one token
 * endpoint, route {@code /oauth2/token} to one instance, or back this with a shared store (a PostgreSQL
 * table keyed by iss and jti with a purge of expired rows) when scaling out.
 */
final class AssertionReplayCache {

    /** Entries kept at most. */
    static final int LIMIT = 100_000;

    /** What {@link #firstUse} found. */
    enum Use { FIRST, REPLAYED, FULL }

    private final int limit;
    private final Map<String, Instant> seen = new HashMap<>();

    AssertionReplayCache(int limit) {
        this.limit = limit;
    }

    AssertionReplayCache() {
        this(LIMIT);
    }

    /**
     * Records {@code jti} of {@code issuer} as used until {@code keepUntil}, unless it was used before.
     */
    synchronized Use firstUse(String issuer, String jti, Instant keepUntil, Instant now) {
        String key = issuer + '\u0000' + jti;
        Instant until = seen.get(key);
        if (until != null && until.isAfter(now)) {
            return Use.REPLAYED;
        }
        if (seen.size() >= limit) {
            seen.values().removeIf(t -> !t.isAfter(now));
            if (seen.size() >= limit) {
                return Use.FULL;
            }
        }
        seen.put(key, keepUntil);
        return Use.FIRST;
    }

    synchronized int size() {
        return seen.size();
    }
}
