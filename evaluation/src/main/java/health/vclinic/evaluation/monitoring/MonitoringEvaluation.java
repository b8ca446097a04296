package health.vclinic.evaluation.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.monitoring.AcuteScenarios;
import health.vclinic.datasets.monitoring.SeededSplit;
import health.vclinic.datasets.monitoring.SepsisDataset;
import health.vclinic.datasets.monitoring.SepsisStay;
import health.vclinic.evaluation.EvaluationException;
import health.vclinic.inference.monitoring.AnomalyForest;
import health.vclinic.inference.monitoring.Detector;
import health.vclinic.inference.monitoring.EcgBeatModel;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringEngine;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ModelRepositoryException;
import health.vclinic.models.ResolvedModel;
import health.vclinic.models.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code ./vclinic evaluate monitoring}: remote monitoring as served (default configuration, the
 * served {@code monitoring-forest} and {@code ecg-beat} versions), written to
 * {@code reports/monitoring/metrics.json} and {@code report.html}:
 * <ul>
 *   <li>time to page on scripted acute deterioration and false pages on stable patients with artefacts
 *       ({@link AcuteEvaluation}), seeded, with raw NEWS2 >= 5 and >= 7 as baselines;</li>
 *   <li>early warning of sepsis ({@link EarlyWarning}) on the test part of the sepsis subset, the
 *       part the forest never saw: the split is recomputed from the forest's card and checked against
 *       the stays it lists, so a forest trained on another split is refused. Side by side with NEWS2 >= 5, >= 7
 *       and qSOFA >= 2 on the same samples ({@link Baseline}), and with each detector alone;</li>
 *   <li>the ECG beat model on the official ECG5000 test beats ({@link BeatEvaluation}).</li>
 * </ul>
 * Deterministic: the same models and data give the same files.
 */
public final class MonitoringEvaluation {

    public static final String NAME = "monitoring";
    public static final Path REPORTS = Path.of("reports", NAME);
    /** Where {@code ./vclinic bench --monitoring} records its figures; the report's closing note reads them. */
    static final Path BENCH = REPORTS.resolve("bench.json");
    /** Admission time of the replayed stays (any fixed instant gives the same results). */
    static final Instant ADMISSION = Instant.parse("2024-01-01T00:00:00Z");

    private static final ObjectMapper JSON = new ObjectMapper();

    public record Result(Path directory, ObjectNode metrics) {
    }

    private MonitoringEvaluation() {
    }

