package health.vclinic.api.monitoring;

import java.time.Duration;

/**
 * Per-stream flow-control settings of the monitoring service.
 *
 * @param outboxCapacity alerts queued for one stream before the stream stops reading samples. Default
 *     1,024 (a few hundred kilobytes): far more than a stream's alerts in any normal minute, since each
 *     patient has at most one open alert per kind
 * @param stallTimeout how long a stream may wait for its reader to make room before the server gives
 *     up on it (RESOURCE_EXHAUSTED, after every queued alert). Default 10 s: long enough for a garbage
 *     collection or a network hiccup at the client, short enough that a dead dashboard does not hold a
 *     device's samples unanalysed for long
 * @param noticeMemory patients per stream remembered as already told they are not monitored, so a
 *     refused patient gets one notice, not one per sample. Default 1,024
 */
public record StreamLimits(int outboxCapacity, Duration stallTimeout, int noticeMemory) {

    public StreamLimits {
        if (outboxCapacity < 1 || noticeMemory < 1) {
            throw new IllegalArgumentException("outbox capacity and notice memory must be at least 1");
        }
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("the stall timeout must be positive");
        }
    }

    public static StreamLimits defaults() {
        return new StreamLimits(1024, Duration.ofSeconds(10), 1024);
    }
}
