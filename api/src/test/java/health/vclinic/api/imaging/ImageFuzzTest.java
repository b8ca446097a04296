package health.vclinic.api.imaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.imaging.ImageDecoder;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.datasets.imaging.ImageStudy;

/**
 * Fuzzing the image decoder every imaging and triage request goes through: any bytes decode to a study
 * within the limits or are refused as invalid input naming the field; never another exception, never
 * an image larger than the pixel limit. {@code ./vclinic test} replays the corpus.
 */
class ImageFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void everyByteStringDecodesWithinTheLimitsOrIsRefusedAsInvalid(byte[] bytes) {
        try {
            ImageStudy study = ImageDecoder.decode(bytes, ImageLimits.DEFAULT, "fuzz", "image");
            assertTrue(study != null);
        } catch (InvalidInputException e) {
            assertTrue(e.violations().stream().allMatch(v -> v.field().equals("image")), e.getMessage());
        }
    }
}