    /** The command: a summary on standard output; an exit code. */
    public static int command(Path projectRoot) {
        Path root = projectRoot.toAbsolutePath().normalize();
        try {
            Result r = run(root, root);
            JsonNode methods = r.metrics().at("/sepsis/methods");
            System.out.printf(Locale.ROOT, "sepsis early warning on %d held-out stays (%d septic):%n",
                    r.metrics().at("/sepsis/test_stays").asInt(), r.metrics().at("/sepsis/test_septic").asInt());
            methods.forEach(m -> System.out.printf(Locale.ROOT,
                    "  %-28s sensitivity at onset %.2f (%d/%d), lead time median %.1f h (IQR %.1f-%.1f),"
                            + " false alerts %.2f and pages %.2f per patient-day%n",
                    m.get("name").asText(), m.at("/sensitivity_at_onset/value").asDouble(),
                    m.at("/sensitivity_at_onset/count").asInt(), m.at("/sensitivity_at_onset/n").asInt(),
                    m.at("/lead_time_hours/median").asDouble(), m.at("/lead_time_hours/q1").asDouble(),
                    m.at("/lead_time_hours/q3").asDouble(), m.get("false_alerts_per_patient_day").asDouble(),
                    m.get("pages_per_patient_day").asDouble()));
            JsonNode held = r.metrics().at("/acute/held_out");
            System.out.printf(Locale.ROOT, "acute deterioration, held-out seeds %s: minutes from onset to page (median/p90)%n",
                    held.get("seeds").asText());
            held.get("time_to_page").forEach(t -> System.out.printf(Locale.ROOT, "  %-20s %4d s  %-40s %s / %s, paged %d/%d%n",
                    t.get("scenario").asText(), t.get("interval_seconds").asInt(), t.get("name").asText(),
                    t.get("median_minutes").asText("n/a"), t.get("p90_minutes").asText("n/a"), t.get("paged").asInt(),
                    t.get("patients").asInt()));
            held.get("stable").forEach(t -> System.out.printf(Locale.ROOT,
                    "  stable with artefacts %4d s  %-40s %d pages in %.1f patient-days (%d of %d patients)%n",
                    t.get("interval_seconds").asInt(), t.get("name").asText(), t.get("pages").asInt(),
                    t.get("patient_days").asDouble(), t.get("patients_paged").asInt(), t.get("patients").asInt()));
            JsonNode ecg = r.metrics().get("ecg");
            System.out.printf(Locale.ROOT, "ECG5000 test beats (%d): AUROC %.4f (95%% CI %.4f-%.4f), accuracy %.4f"
                            + " (1-NN %.4f); 5-fold CV 5-class accuracy %.4f (1-NN %.4f)%n", ecg.at("/test/beats").asInt(),
                    ecg.at("/test/auroc/value").asDouble(), ecg.at("/test/auroc/ci_low").asDouble(),
                    ecg.at("/test/auroc/ci_high").asDouble(), ecg.at("/test/accuracy/value").asDouble(),
                    ecg.at("/test/nearest_neighbour_accuracy").asDouble(),
                    ecg.at("/cross_validation/accuracy_mean").asDouble(),
                    ecg.at("/cross_validation/nearest_neighbour_accuracy").asDouble());
            System.out.println("wrote " + root.relativize(r.directory().resolve(MonitoringReport.REPORT_FILE)) + " and "
                    + MonitoringReport.METRICS_FILE);
            return 0;
        } catch (EvaluationException e) {
            System.err.println("vclinic evaluate: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Evaluates the served models and writes the report under {@code outputRoot/reports/monitoring/}.
     *
     * @throws EvaluationException when a model, its card or the data is not usable
     */
    public static Result run(Path projectRoot, Path outputRoot) {
        Path root = projectRoot.toAbsolutePath().normalize();
        ResolvedModel forestModel;
        ResolvedModel beatModel;
        try {
            ModelRepository repository = ModelRepository.open(root.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT));
            forestModel = repository.resolve(AnomalyForest.MODEL_NAME);
            beatModel = repository.resolve(EcgBeatModel.MODEL_NAME);
        } catch (ModelRepositoryException e) {
            throw new EvaluationException(e.getMessage() + "; train them with ./vclinic train monitoring-forest and"
                    + " ./vclinic train ecg-beat", e);
        }
        AnomalyForest forest = AnomalyForest.load(forestModel);
        JsonNode forestCard = forestModel.card().json();
        Path dataDir = root.resolve(forestCard.at("/data/folder").asText(SepsisDataset.RELATIVE_PATH.toString())).normalize();
        List<SepsisStay> stays = SepsisDataset.read(dataDir);
        checkData(forestModel, forestCard, dataDir, stays);
        SeededSplit<SepsisStay> split = SeededSplit.stratified(stays, SepsisStay::patientId, SepsisStay::septic,
                forestCard.at("/split/train_fraction").asDouble(), forestCard.at("/split/seed").asLong());
        checkSplit(forestModel, forestCard, split);

        MonitoringConfig config = MonitoringConfig.defaults();
        List<Detector<?>> all = MonitoringEngine.standardDetectors(config, Optional.of(forest), Optional.empty());
        Map<String, Method> methods = new LinkedHashMap<>();
        methods.put("vclinic", new Method("vclinic monitoring (all detectors)", true,
                s -> EarlyWarning.engine(s, ADMISSION, config, all)));
        methods.put("vclinic_news2", new Method("vclinic: NEWS2 detector only", true,
                s -> EarlyWarning.engine(s, ADMISSION, config, all.subList(0, 1))));
        methods.put("vclinic_trend", new Method("vclinic: trend detector only", true,
                s -> EarlyWarning.engine(s, ADMISSION, config, all.subList(1, 2))));
        methods.put("vclinic_forest", new Method("vclinic: isolation forest only", true,
                s -> EarlyWarning.engine(s, ADMISSION, config, all.subList(2, 3))));
        methods.put("news2_5", new Method(Baseline.NEWS2_5.title() + " (baseline)", false,
                s -> Baseline.NEWS2_5.run(s, ADMISSION)));
        methods.put("news2_7", new Method(Baseline.NEWS2_7.title() + " (baseline)", false,
                s -> Baseline.NEWS2_7.run(s, ADMISSION)));
        methods.put("qsofa_2", new Method(Baseline.QSOFA_2.title() + " (baseline)", false,
                s -> Baseline.QSOFA_2.run(s, ADMISSION)));

        ObjectNode metrics = JSON.createObjectNode();
        ObjectNode models = metrics.putObject("models");
        models.put("monitoring_forest", forestModel.id());
        models.put("forest_sha256", forestModel.card().artifacts().getFirst().sha256());
        models.put("ecg_beat", beatModel.id());
        models.put("ecg_beat_sha256", beatModel.card().artifacts().getFirst().sha256());
        ObjectNode sepsis = metrics.putObject("sepsis");
        sepsis.put("data", forestCard.at("/data/folder").asText());
        sepsis.put("data_sha256", forestCard.at("/data/sha256_of_stay_files").asText());
        sepsis.put("split", "seed " + forestCard.at("/split/seed").asLong() + ", train fraction "
                + forestCard.at("/split/train_fraction").asDouble() + ", stratified by sepsis (from the forest's card)");
        sepsis.put("test_stays", split.test().size());
        sepsis.put("test_septic", split.test().stream().filter(SepsisStay::septic).count());
        sepsis.put("test_septic_on_arrival", split.test().stream().filter(s -> s.septic() && s.septicOnArrival()).count());
        sepsis.put("definitions", "detected at onset: an alert raised within the 48 h before the Sepsis-3 onset (first"
                + " label + 6 h), up to it; lead time: onset minus the first such alert; within 12 h: an alert raised in"
                + " the 12 h before onset; false alerts: alerts on stays without sepsis, per 24 h of charted stay;"
                + " pages: alerts raised at MEDIUM or HIGH, or escalated to a higher one of them. Baselines apply the score to the latest value"
                + " of each vital no older than 4 h at every sample; an episode (the rule becoming true) is an alert.");
        ArrayNode testIds = sepsis.putArray("test_stay_ids");
        split.test().forEach(s -> testIds.add(s.patientId()));
        ObjectNode methodNodes = sepsis.putObject("methods");
        methods.forEach((id, method) -> methodNodes.set(id, methodMetrics(method, split.test())));
        // Where the settings were chosen: the same methods on the training half (the forest has seen its
        // stays without sepsis, so its false alerts there are too few).
        ObjectNode training = sepsis.putObject("training_half");
        training.put("stays", split.train().size());
        training.put("septic", split.train().stream().filter(SepsisStay::septic).count());
        ObjectNode trainingMethods = training.putObject("methods");
        for (String id : List.of("vclinic", "vclinic_news2", "news2_5")) {
            trainingMethods.set(id, methodMetrics(methods.get(id), split.train()));
        }
        metrics.set("acute", acute(config, all));
        metrics.set("config", config(config));

        BeatEvaluation.Result ecg = BeatEvaluation.run(root, beatModel);
        metrics.set("ecg", ecg.metrics());

        Path dir = outputRoot.toAbsolutePath().normalize().resolve(REPORTS);
        MonitoringReport.write(dir, metrics, ecg.scored(), bench(root));
        return new Result(dir, metrics);
    }

    /**
     * The latency bench as {@code ./vclinic bench --monitoring} recorded it, for the report's closing note
     * only: metrics.json stays what the models and data give.
     */
    private static JsonNode bench(Path root) {
        Path bench = root.resolve(BENCH);
        if (!Files.isRegularFile(bench)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(bench.toFile());
        } catch (IOException e) {
            throw new EvaluationException("cannot read " + bench + " (written by ./vclinic bench --monitoring): " + e, e);
        }
    }

    private static ObjectNode methodMetrics(Method method, List<SepsisStay> stays) {
        ObjectNode m = EarlyWarning.metrics(stays.stream().map(method.run()).toList(), ADMISSION);
        m.put("name", method.name());
        m.put("ours", method.ours());
        return m;
    }

    /** Time to page and false pages on the seeded scripted patients, training and held-out seeds. */
    static ObjectNode acute(MonitoringConfig config, List<Detector<?>> detectors) {
        ObjectNode acute = JSON.createObjectNode();
        acute.put("generator", "health.vclinic.datasets.monitoring.AcuteScenarios: " + AcuteEvaluation.PATIENTS
                + " patients per scenario and interval in each seed range; acute patients well for 30-90 min (random"
                + " onset), then " + AcuteEvaluation.AFTER_ONSET.toMinutes() + " min of the scenario reached over a ramp of"
                + " up to " + AcuteScenarios.MAX_RAMP_SECONDS + " s; stable patients "
                + AcuteEvaluation.STABLE_SPAN.toHours() + " h or more; artefacts in both");
        acute.put("definitions", "time to page: device time from the onset (the start of the change) to the first"
                + " sample whose alert pages, nearest-rank median and 90th percentile over all patients, a patient"
                + " not paged within " + AcuteEvaluation.AFTER_ONSET.toMinutes() + " min counting as infinitely late"
                + " (null: the quantile is not reached); false pages: every page on a stable patient per 24 h of"
                + " device time, and pages on acute patients before their onset. Baselines read every sample the"
                + " device rates usable (signal quality 0.5 or more) and page when the rule becomes true.");
        List<AcuteEvaluation.Method> methods = AcuteEvaluation.methods(config, detectors);
        acute.set("held_out", AcuteEvaluation.run(methods, AcuteEvaluation.HELD_OUT_SEEDS));
        acute.set("training", AcuteEvaluation.run(methods, AcuteEvaluation.TRAINING_SEEDS));
        return acute;
    }

    /** A way of raising alerts on a stay. */
    record Method(String name, boolean ours, Function<SepsisStay, StayOutcome> run) {
    }

    private static void checkData(ResolvedModel model, JsonNode card, Path dir, List<SepsisStay> stays) {
        StringBuilder lines = new StringBuilder();
        for (SepsisStay s : stays) {
            Path file = dir.resolve(SepsisDataset.STAYS_FOLDER).resolve(s.patientId() + ".psv");
            lines.append(file.getFileName()).append(' ').append(Sha256.sha256(file)).append('\n');
        }
        String digest = Sha256.sha256(lines.toString().getBytes(StandardCharsets.UTF_8));
        String expected = card.at("/data/sha256_of_stay_files").asText("");
        if (!digest.equals(expected)) {
            throw new EvaluationException("the stays in " + dir + " differ from those " + model.id() + " was trained on"
                    + " (sha256 " + digest + ", the card says " + expected + ")");
        }
    }

    /** Refuses a forest whose card lists other training stays than the split recomputed from its seed. */
    static void checkSplit(ResolvedModel model, JsonNode card, SeededSplit<SepsisStay> split) {
        List<String> listed = new ArrayList<>();
        card.at("/split/training_stays").forEach(n -> listed.add(n.asText()));
        List<String> recomputed = split.train().stream().map(SepsisStay::patientId).toList();
        if (!listed.equals(recomputed)) {
            throw new EvaluationException(model.id() + " lists training stays that differ from its split (seed "
                    + card.at("/split/seed").asLong() + "): it may have seen test stays; retrain it");
        }
        List<String> test = split.test().stream().map(SepsisStay::patientId).toList();
        card.at("/split/stays_used").forEach(n -> {
            if (test.contains(n.asText())) {
                throw new EvaluationException(model.id() + " was trained on the test stay " + n.asText() + "; retrain it");
            }
        });
    }

    private static ObjectNode config(MonitoringConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("resolution", c.resolution().toString());
        o.put("window_span", c.windowSpan().toString());
        o.put("smoothing_span", c.smoothingSpan().toString());
        o.put("carry_forward", c.carryForward().toString());
        o.put("news2_raise_at", c.news2RaiseAt());
        o.put("news2_clear_below", c.news2ClearBelow());
        o.put("news2_hold", c.news2Hold().toString());
        o.put("news2_clear", c.news2Clear().toString());
        o.put("acute_span", c.acuteSpan().toString());
        o.put("acute_hold", c.acuteHold().toString());
        o.put("acute_clear", c.acuteClear().toString());
        o.put("acute_good_quality", c.acuteGoodQuality());
        o.put("trend_span", c.trendSpan().toString());
        o.put("trend_hold", c.trendHold().toString());
        o.put("trend_clear", c.trendClear().toString());
        o.put("anomaly_hold", c.anomalyHold().toString());
        o.put("anomaly_clear", c.anomalyClear().toString());
        o.put("source", "MonitoringConfig.defaults(): the configuration the service runs");
        return o;
    }
}
