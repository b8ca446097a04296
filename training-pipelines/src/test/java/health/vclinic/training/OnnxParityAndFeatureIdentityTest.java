package health.vclinic.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.ktas.KtasFiles;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageModelSpec;
import health.vclinic.inference.features.TriageFeatures;
import health.vclinic.training.TrainingConfig.Candidate;
import health.vclinic.training.TrainingConfig.Family;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Every family the pipeline can serve, fitted on the training site: ONNX Runtime must reproduce
 * Tribuo's probabilities on the test site, and the input the served model builds must be the example
 * training built, feature for feature. (LibLinear is left out: Tribuo 4.3.2's export of a multi-class
 * LibLinear model does not reproduce its probabilities, which the pipeline detects and refuses; see
 * {@link TriageAcuityPipelineTest}.)
 */
class OnnxParityAndFeatureIdentityTest {

    private static final TrainingConfig CONFIG = Fixtures.smallConfig();
    private static final List<TriageTable.Case> TRAIN = Fixtures.cases(Fixtures.read(KtasFiles.TRAIN));
    private static final List<TriageTable.Case> TEST = Fixtures.cases(Fixtures.read(KtasFiles.TEST));
    private static final TriageTable TABLE = TriageTable.fit(TRAIN, CONFIG, Fixtures.RULES);

    @ParameterizedTest
    @EnumSource(value = Family.class, names = {"LOGISTIC_REGRESSION_SGD", "FACTORIZATION_MACHINE", "ENSEMBLE"})
    void onnxRuntimeAgreesWithTribuoOnTheTestSiteAndTheServedInputIsTheTrainingExample(Family family) {
        Model<Label> model = fit(family);
        byte[] onnx = OnnxExport.export(model);
        TriageModelSpec spec = spec(model);
        double worst = 0;
        try (OnnxTriageModel served = OnnxTriageModel.load("triage-acuity@test", onnx, spec, Fixtures.RULES)) {
            for (TriageTable.Case c : TEST) {
                double[] tribuo = TriageAcuityPipeline.probabilities(model, TABLE.example(c));
                double[] ort = served.rawProbabilities(c.visit().encounter(), c.findings());
                for (int l = 0; l < 5; l++) {
                    worst = Math.max(worst, Math.abs(tribuo[l] - ort[l]));
                }
            }
            for (List<TriageTable.Case> site : List.of(TRAIN, TEST)) {
                for (TriageTable.Case c : site) {
                    assertEquals(training(TABLE.example(c)), serving(served, spec, c), c.visit().encounter().encounterId());
                }
            }
        }
        assertTrue(worst <= 1e-5, family + ": ONNX Runtime and Tribuo differ by " + worst);
    }

    private static Model<Label> fit(Family family) {
        var dataset = TABLE.dataset(TRAIN, "KTAS training site");
        Candidate logistic = candidate("logistic", Family.LOGISTIC_REGRESSION_SGD, List.of());
        Candidate fm = candidate("fm", Family.FACTORIZATION_MACHINE, List.of());
        return switch (family) {
            case LOGISTIC_REGRESSION_SGD -> Candidates.trainer(logistic, 7).train(dataset);
            case FACTORIZATION_MACHINE -> Candidates.trainer(fm, 7).train(dataset);
            case LIBLINEAR -> Candidates.trainer(candidate("liblinear", Family.LIBLINEAR, List.of()), 7).train(dataset);
            case ORDINAL_LOGIT, ORDINAL_CHAIN, SMALL_NETWORK -> throw new IllegalArgumentException("not a Tribuo model");
            case ENSEMBLE -> Candidates.ensemble(candidate("both", Family.ENSEMBLE, List.of("logistic", "fm")),
                    List.of(Candidates.trainer(logistic, 7).train(dataset), Candidates.trainer(fm, 7).train(dataset)));
        };
    }

    private static Candidate candidate(String name, Family family, List<String> members) {
        return CONFIG.candidates().stream().filter(c -> c.family() == family).findFirst()
                .map(c -> new Candidate(name, family, c.settings(), members))
                .orElseGet(() -> new Candidate(name, family, TrainingConfig.defaults().candidates().stream()
                        .filter(c -> c.family() == family).findFirst().orElseThrow().settings(), members));
    }

    private static TriageModelSpec spec(Model<Label> model) {
        List<Integer> levels = new ArrayList<>();
        for (int id = 0; id < model.getOutputIDInfo().size(); id++) {
            levels.add(Integer.parseInt(model.getOutputIDInfo().getOutput(id).getLabel()));
        }
        List<String> names = new ArrayList<>();
        for (int id = 0; id < model.getFeatureIDMap().size(); id++) {
            names.add(model.getFeatureIDMap().get(id).getName());
        }
        return new TriageModelSpec(OnnxExport.INPUT, OnnxExport.OUTPUT, levels, TriageFeatures.VERSION, names,
                TABLE.features().vocabulary(), 1.0, CONFIG.costs(), false);
    }

    /** Feature name to value, as training gives it to Tribuo. */
    private static Map<String, Float> training(Example<Label> example) {
        Map<String, Float> values = new TreeMap<>();
        for (Feature f : example) {
            values.put(f.getName(), (float) f.getValue());
        }
        return values;
    }

    /** Feature name to value, as the served model gives it to ONNX Runtime. */
    private static Map<String, Float> serving(OnnxTriageModel served, TriageModelSpec spec, TriageTable.Case c) {
        float[] input = served.inputs(c.visit().encounter(), c.findings());
        Map<String, Float> values = new TreeMap<>();
        for (int j = 0; j < input.length; j++) {
            values.put(spec.featureNames().get(j), input[j]);
        }
        return values;
    }
}
