package health.vclinic.inference.monitoring;

import static health.vclinic.inference.monitoring.Samples.high;
import static health.vclinic.inference.monitoring.Samples.medium;
import static health.vclinic.inference.monitoring.Samples.normal;
import static health.vclinic.inference.monitoring.Samples.sample;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.monitoring.VitalSample;
import health.vclinic.inference.monitoring.MonitoringEngine.Disposition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonitoringEngineTest {

    private final AtomicLong clock = new AtomicLong();

    private MonitoringEngine engine(MonitoringConfig config) {
        return MonitoringEngine.create(config, MonitoringEngine.standardDetectors(config, Optional.empty(), Optional.empty()),
                clock::get);
    }

    private static List<AlertEvent> feed(MonitoringEngine engine, List<VitalSample> samples) {
        List<AlertEvent> out = new ArrayList<>();
        for (VitalSample s : samples) {
            out.addAll(engine.accept(s).alerts());
        }
        return out;
    }

    private static List<AlertEvent> ofKind(List<AlertEvent> alerts, AlertKind kind) {
        return alerts.stream().filter(a -> a.kind() == kind).toList();
    }

    private static VitalSample hourly(String patient, int hour, VitalSigns.Builder vitals) {
        return sample(patient, Duration.ofHours(hour), vitals);
    }

    @Test
    void aStablePatientRaisesNothing() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        List<VitalSample> day = new ArrayList<>();
        for (int m = 0; m < 24 * 60; m += 5) {
            day.add(sample("stable", Duration.ofMinutes(m), normal().heartRate(70 + (m / 5) % 7)));
        }
        assertEquals(List.of(), feed(engine, day));
        assertEquals(day.size(), engine.stats().accepted());
    }

    @Test
    void deteriorationIsRaisedOnceUpdatedOnSeverityAndResolvedAfterItClears() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        List<VitalSample> stay = new ArrayList<>();
        for (int h = 0; h < 6; h++) {
            stay.add(hourly("pt", h, normal()));
        }
        for (int h = 6; h < 9; h++) {
            stay.add(hourly("pt", h, medium()));
        }
        for (int h = 9; h < 12; h++) {
            stay.add(hourly("pt", h, high()));
        }
        for (int h = 12; h < 18; h++) {
            stay.add(hourly("pt", h, normal()));
        }
        List<AlertEvent> news2 = ofKind(feed(engine, stay), AlertKind.NEWS2);

        assertEquals(List.of(AlertState.RAISED, AlertState.UPDATED, AlertState.RESOLVED),
                news2.stream().map(AlertEvent::state).toList(), news2.toString());
        AlertEvent raised = news2.get(0);
        AlertEvent update = news2.get(1);
        AlertEvent resolved = news2.get(2);
        assertAll(
                () -> assertEquals(AlertSeverity.MEDIUM, raised.severity()),
                () -> assertEquals(Samples.at(Duration.ofHours(8)), raised.raisedAt(),
                        "the 90-min median reaches 6 at 7 h (two medium rows), held until 8 h"),
                () -> assertEquals(Samples.at(Duration.ofHours(9)), update.sampleTime()),
                () -> assertTrue(raised.reason().startsWith("NEWS2 6 (medium"), raised.reason()),
                () -> assertTrue(raised.reason().contains("respiratory rate 23/min scores 2"), raised.reason()),
                () -> assertEquals(6, measurement(raised, "news2_total"), 1e-9),
                () -> assertEquals(23, measurement(raised, "respiratory_rate"), 1e-9),
                () -> assertEquals(AlertSeverity.HIGH, update.severity()),
                () -> assertTrue(raised.pages() && update.pages(), "raised urgent, escalated to emergency: both page"),
                () -> assertFalse(resolved.pages()),
                () -> assertEquals(raised.alertId(), update.alertId()),
                () -> assertEquals(raised.alertId(), resolved.alertId()),
                () -> assertEquals("news2", raised.detector()),
                () -> assertEquals("rcp-2017", raised.modelVersion()),
                () -> assertTrue(resolved.reason().contains("NEWS2 now 0, below 4"), resolved.reason()),
                () -> assertTrue(resolved.reason().contains("for 2 h"), resolved.reason()),
                () -> assertFalse(raised.reason().contains("pt"), "no patient reference in the reason"));
        // Below 4 from 12 h (the median of a high and a normal row scores 2): resolved 2 h later.
        assertEquals(Samples.at(Duration.ofHours(14)), resolved.sampleTime());
    }

    @Test
    void aScoreHoveringAtSixOrSevenDoesNotFlapBetweenMediumAndHigh() {
        MonitoringConfig config = MonitoringConfig.builder().news2Hold(Duration.ZERO).smoothingSpan(Duration.ofMinutes(5)).build();
        MonitoringEngine engine = engine(config);
        List<VitalSample> stay = new ArrayList<>();
        for (int h = 0; h < 8; h++) {
            // medium() scores 6; with a temperature of 38.5 it scores 7.
            stay.add(hourly("pt", h, h % 2 == 0 ? medium().temperatureC(38.5) : medium()));
        }
        List<AlertEvent> news2 = ofKind(feed(engine, stay), AlertKind.NEWS2);
        assertEquals(1, news2.size(), news2.toString());
        assertEquals(AlertSeverity.HIGH, news2.getFirst().severity(), "7 raises HIGH; 6 keeps it HIGH (it drops at 5)");
    }

    @Test
    void oneWildReadingDoesNotPageAnyone() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        List<VitalSample> stay = new ArrayList<>();
        for (int m = 0; m < 12 * 60; m += 15) {
            stay.add(sample("pt", Duration.ofMinutes(m), m == 300 ? high() : normal()));
        }
        assertEquals(List.of(), feed(engine, stay));
    }

    @Test
    void artefactsAreGatedAndALostSignalIsATechnicalAlertOnly() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        List<AlertEvent> alerts = new ArrayList<>();
        alerts.addAll(engine.accept(sample("pt", Duration.ZERO, normal())).alerts());
        // Twenty minutes of motion artefact reading as a crashing patient.
        for (int m = 1; m <= 20; m++) {
            MonitoringEngine.Outcome o = engine.accept(sample("pt", Duration.ofMinutes(m), high(), 0.1));
            assertEquals(Disposition.POOR_SIGNAL, o.disposition());
            alerts.addAll(o.alerts());
        }
        alerts.addAll(engine.accept(sample("pt", Duration.ofMinutes(21), normal())).alerts());

        assertEquals(List.of(AlertState.RAISED, AlertState.RESOLVED), alerts.stream().map(AlertEvent::state).toList());
        assertTrue(alerts.stream().allMatch(a -> a.kind() == AlertKind.SIGNAL_QUALITY));
        assertEquals(AlertSeverity.INFO, alerts.getFirst().severity());
        assertFalse(alerts.getFirst().severity().pages());
        assertEquals(Samples.at(Duration.ofMinutes(11)), alerts.getFirst().raisedAt(), "poor since 1 min, 10 min later");
    }

    @Test
    void duplicatesAndLateSamplesAreCountedNotAnalysed() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        VitalSample s = sample("pt", Duration.ofHours(3), normal());
        assertEquals(Disposition.ACCEPTED, engine.accept(s).disposition());
        assertEquals(Disposition.DUPLICATE, engine.accept(s).disposition());
        assertEquals(Disposition.LATE, engine.accept(sample("pt", Duration.ZERO, high())).disposition());
        var stats = engine.stats();
        assertEquals(1, stats.accepted());
        assertEquals(1, stats.duplicates());
        assertEquals(1, stats.late());
    }

    @Test
    void trendsOfTwoVitalsTogetherAreMedium() {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        List<VitalSample> stay = new ArrayList<>();
        for (int h = 0; h <= 6; h++) {
            // Heart rate 80 -> 116 and respiratory rate 14 -> 23 over six hours; NEWS2 stays below 5.
            stay.add(hourly("pt", h, normal().heartRate(80 + 6 * h).respiratoryRate(14 + 1.5 * h)));
        }
        List<AlertEvent> trend = ofKind(feed(engine, stay), AlertKind.TREND);
        assertFalse(trend.isEmpty());
        AlertEvent last = trend.getLast();
        assertEquals(AlertSeverity.MEDIUM, last.severity(), trend.toString());
        assertTrue(last.reason().contains("heart rate rising"), last.reason());
        assertTrue(last.reason().contains("respiratory rate rising"), last.reason());
        assertTrue(ofKind(feed(engine, List.of()), AlertKind.NEWS2).isEmpty());
    }

    @Test
    void beyondCapacityANewPatientIsRefusedWithANotice() {
        MonitoringEngine engine = engine(MonitoringConfig.builder().maxPatients(3).build());
        for (int i = 0; i < 3; i++) {
            assertEquals(Disposition.ACCEPTED, engine.accept(sample("p" + i, Duration.ZERO, normal())).disposition());
        }
        VitalSample fourth = sample("p3", Duration.ZERO, normal());
        assertEquals(Disposition.REFUSED, engine.accept(fourth).disposition());
        AlertEvent notice = engine.notMonitoredNotice(fourth);
        assertAll(
                () -> assertEquals(AlertKind.NOT_MONITORED, notice.kind()),
                () -> assertEquals(AlertSeverity.INFO, notice.severity()),
                () -> assertTrue(notice.reason().contains("limit of 3 patients"), notice.reason()),
                () -> assertEquals(3, engine.patients()),
                () -> assertEquals(1, engine.stats().refused()));
    }

    @Test
    void idlePatientsAreEvictedAndTheirOpenAlertsResolvedToTheLastSender() {
        MonitoringEngine engine = engine(MonitoringConfig.builder().maxPatients(2).news2Hold(Duration.ZERO).build());
        List<AlertEvent> told = new ArrayList<>();
        MonitoringEngine.AlertSink sink = told::add;
        AlertEvent raised = engine.accept(hourly("sick", 0, high()), sink).alerts().getFirst();
        engine.accept(hourly("well", 0, normal()), sink);
        clock.addAndGet(Duration.ofMinutes(20).toNanos());
        engine.accept(hourly("well", 1, normal()), sink);
        clock.addAndGet(Duration.ofMinutes(15).toNanos());
        // "sick" has been silent 35 min, "well" 15 min: a third patient is admitted in sick's place.
        assertEquals(Disposition.ACCEPTED, engine.accept(hourly("new", 0, normal()), sink).disposition());

        assertEquals(1, told.size());
        AlertEvent resolution = told.getFirst();
        assertAll(
                () -> assertEquals(raised.alertId(), resolution.alertId()),
                () -> assertEquals(AlertState.RESOLVED, resolution.state()),
                () -> assertTrue(resolution.reason().startsWith("Resolved unreviewed: monitoring stopped"), resolution.reason()),
                () -> assertEquals(2, engine.patients()),
                () -> assertEquals(1, engine.stats().evicted()));
    }

    @Test
    void openAlertsAreSentAgainWhenTheirStreamHasEnded() {
        MonitoringEngine engine = engine(MonitoringConfig.builder().news2Hold(Duration.ZERO).build());
        boolean[] firstOpen = {true};
        MonitoringEngine.AlertSink first = new MonitoringEngine.AlertSink() {
            @Override
            public void deliver(AlertEvent alert) {
            }

            @Override
            public boolean open() {
                return firstOpen[0];
            }
        };
        MonitoringEngine.AlertSink second = alert -> { };
        AlertEvent raised = engine.accept(hourly("pt", 0, high()), first).alerts().getFirst();
        assertEquals(List.of(), engine.accept(hourly("pt", 1, high()), second).alerts(), "the first stream is still open");
        firstOpen[0] = false;
        engine.accept(hourly("pt", 2, high()), first);
        List<AlertEvent> again = engine.accept(hourly("pt", 3, high()), second).alerts();
        assertEquals(1, again.size(), again.toString());
        assertEquals(raised.alertId(), again.getFirst().alertId());
        assertEquals(AlertState.UPDATED, again.getFirst().state());
        assertTrue(again.getFirst().reason().startsWith("Sent again: the stream that received this alert has ended."));
        assertEquals(List.of(), engine.accept(hourly("pt", 4, high()), second).alerts(), "once only");
    }

    @Test
    void patientsAreIndependentUnderConcurrency() throws Exception {
        MonitoringEngine engine = engine(MonitoringConfig.defaults());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> raisedPerThread = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                raisedPerThread.add(pool.submit(() -> {
                    int raised = 0;
                    for (int h = 0; h < 12; h++) {
                        for (int p = 0; p < 50; p++) {
                            VitalSample s = hourly("t" + thread + "-" + p, h, h >= 4 && h < 8 ? high() : normal());
                            raised += (int) engine.accept(s).alerts().stream()
                                    .filter(a -> a.kind() == AlertKind.NEWS2 && a.state() == AlertState.RAISED).count();
                        }
                    }
                    return raised;
                }));
            }
            int raised = 0;
            for (Future<Integer> f : raisedPerThread) {
                raised += f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(200, raised, "exactly one NEWS2 alert per patient");
            assertEquals(200 * 12, engine.stats().accepted());
            assertEquals(200, engine.patients());
        } finally {
            pool.shutdownNow();
        }
    }

    static double measurement(AlertEvent a, String name) {
        return a.evidence().measurements().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow().value();
    }
}
