package health.vclinic.training;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.training.ecg.EcgBeatConfig;
import health.vclinic.training.imaging.CxrTrainingConfig;
import health.vclinic.training.monitoring.ForestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cxr, ecg and monitoring-forest configuration files are read strictly: every mistake is refused
 * with the key named, never turned into a default or truncated.
 */
class PipelineConfigFilesTest {

    private static <T extends Record> String refusal(String json, T defaults, Class<T> type) {
        return assertThrows(TrainingException.class, () -> ConfigFiles.parse(json.getBytes(UTF_8), "test.json",
                defaults, type)).getMessage();
    }

    private static void assertNames(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
        }
    }

    @Test
    void aWordForAnIntIsRefusedNotDefaulted() {
        assertNames(refusal("{\"epochs\": \"forty\"}", EcgBeatConfig.DEFAULT, EcgBeatConfig.class),
                "test.json", "'epochs'", "whole number");
        assertNames(refusal("{\"trees\": \"100\"}", ForestConfig.DEFAULT, ForestConfig.class), "'trees'", "whole number");
        assertNames(refusal("{\"data\": 5}", ForestConfig.DEFAULT, ForestConfig.class), "'data'", "string");
        assertNames(refusal("{\"learning-rate\": \"fast\"}", CxrTrainingConfig.DEFAULT, CxrTrainingConfig.class),
                "'learning-rate'", "a number");
        assertNames(refusal("{\"seed\": null}", EcgBeatConfig.DEFAULT, EcgBeatConfig.class), "'seed'");
    }

    @Test
    void aFractionForAnIntIsRefusedNotTruncated() {
        assertNames(refusal("{\"seed\": 2.9}", EcgBeatConfig.DEFAULT, EcgBeatConfig.class), "'seed'", "whole number");
        assertNames(refusal("{\"seed\": 2.9}", ForestConfig.DEFAULT, ForestConfig.class), "'seed'", "whole number");
        assertNames(refusal("{\"seed\": 2.9}", CxrTrainingConfig.DEFAULT, CxrTrainingConfig.class), "'seed'");
        assertNames(refusal("{\"channels\": [8, 16.5]}", CxrTrainingConfig.DEFAULT, CxrTrainingConfig.class),
                "'channels[1]'", "whole number");
        assertNames(refusal("{\"trees\": 3000000000}", ForestConfig.DEFAULT, ForestConfig.class), "'trees'");
    }

    @Test
    void unknownKeysAreRefusedWithTheKnownOnesListed() {
        assertNames(refusal("{\"epoch\": 3}", EcgBeatConfig.DEFAULT, EcgBeatConfig.class),
                "unknown key 'epoch'", "epochs", "batch-size");
        assertNames(refusal("{\"tree\": 3}", ForestConfig.DEFAULT, ForestConfig.class), "unknown key 'tree'", "trees");
        assertNames(refusal("{\"augmentation\": {\"flip\": true}}", CxrTrainingConfig.DEFAULT, CxrTrainingConfig.class),
                "unknown key 'augmentation.flip'", "max-scale");
        assertNames(refusal("{\"seed\": 1, \"seed\": 2}", EcgBeatConfig.DEFAULT, EcgBeatConfig.class),
                "not valid JSON", "seed");
        assertNames(refusal("[1]", EcgBeatConfig.DEFAULT, EcgBeatConfig.class), "one JSON object");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ecg|{\"epochs\": 0}|'epochs' must be at least 1",
        "ecg|{\"folds\": 1}|'folds' must be 0 (no cross-validation) or at least 2",
        "ecg|{\"learning-rate\": -0.1}|'learning-rate' must be a positive number",
        "forest|{\"train-fraction\": 1.5}|'train-fraction' must be between 0 and 1",
        "forest|{\"medium-quantile\": 0.9}|'medium-quantile' must be at least low-quantile",
        "forest|{\"sample-size\": 1}|'sample-size' must be at least 2",
        "cxr|{\"batch-size\": 1}|'batch-size' must be at least 2",
        "cxr|{\"augmentation\": {\"max-scale\": 1.5}}|'augmentation.max-scale' must be from 0 to below 1",
        "cxr|{\"channels\": []}|'channels' / 'dropout'",
    })
    void valuesOutOfRangeAreRefusedWithTheRange(String pipeline, String json, String expected) {
        String message = switch (pipeline) {
            case "ecg" -> refusal(json, EcgBeatConfig.DEFAULT, EcgBeatConfig.class);
            case "forest" -> refusal(json, ForestConfig.DEFAULT, ForestConfig.class);
            default -> refusal(json, CxrTrainingConfig.DEFAULT, CxrTrainingConfig.class);
        };
        assertNames(message, "test.json", expected);
    }

    @Test
    void aPartialFileKeepsEveryOtherDefaultAndTheCardSpellsItAsAFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("forest.json");
        Files.writeString(file, "{\"trees\": 50, \"low-quantile\": 0.95}");
        ForestConfig forest = ForestConfig.load(file);
        assertEquals(50, forest.trees());
        assertEquals(0.95, forest.lowQuantile());
        assertEquals(ForestConfig.DEFAULT.sampleSize(), forest.sampleSize());
        assertEquals(List.of("data", "split-seed", "train-fraction", "seed", "trees", "sample-size", "low-quantile",
                "medium-quantile", "stay-limit"), List.copyOf(forest.json().propertyStream().map(e -> e.getKey()).toList()));

        CxrTrainingConfig cxr = ConfigFiles.parse("{\"learning-rate\": 1, \"augmentation\": {\"max-scale\": 0.2}}"
                .getBytes(UTF_8), "cxr.json", CxrTrainingConfig.DEFAULT, CxrTrainingConfig.class);
        assertEquals(1f, cxr.learningRate(), "a whole number is a fine float");
        assertEquals(0.2f, cxr.augmentation().maxScale());
        assertEquals(CxrTrainingConfig.DEFAULT.augmentation().maxContrast(), cxr.augmentation().maxContrast());
        assertEquals(CxrTrainingConfig.DEFAULT, ConfigFiles.parse(CxrTrainingConfig.DEFAULT.json().toString()
                .getBytes(UTF_8), "card", CxrTrainingConfig.DEFAULT, CxrTrainingConfig.class), "the card's copy reads back");
        assertEquals("0.003", EcgBeatConfig.DEFAULT.json().get("learning-rate").toString(), "floats written as floats");
    }
}
