package health.vclinic.evaluation.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.AcuteScenarios;
import health.vclinic.datasets.monitoring.AcuteScenarios.Scenario;
import health.vclinic.datasets.monitoring.AcuteScenarios.ScriptedPatient;
import health.vclinic.datasets.monitoring.VitalSample;
import health.vclinic.inference.monitoring.AlertEvent;
import health.vclinic.inference.monitoring.Detector;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Time to page on scripted acute deterioration, and false pages on stable patients with artefacts, from
 * the seeded {@link AcuteScenarios} generator: every scenario at every sample interval, for the service
 * and for raw NEWS2 >= 5 and >= 7 (read at every usable sample, {@link Baseline}).
 *
 * <p>Definitions: <b>time to page</b> is the device time from the onset (the start of the change, not
 * the moment a threshold is crossed) to the first sample whose alert pages; a patient not paged within
 * {@link #AFTER_ONSET} counts as not paged, and the median and 90th percentile are nearest-rank over all
 * patients with those as infinitely late (so a quantile that lands on one is reported as not reached).
 * <b>False pages</b> are every page on a stable patient, per 24 h of device time, and pages on acute
 * patients before their onset.
 *
 * <p>Two disjoint seed ranges: settings were chosen looking only at the training seeds; the report's
 * figures are the held-out seeds'.
 */
final class AcuteEvaluation {

    static final Instant START = Instant.parse("2025-03-01T00:00:00Z");
    static final Duration AFTER_ONSET = Duration.ofMinutes(30);
    static final Duration STABLE_SPAN = Duration.ofHours(12);
    /** Patients per scenario and interval in each seed range. */
    static final int PATIENTS = 40;
    static final long TRAINING_SEEDS = 0;
    static final long HELD_OUT_SEEDS = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A way of paging on a patient's samples: the device times of the samples that paged. */
    record Method(String id, String name, boolean ours, Function<List<VitalSample>, List<Instant>> pages) {
    }

    private AcuteEvaluation() {
    }

    /** The service's paging times on these samples: clinical alerts that page, by their sample time. */
    static List<Instant> engine(List<VitalSample> samples, MonitoringConfig config, List<Detector<?>> detectors) {
        MonitoringEngine engine = MonitoringEngine.create(config, detectors, System::nanoTime);
        List<Instant> pages = new ArrayList<>();
        for (VitalSample s : samples) {
            for (AlertEvent a : engine.accept(s).alerts()) {
                if (a.pages()) {
                    pages.add(a.sampleTime());
                }
            }
        }
        return pages;
    }

    static List<Method> methods(MonitoringConfig config, List<Detector<?>> detectors) {
        return List.of(
                new Method("vclinic", "vclinic monitoring (all detectors)", true, s -> engine(s, config, detectors)),
                new Method("news2_5", Baseline.NEWS2_5.title() + " on raw values (baseline)", false,
                        s -> Baseline.NEWS2_5.replay(s).pages()),
                new Method("news2_7", Baseline.NEWS2_7.title() + " on raw values (baseline)", false,
                        s -> Baseline.NEWS2_7.replay(s).pages()));
    }

    /** Both tables for the seeds from {@code firstSeed}. */
    static ObjectNode run(List<Method> methods, long firstSeed) {
        ObjectNode out = JSON.createObjectNode();
        out.put("seeds", firstSeed + " to " + (firstSeed + PATIENTS - 1));
        ArrayNode times = out.putArray("time_to_page");
        java.util.Map<String, List<Double>> pooled = new java.util.LinkedHashMap<>();
        for (Scenario scenario : Scenario.acute()) {
            for (Duration interval : AcuteScenarios.INTERVALS) {
                List<ScriptedPatient> patients = new ArrayList<>();
                for (int i = 0; i < PATIENTS; i++) {
                    patients.add(AcuteScenarios.generate(scenario, interval, firstSeed + i, START, AFTER_ONSET));
                }
                for (Method m : methods) {
                    List<Double> minutes = new ArrayList<>();
                    times.add(timeToPage(scenario, interval, m, patients, minutes));
                    pooled.computeIfAbsent(m.id() + "\n" + interval.toSeconds(), k -> new ArrayList<>()).addAll(minutes);
                }
            }
        }
        ArrayNode all = out.putArray("time_to_page_all_scenarios");
        pooled.forEach((key, minutes) -> {
            minutes.sort(Double::compare);
            String[] parts = key.split("\n");
            ObjectNode r = all.addObject();
            r.put("method", parts[0]);
            r.put("interval_seconds", Integer.parseInt(parts[1]));
            r.put("patients", minutes.size());
            r.put("paged", minutes.stream().filter(Double::isFinite).count());
            put(r, "median_minutes", nearestRank(minutes, 0.5));
            put(r, "p90_minutes", nearestRank(minutes, 0.9));
        });
        ArrayNode stable = out.putArray("stable");
        for (Duration interval : AcuteScenarios.INTERVALS) {
            List<ScriptedPatient> patients = new ArrayList<>();
            for (int i = 0; i < PATIENTS; i++) {
                patients.add(AcuteScenarios.generate(Scenario.STABLE, interval, firstSeed + i, START, STABLE_SPAN));
            }
            for (Method m : methods) {
                stable.add(falsePages(interval, m, patients));
            }
        }
        return out;
    }

    private static ObjectNode timeToPage(Scenario scenario, Duration interval, Method m, List<ScriptedPatient> patients,
                                         List<Double> minutes) {
        int early = 0;
        for (ScriptedPatient p : patients) {
            Instant onset = p.onset().orElseThrow();
            Instant deadline = onset.plus(AFTER_ONSET);
            double first = Double.POSITIVE_INFINITY;
            for (Instant t : m.pages().apply(p.samples())) {
                if (t.isBefore(onset)) {
                    early++;
                } else if (!t.isAfter(deadline)) {
                    first = Math.min(first, Duration.between(onset, t).toMillis() / 60_000.0);
                }
            }
            minutes.add(first);
        }
        minutes.sort(Double::compare);
        ObjectNode r = JSON.createObjectNode();
        r.put("scenario", scenario.id());
        r.put("interval_seconds", interval.toSeconds());
        r.put("method", m.id());
        r.put("name", m.name());
        r.put("ours", m.ours());
        r.put("patients", patients.size());
        long paged = minutes.stream().filter(Double::isFinite).count();
        r.put("paged", paged);
        r.put("not_paged", patients.size() - paged);
        put(r, "median_minutes", nearestRank(minutes, 0.5));
        put(r, "p90_minutes", nearestRank(minutes, 0.9));
        r.put("pages_before_onset", early);
        return r;
    }

    private static ObjectNode falsePages(Duration interval, Method m, List<ScriptedPatient> patients) {
        long pages = 0;
        double hours = 0;
        long patientsPaged = 0;
        for (ScriptedPatient p : patients) {
            int n = m.pages().apply(p.samples()).size();
            pages += n;
            patientsPaged += n > 0 ? 1 : 0;
            hours += p.hours();
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("interval_seconds", interval.toSeconds());
        r.put("method", m.id());
        r.put("name", m.name());
        r.put("ours", m.ours());
        r.put("patients", patients.size());
        r.put("patient_days", Math.round(hours / 24 * 100) / 100.0);
        r.put("pages", pages);
        r.put("patients_paged", patientsPaged);
        r.put("pages_per_patient_day", pages / (hours / 24));
        return r;
    }

    /** Nearest-rank quantile of sorted values, infinite when it lands on a patient never paged. */
    static double nearestRank(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static void put(ObjectNode r, String field, double v) {
        if (Double.isFinite(v)) {
            r.put(field, Math.round(v * 100) / 100.0);
        } else {
            r.putNull(field);
        }
    }
}
