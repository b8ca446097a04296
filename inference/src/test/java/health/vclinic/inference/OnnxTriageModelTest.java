package health.vclinic.inference;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.ktas.KtasVisit;
import health.vclinic.inference.features.TriageFeatures;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ResolvedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped triage model, run by ONNX Runtime on the KTAS test site. */
class OnnxTriageModelTest {

    private static final TriageEngine RULES_ONLY = new TriageEngine(ServedModelFixture.RULES);
    private static final List<KtasVisit> TEST_SITE = ServedModelFixture.testSite().visits();
    private static OnnxTriageModel model;

    @BeforeAll
    static void load() {
        model = ServedModelFixture.load();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void fillsFiveCalibratedProbabilitiesAndDecidesByTheCardsRule() {
        for (KtasVisit v : TEST_SITE) {
            Encounter e = v.encounter();
            ModelOpinion opinion = model.predict(e, RULES_ONLY.findings(e));
            double[] p = opinion.levelProbabilities().stream().mapToDouble(Double::doubleValue).toArray();
            assertEquals(5, p.length);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-9, e.encounterId());
            assertEquals(model.spec().decide(p), opinion.level(), e.encounterId());
            assertEquals("model:" + model.id(), opinion.source());
        }
    }

    @Test
    void explanationsExplainTheUrgencyScoreAndSayWhenTheyAreApproximate() {
        for (KtasVisit v : TEST_SITE.subList(0, 100)) {
            Encounter e = v.encounter();
            OnnxTriageModel.Explanation x = model.explain(e, RULES_ONLY.findings(e));
            double[] p = x.probabilities();
            double[] logP = Arrays.stream(p).map(Math::log).toArray();
            assertEquals(OnnxTriageModel.urgency(logP), x.logit(), 1e-9, e.encounterId());
            ModelOpinion opinion = model.predict(e, RULES_ONLY.findings(e));
            for (String r : opinion.reasons()) {
                assertTrue(r.contains(": towards more urgent (+") || r.contains(": towards less urgent (-"), r);
                assertEquals(!model.spec().exactExplanation(), r.endsWith(", approximate)"), r);
            }
        }
    }

    @Test
    void theUrgencyScoreIsTheMeanLogOddsOfBeingAtLeastThisUrgent() {
        double[] p = {0.1, 0.2, 0.3, 0.3, 0.1};
        double expected = (Math.log(0.1 / 0.9) + Math.log(0.3 / 0.7) + Math.log(0.6 / 0.4) + Math.log(0.9 / 0.1)) / 4;
        assertEquals(expected, OnnxTriageModel.urgency(Arrays.stream(p).map(Math::log).toArray()), 1e-12);
    }

    @Test
    void theServedFactorizationMachineInClosedFormAnswersAsOnnxRuntime() {
        assertTrue(model.answersInClosedForm(), "the served model is a factorization machine read from its graph");
        double largest = 0;
        double probabilityGap = 0;
        for (KtasVisit v : TEST_SITE) {
            Encounter e = v.encounter();
            RuleFindings findings = RULES_ONLY.findings(e);
            OnnxTriageModel.Explanation closed = model.explain(e, findings);
            OnnxTriageModel.Explanation rows = model.explainWithOnnxRows(e, findings);
            assertEquals(rows.level(), closed.level(), e.encounterId());
            // ONNX Runtime computes the graph in float32, the closed form in double rounded to float32 at
            // the output: they agree to float32's rounding.
            for (int l = 0; l < 5; l++) {
                double gap = Math.abs(rows.probabilities()[l] - closed.probabilities()[l]);
                assertTrue(gap <= 1e-6, e.encounterId() + " level " + (l + 1) + ": " + gap);
                probabilityGap = Math.max(probabilityGap, gap);
            }
            assertEquals(rows.logit(), closed.logit(), 1e-5, e.encounterId());
            assertEquals(rows.intercept(), closed.intercept(), 0.0, e.encounterId());
            assertEquals(rows.contributions().size(), closed.contributions().size(), e.encounterId());
            for (int i = 0; i < rows.contributions().size(); i++) {
                OnnxTriageModel.Contribution r = rows.contributions().get(i);
                OnnxTriageModel.Contribution c = closed.contributions().get(i);
                assertEquals(r.input(), c.input(), e.encounterId());
                assertEquals(r.words(), c.words(), e.encounterId());
                // ONNX Runtime computes in float32: the two agree to its rounding.
                assertEquals(r.value(), c.value(), 1e-5, e.encounterId() + " " + r.input());
                largest = Math.max(largest, Math.abs(r.value()));
            }
        }
        assertTrue(largest > 0.5, "the visits have contributions worth comparing: " + largest);
        assertTrue(model.closedFormDisagreements() == 0 && model.answersInClosedForm(),
                "no shadow check over " + TEST_SITE.size() + " calls found a difference");
        System.out.println("largest probability gap, closed form against ONNX Runtime: " + probabilityGap);
    }

