package health.vclinic.api.security;

import health.vclinic.api.server.ClinicId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests per second per clinic, so that one clinic cannot starve the others: a token bucket per clinic
 * ({@code rate} tokens a second, up to {@code burst}), checked by the gate right after authentication. A
 * clinic over its quota gets RESOURCE_EXHAUSTED / 429 naming the quota; other clinics are unaffected.
 *
 */
public final class RequestQuota {

    /** Default: 5,000 requests a second per clinic, bursts of 10,000 (2 cores serve about 2,000 assessments a second). */
    public static final int DEFAULT_RATE = 5_000;

    private final int ratePerSecond;
    private final int burst;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<ClinicId, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param ratePerSecond sustained requests per second of one clinic; 0 turns the quota off
     * @param burst requests one clinic may send at once after being idle
     */
    public RequestQuota(int ratePerSecond, int burst, LongSupplier nanoClock) {
        if (ratePerSecond < 0 || burst < 0 || (ratePerSecond > 0 && burst < 1)) {
            throw new IllegalArgumentException("a request quota needs a rate of 0 (off) or more and a burst of at least 1");
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.nanoClock = nanoClock;
    }

    /** A quota of {@code ratePerSecond} (bursts of twice that) on the system clock; 0 for none. */
    public static RequestQuota perSecond(int ratePerSecond) {
        return new RequestQuota(ratePerSecond, 2 * ratePerSecond, System::nanoTime);
    }

    public int ratePerSecond() {
        return ratePerSecond;
    }

    /** No quota. */
    public static RequestQuota off() {
        return perSecond(0);
    }

    /** One clinic's bucket. */
    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }
    }

    /** Takes one request from {@code clinic}'s bucket; false when the clinic is over its quota. */
    public boolean admit(ClinicId clinic) {
        if (ratePerSecond == 0) {
            return true;
        }
        long now = nanoClock.getAsLong();
        Bucket b = buckets.computeIfAbsent(clinic, c -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.last) * ratePerSecond / 1e9);
            b.last = now;
            if (b.tokens < 1) {
                return false;
            }
            b.tokens -= 1;
            return true;
        }
    }

    /** What a refused caller is told. */
    public String refusal() {
        return "the clinic's request quota of " + ratePerSecond + " requests per second (bursts of " + burst
                + ") is spent; retry after a second";
    }
}
