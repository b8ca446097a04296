package health.vclinic.inference.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A condition that holds is found on every sample, but its words are written only when an alert goes
 * out: the engine reads a finding's reason and evidence for RAISED and UPDATED, not while the open
 * alert stands. Formatting them on every sample was most of what the anomaly detector allocated
 * ({@link HotPathAllocationTest} counts it).
 */
class DeferredFindingTest {

    /** Always finds, at a severity the test sets, and counts how often its words are written. */
    private static final class Counting extends StatelessTestDetector {
        AlertSeverity severity = AlertSeverity.LOW;
        int reasons;
        int evidences;

        Counting() {
            super("counting");
        }

        @Override
        public Optional<Finding> evaluate(Evaluation e, NoState state) {
            AlertSeverity at = severity;
            long now = e.nowMillis();
            return Optional.of(Finding.deferred(at, at.name(), new Finding.Details() {
                @Override
                public String reason() {
                    reasons++;
                    return "found at " + at;
                }

                @Override
                public Evidence evidence() {
                    evidences++;
                    return Evidence.of(List.of(), Instant.ofEpochMilli(now), Instant.ofEpochMilli(now), 1);
                }
            }));
        }
    }

    @Test
    void theWordsAreWrittenOnlyForTheAlertsThatGoOut() {
        Counting d = new Counting();
        MonitoringEngine engine = MonitoringEngine.create(MonitoringConfig.defaults(), List.of(d), () -> 0L);
        List<AlertEvent> sent = new ArrayList<>();
        for (int minute = 0; minute < 60; minute++) {
            if (minute == 40) {
                d.severity = AlertSeverity.MEDIUM;
            }
            sent.addAll(engine.accept(Samples.sample("p", Duration.ofMinutes(minute), Samples.normal())).alerts());
        }
        assertEquals(List.of(AlertState.RAISED, AlertState.UPDATED), sent.stream().map(AlertEvent::state).toList());
        assertEquals("found at LOW", sent.get(0).reason());
        assertEquals("found at MEDIUM", sent.get(1).reason());
        assertEquals(Samples.at(Duration.ofMinutes(40)), sent.get(1).evidence().windowEnd(),
                "the evidence is that of the sample that changed the alert");
        assertEquals(2, d.reasons, "one reason per alert sent, not one per sample");
        assertEquals(2, d.evidences);
    }

    @Test
    void aDeferredFindingIsWrittenOnceAndEqualsTheSameFindingWrittenAtOnce() {
        int[] calls = {0};
        Instant t = Samples.T0;
        Evidence evidence = Evidence.of(List.of(Measurement.of("heart_rate", 120, "/min")), t, t, 1);
        Finding deferred = Finding.deferred(AlertSeverity.LOW, "heart_rate", new Finding.Details() {
            @Override
            public String reason() {
                calls[0]++;
                return "Vital sign deteriorating";
            }

            @Override
            public Evidence evidence() {
                return evidence;
            }
        });
        Finding eager = new Finding(AlertSeverity.LOW, "Vital sign deteriorating", evidence, "heart_rate");
        assertEquals(eager, deferred);
        assertEquals(eager.hashCode(), deferred.hashCode());
        deferred.reason();
        assertEquals(1, calls[0]);
    }
}