    @Test
    void aShadowCheckThatFindsTheClosedFormDifferingHandsEveryLaterCallToOnnxRuntime() {
        try (OnnxTriageModel own = ServedModelFixture.load()) {
            Encounter e = TEST_SITE.get(7).encounter();
            RuleFindings findings = RULES_ONLY.findings(e);
            float[] x = own.inputs(e, findings);
            double[] onnx = own.rawProbabilitiesByColumn(x);
            assertTrue(own.agreesWithOnnx(x, onnx), "ONNX Runtime's own output agrees");
            assertTrue(own.answersInClosedForm());
            double[] off = onnx.clone();
            off[0] += 2e-5;
            off[1] -= 2e-5;
            assertFalse(own.agreesWithOnnx(x, off), "a difference over 1e-5 is found");
            assertEquals(1, own.closedFormDisagreements());
            assertFalse(own.answersInClosedForm(), "the closed form is no longer used");
            OnnxTriageModel.Explanation served = own.explain(e, findings);
            OnnxTriageModel.Explanation rows = own.explainWithOnnxRows(e, findings);
            assertArrayEquals(rows.probabilities(), served.probabilities(), 0.0, "ONNX Runtime answers");
            assertEquals(rows.contributions(), served.contributions());
            // The opinion an Assess call gets, too.
            long runs = own.onnxRuns();
            ModelOpinion opinion = own.predict(e, findings);
            assertEquals(runs + 1, own.onnxRuns(),
                    "one ONNX Runtime call with the input row, the zero row and one row per input");
            assertArrayEquals(rows.probabilities(),
                    opinion.levelProbabilities().stream().mapToDouble(Double::doubleValue).toArray(), 0.0);
        }
    }

    @Test
    void oneServedCallInSoManyIsCheckedAgainstOnnxRuntime() {
        try (OnnxTriageModel own = ServedModelFixture.load()) {
            Encounter e = TEST_SITE.get(3).encounter();
            RuleFindings findings = RULES_ONLY.findings(e);
            long before = own.onnxRuns();
            for (int i = 0; i < 2 * OnnxTriageModel.SHADOW_EVERY; i++) {
                own.explain(e, findings);
                own.predict(e, findings);
            }
            assertEquals(4, own.onnxRuns() - before, "four shadow checks in four times SHADOW_EVERY calls");
        }
    }

    @Test
    void aModelThatIsNoFactorizationMachineKeepsTheOnnxOcclusionRows() {
        ResolvedModel logistic = ModelRepository.open(ServedModelFixture.projectRoot()
                .resolve(ModelRepository.DEFAULT_RELATIVE_ROOT)).resolve(OnnxTriageModel.TASK, 1);
        try (OnnxTriageModel v1 = OnnxTriageModel.load(logistic, ServedModelFixture.RULES)) {
            assertFalse(v1.answersInClosedForm(), v1.toString());
            Encounter e = TEST_SITE.getFirst().encounter();
            assertEquals(v1.explainWithOnnxRows(e, RULES_ONLY.findings(e)).contributions(),
                    v1.explain(e, RULES_ONLY.findings(e)).contributions());
        }
    }

    @Test
    void reasonsWriteContributionsAsTheFormatterWould() {
        List<Double> values = new java.util.ArrayList<>(List.of(0.0, -0.0, 0.005, -0.005, 0.125, -0.125, 1.005,
                2.675, -2.675, 0.994999, 0.995, -0.995, 9.999, 10.0, 123.456, -0.0049999, 1e-9, -1e-9));
        java.util.SplittableRandom random = new java.util.SplittableRandom(15);
        for (int i = 0; i < 200_000; i++) {
            values.add(random.nextDouble(-12, 12) / (1 + random.nextInt(1000)));
            values.add(Math.round(random.nextDouble(-2000, 2000)) / 400.0); // exact and near ties
        }
        for (double v : values) {
            assertEquals(String.format(java.util.Locale.ROOT, "%+.2f", v), OnnxTriageModel.signedHundredths(v),
                    Double.toString(v));
        }
    }

    @Test
    void reasonsAreTheLargestContributionsInPlainWords() {
        Encounter e = TEST_SITE.stream().map(KtasVisit::encounter)
                .filter(x -> x.interview().chiefComplaint().equals("ant. chest pain")).findFirst().orElseThrow();
        ModelOpinion opinion = model.predict(e, RULES_ONLY.findings(e));
        OnnxTriageModel.Explanation x = model.explain(e, RULES_ONLY.findings(e));

        assertEquals(OnnxTriageModel.REASONS, opinion.reasons().size());
        assertTrue(opinion.reasons().getFirst().startsWith(x.contributions().getFirst().words()), opinion.reasons().toString());
        assertTrue(opinion.reasons().stream().anyMatch(r -> r.startsWith("complaint words 'chest', 'chest pain', 'pain'")
                && r.contains("towards more urgent")), opinion.reasons().toString());
        for (int i = 1; i < x.contributions().size(); i++) {
            assertTrue(Math.abs(x.contributions().get(i - 1).value()) >= Math.abs(x.contributions().get(i).value()));
        }
        // One reason per clinical input: the heart rate's value and NEWS2 points are not listed apart.
        assertEquals(x.contributions().size(), x.contributions().stream().map(OnnxTriageModel.Contribution::input)
                .distinct().count());
    }

