package health.vclinic.api.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.server.ClinicId;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The per-clinic token bucket on a hand-driven clock: burst, refill, and clinics apart. */
class RequestQuotaTest {

    private static final ClinicId A = new ClinicId("clinic-a");
    private static final ClinicId B = new ClinicId("clinic-b");

    @Test
    void aClinicGetsItsBurstThenItsRateAndNoMore() {
        AtomicLong now = new AtomicLong(0);
        RequestQuota quota = new RequestQuota(10, 20, now::get);
        assertEquals(20, IntStream.range(0, 100).filter(i -> quota.admit(A)).count(), "the burst");
        assertFalse(quota.admit(A));
        now.addAndGet(500_000_000L);
        assertEquals(5, IntStream.range(0, 100).filter(i -> quota.admit(A)).count(), "half a second at 10/s");
        now.addAndGet(60_000_000_000L);
        assertEquals(20, IntStream.range(0, 100).filter(i -> quota.admit(A)).count(), "refills up to the burst only");
    }

    @Test
    void oneClinicOverItsQuotaLeavesTheOthersAlone() {
        AtomicLong now = new AtomicLong(0);
        RequestQuota quota = new RequestQuota(10, 20, now::get);
        IntStream.range(0, 1000).forEach(i -> quota.admit(A));
        assertFalse(quota.admit(A));
        assertTrue(quota.admit(B), "clinic B is not starved by clinic A");
        assertTrue(quota.refusal().contains("10 requests per second"), quota.refusal());
    }

    @Test
    void zeroMeansNoQuota() {
        RequestQuota off = RequestQuota.off();
        assertTrue(IntStream.range(0, 100_000).allMatch(i -> off.admit(A)));
    }
}
