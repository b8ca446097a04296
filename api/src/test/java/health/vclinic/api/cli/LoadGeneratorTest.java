package health.vclinic.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

    @Test
    void theOpenLoopsLeadInIsSentButNeitherCountedNorTimed() throws InterruptedException {
        AtomicLong sent = new AtomicLong();
        // Every call sent in the lead-in fails; every later one succeeds at once.
        long leadIn = TimeUnit.MILLISECONDS.toNanos(300);
        long[] timedFrom = new long[1];
        timedFrom[0] = System.nanoTime() + leadIn;
        LoadGenerator.Result result = LoadGenerator.openLoop("test", 1_000, leadIn, TimeUnit.MILLISECONDS.toNanos(400),
                () -> {
                    sent.incrementAndGet();
                    ListenableFuture<?> answer = System.nanoTime() < timedFrom[0] - TimeUnit.MILLISECONDS.toNanos(20)
                            ? Futures.immediateFailedFuture(new IllegalStateException("lead-in"))
                            : Futures.immediateFuture("ok");
                    return answer;
                });

        assertEquals(700, sent.get(), 2, "700 ms at 1,000 calls/s are all sent");
        assertEquals(400, result.calls(), 2, "only the timed 400 ms are counted");
        assertEquals(0, result.errors(), "the failures of the lead-in are not the timed part's");
        assertEquals(0.4, result.seconds(), 1e-9);
    }
}