    @Test
    void oneSessionServesConcurrentRequestsWithTheSameAnswers() {
        double[][] sequential = TEST_SITE.stream().map(v -> model.rawProbabilities(v.encounter(),
                RULES_ONLY.findings(v.encounter()))).toArray(double[][]::new);
        double[][] parallel = TEST_SITE.parallelStream().map(v -> model.rawProbabilities(v.encounter(),
                RULES_ONLY.findings(v.encounter()))).toArray(double[][]::new);
        for (int i = 0; i < sequential.length; i++) {
            assertArrayEquals(sequential[i], parallel[i], 0.0);
        }
        // Explanations too: their input rows are written into pooled buffers, which no two calls may share.
        List<OnnxTriageModel.Explanation> one = TEST_SITE.stream().map(v -> model.explain(v.encounter(),
                RULES_ONLY.findings(v.encounter()))).toList();
        List<OnnxTriageModel.Explanation> many = TEST_SITE.parallelStream().map(v -> model.explain(v.encounter(),
                RULES_ONLY.findings(v.encounter()))).toList();
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.get(i).probabilities(), many.get(i).probabilities(), 0.0);
            assertEquals(one.get(i).contributions(), many.get(i).contributions());
            assertEquals(one.get(i).intercept(), many.get(i).intercept(), 0.0);
        }
    }

    @Test
    void theServedInputIsTheExtractorsOutputInCardOrder() {
        TriageFeatures features = TriageFeatures.create(model.spec().featureVersion(), model.spec().vocabulary(),
                ServedModelFixture.RULES);
        int[] gather = features.indicesOf(model.spec().featureNames());
        for (KtasVisit v : TEST_SITE.subList(0, 50)) {
            RuleFindings findings = RULES_ONLY.findings(v.encounter());
            double[] all = features.extract(v.encounter(), findings);
            float[] input = model.inputs(v.encounter(), findings);
            for (int j = 0; j < gather.length; j++) {
                assertEquals((float) all[gather[j]], input[j], 0f, model.spec().featureNames().get(j));
            }
        }
    }

    @Test
    void refusesAModelWhoseFeaturesThisServiceCannotBuild(@TempDir Path dir) throws IOException {
        ObjectNode card = (ObjectNode) ServedModelFixture.resolved().card().json();
        ((ArrayNode) card.at("/features/names")).set(0, "vital:blood_glucose");
        ResolvedModel copy = copy(dir, card);

        var e = assertThrows(InferenceException.class, () -> OnnxTriageModel.load(copy, ServedModelFixture.RULES));
        assertTrue(e.getMessage().contains("vital:blood_glucose"), e.getMessage());
        assertTrue(e.getMessage().contains("triage-acuity@1"), e.getMessage());
    }

    @Test
    void refusesAModelTrainedOnAnotherFeatureVersion(@TempDir Path dir) throws IOException {
        ObjectNode card = (ObjectNode) ServedModelFixture.resolved().card().json();
        ((ObjectNode) card.get("features")).put("version", "vclinic-triage-features/0");

        var e = assertThrows(InferenceException.class, () -> OnnxTriageModel.load(copy(dir, card), ServedModelFixture.RULES));
        assertTrue(e.getMessage().contains("vclinic-triage-features/0"), e.getMessage());
        assertFalse(e.getMessage().contains("null"), e.getMessage());
    }

    /** The shipped model's ONNX file under a fresh repository with {@code card} as version 1. */
    private static ResolvedModel copy(Path dir, ObjectNode card) throws IOException {
        ResolvedModel shipped = ServedModelFixture.resolved();
        Path version = Files.createDirectories(dir.resolve("triage-acuity/1"));
        Files.copy(shipped.directory().getParent().resolve(ModelRepository.CARD_FILE),
                dir.resolve("triage-acuity").resolve(ModelRepository.CARD_FILE));
        Files.copy(shipped.artifact(OnnxTriageModel.ARTIFACT), version.resolve(OnnxTriageModel.ARTIFACT));
        Files.writeString(version.resolve(ModelRepository.CARD_FILE), new ObjectMapper().writeValueAsString(card));
        // Version 1 by name: the shipped model card may pin another version.
        return ModelRepository.open(dir).resolve(OnnxTriageModel.TASK, 1);
    }
}
