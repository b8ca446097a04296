package health.vclinic.evaluation.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.datasets.monitoring.VitalSample;
import health.vclinic.inference.monitoring.AlertEvent;
import health.vclinic.inference.monitoring.AlertState;
import health.vclinic.inference.monitoring.Detector;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Early warning of sepsis on the held-out stays: how long before the Sepsis-3 onset the first alert
 * came, how many septic stays were alerted by onset, and how many alerts stays without sepsis got.
 *
 * <p>Definitions, the same for every method:
 * <ul>
 *   <li>A septic stay is <b>detected at onset</b> when an alert was raised in the {@value #LOOKBACK_HOURS}
 *       hours before onset, up to and including it; its <b>lead time</b> is onset minus the first such
 *       alert. Onset is the Challenge's: the first labelled hour plus 6.</li>
 *   <li>The same within {@value #CLINICAL_HOURS} hours before onset: the horizon of the Challenge's
 *       utility score, where an early warning is actionable.</li>
 *   <li>On stays without sepsis every alert is a <b>false alert</b>; per patient-day means per 24 hours
 *       of charted stay. <b>Pages</b> count the state changes that would page a nurse
 *       ({@link AlertEvent#pages()}: raised at MEDIUM or HIGH, or escalated to a higher one of them).</li>
 * </ul>
 */
final class EarlyWarning {

    static final int LOOKBACK_HOURS = 48;
    static final int CLINICAL_HOURS = 12;

    private static final ObjectMapper JSON = new ObjectMapper();

    private EarlyWarning() {
    }

    /** Replays a stay through a fresh engine with {@code detectors} and collects its clinical alerts. */
    static StayOutcome engine(SepsisStay stay, Instant admission, MonitoringConfig config, List<Detector<?>> detectors) {
        MonitoringEngine engine = MonitoringEngine.create(config, detectors, System::nanoTime);
        List<Instant> raised = new ArrayList<>();
        Map<String, Integer> kinds = new TreeMap<>();
        int pages = 0;
        for (VitalSample s : stay.samples(admission)) {
            for (AlertEvent a : engine.accept(s).alerts()) {
                if (a.kind().technical()) {
                    continue;
                }
                if (a.state() == AlertState.RAISED) {
                    raised.add(a.raisedAt());
                    kinds.merge(a.kind().name(), 1, Integer::sum);
                }
                pages += a.pages() ? 1 : 0;
            }
        }
        return new StayOutcome(stay, raised, pages, kinds);
    }

    /** The metrics of one method over the held-out stays. */
    static ObjectNode metrics(List<StayOutcome> outcomes, Instant admission) {
        int septic = 0;
        int detected = 0;
        int detectedClinical = 0;
        List<Double> leads = new ArrayList<>();
        int normal = 0;
        double hours = 0;
        long falseAlerts = 0;
        long pages = 0;
        Map<String, Integer> kinds = new TreeMap<>();
        for (StayOutcome o : outcomes) {
            SepsisStay stay = o.stay();
            if (stay.septic()) {
                septic++;
                Instant onset = admission.plus(Duration.ofHours(stay.onsetHour().getAsInt()));
                Instant from = onset.minus(Duration.ofHours(LOOKBACK_HOURS));
                Instant first = o.raised().stream().filter(t -> !t.isBefore(from) && !t.isAfter(onset)).findFirst()
                        .orElse(null);
                if (first != null) {
                    detected++;
                    leads.add(Duration.between(first, onset).toMinutes() / 60.0);
                }
                Instant clinicalFrom = onset.minus(Duration.ofHours(CLINICAL_HOURS));
                if (o.raised().stream().anyMatch(t -> !t.isBefore(clinicalFrom) && !t.isAfter(onset))) {
                    detectedClinical++;
                }
            } else {
                normal++;
                hours += stay.lengthHours();
                falseAlerts += o.raised().size();
                pages += o.pages();
                o.kinds().forEach((k, n) -> kinds.merge(k, n, Integer::sum));
            }
        }
        ObjectNode m = JSON.createObjectNode();
        m.put("septic_stays", septic);
        m.set("sensitivity_at_onset", Proportions.of(detected, septic));
        m.set("sensitivity_within_12h", Proportions.of(detectedClinical, septic));
        leads.sort(Double::compare);
        ObjectNode lead = m.putObject("lead_time_hours");
        lead.put("n", leads.size());
        lead.put("median", quantile(leads, 0.5));
        lead.put("q1", quantile(leads, 0.25));
        lead.put("q3", quantile(leads, 0.75));
        double days = hours / 24;
        m.put("stays_without_sepsis", normal);
        m.put("patient_days", Math.round(days * 100) / 100.0);
        m.put("false_alerts", falseAlerts);
        m.put("false_alerts_per_patient_day", days == 0 ? Double.NaN : falseAlerts / days);
        m.put("pages_per_patient_day", days == 0 ? Double.NaN : pages / days);
        ObjectNode byKind = m.putObject("false_alerts_by_kind");
        kinds.forEach(byKind::put);
        return m;
    }

    /** Linear-interpolated quantile of sorted values (NaN when empty). */
    static double quantile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        double index = p * (sorted.size() - 1);
        int lo = (int) Math.floor(index);
        int hi = (int) Math.ceil(index);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (index - lo);
    }
}
