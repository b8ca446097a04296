package health.vclinic.inference.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.datasets.imaging.MedMnist;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chest film gate against real films and synthetic non-chest images. Prints the figures it
 * asserts (false "not assessable" rate on held-out films, catch rate per kind of synthetic image).
 */
class CxrAssessabilityTest {

    private static final int SIDE = 28;
    private static MedMnist data;
    private static List<ImageStudy> heldOut;
    private static final CxrAssessability GATE = CxrAssessability.standard();

    @BeforeAll
    static void read() throws IOException {
        data = MedMnist.readPneumonia(ImagingTestSupport.pneumoniaFile());
        heldOut = Stream.concat(data.split(MedMnist.Split.VAL).stream(), data.split(MedMnist.Split.TEST).stream())
                .map(l -> l.study()).toList();
    }

    @Test
    void theCommittedProfileIsWhatFittingTheTrainingSplitGives() throws IOException {
        String committed;
        try (InputStream in = CxrAssessability.class.getResourceAsStream(CxrAssessability.RESOURCE)) {
            committed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(committed, CxrAssessability.toJson(CxrAssessability.fitPneumoniaMnist(ImagingTestSupport.pneumoniaFile())),
                "re-fit with CxrAssessability.main and commit the resource");
    }

    @Test
    void heldOutChestFilmsAreAlmostAlwaysAssessable() {
        long refused = heldOut.stream().filter(s -> GATE.assess(s).isPresent()).count();
        double rate = (double) refused / heldOut.size();
        System.out.printf(Locale.ROOT, "cxr gate: held-out real films (val+test) refused %d of %d = %.2f%%%n", refused,
                heldOut.size(), 100 * rate);
        assertTrue(rate <= 0.015, "false not-assessable rate " + rate);
        assertTrue(refused > 0, "a threshold at the 99.5th training percentile must refuse a few held-out films");
    }

    @Test
    void syntheticNonChestImagesAreCaught() {
        Random random = new Random(20261203);
        Map<String, List<ImageStudy>> kinds = new LinkedHashMap<>();
        kinds.put("uniform (black to white, 21 levels)", generate(21, i -> uniform(i * 255 / 20)));
        kinds.put("inverted held-out films", heldOut.stream().map(CxrAssessabilityTest::inverted).toList());
        kinds.put("white noise", generate(200, i -> noise(random)));
        kinds.put("smooth noise (4x4 upsampled)", generate(200, i -> smoothNoise(random, 4)));
        kinds.put("smooth noise (8x8 upsampled)", generate(200, i -> smoothNoise(random, 8)));
        kinds.put("gradients", generate(8, CxrAssessabilityTest::gradient));
        kinds.put("checkerboards", generate(5, i -> checker(new int[] {1, 2, 4, 7, 14}[i])));
        kinds.put("random rectangles", generate(200, i -> rectangles(random)));
        kinds.put("held-out films rotated 90 degrees", heldOut.stream().map(CxrAssessabilityTest::rotated).toList());
        int caught = 0;
        int total = 0;
        for (Map.Entry<String, List<ImageStudy>> kind : kinds.entrySet()) {
            long n = kind.getValue().stream().filter(s -> GATE.assess(s).isPresent()).count();
            System.out.printf(Locale.ROOT, "cxr gate: %s caught %d of %d = %.1f%%%n", kind.getKey(), n,
                    kind.getValue().size(), 100.0 * n / kind.getValue().size());
            // Coarse smooth blobs are the hardest kind: without the principal-component residual the
            // five global statistics caught 89% of them; with it 97.5%.
            assertTrue(n >= 0.97 * kind.getValue().size(), kind.getKey() + ": caught " + n);
            caught += (int) n;
            total += kind.getValue().size();
        }
        System.out.printf(Locale.ROOT, "cxr gate: all synthetic caught %d of %d = %.2f%%%n", caught, total,
                100.0 * caught / total);
        // Reported, not asserted: an upside-down film keeps most of its statistics.
        long flipped = heldOut.stream().map(CxrAssessabilityTest::upsideDown).filter(s -> GATE.assess(s).isPresent())
                .count();
        System.out.printf(Locale.ROOT, "cxr gate: held-out films upside down caught %d of %d (not required)%n", flipped,
                heldOut.size());
    }

    @Test
    void eachRefusalSaysWhatKindOfImageItIs() {
        assertEquals(NotAssessable.Reason.UNIFORM, GATE.assess(uniform(0)).orElseThrow().reason());
        assertEquals(NotAssessable.Reason.UNIFORM, GATE.assess(uniform(255)).orElseThrow().reason());
        long invertedNamed = heldOut.stream().map(CxrAssessabilityTest::inverted).map(GATE::assess)
                .filter(r -> r.map(n -> n.reason() == NotAssessable.Reason.INVERTED).orElse(false)).count();
        assertTrue(invertedNamed >= 0.95 * heldOut.size(), "inverted films named as such: " + invertedNamed);
        NotAssessable noise = GATE.assess(noise(new Random(1))).orElseThrow();
        assertEquals(NotAssessable.Reason.NOT_A_CHEST_FILM, noise.reason());
        assertTrue(noise.score() > noise.threshold());
        assertTrue(noise.explanation().contains("out-of-distribution score"), noise.explanation());
    }

    @Test
    void aLargeAllBlackImageIsUniformWhateverItsSize() {
        ImageStudy black = new ImageStudy("", 2048, 1536, new byte[2048 * 1536]);
        assertEquals(NotAssessable.Reason.UNIFORM, GATE.assess(black).orElseThrow().reason());
    }

    private static List<ImageStudy> generate(int n, Function<Integer, ImageStudy> make) {
        List<ImageStudy> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(make.apply(i));
        }
        return out;
    }

    private static ImageStudy image(int[] grey) {
        byte[] pixels = new byte[grey.length];
        for (int i = 0; i < grey.length; i++) {
            pixels[i] = (byte) Math.max(0, Math.min(255, grey[i]));
        }
        return new ImageStudy("", SIDE, SIDE, pixels);
    }

    private static ImageStudy uniform(int level) {
        int[] g = new int[SIDE * SIDE];
        java.util.Arrays.fill(g, level);
        return image(g);
    }

    private static ImageStudy noise(Random random) {
        int[] g = new int[SIDE * SIDE];
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextInt(256);
        }
        return image(g);
    }

    /** Random grey values on a coarse grid, bilinearly upsampled: smooth blobs like an out-of-focus photo. */
    private static ImageStudy smoothNoise(Random random, int grid) {
        double[][] coarse = new double[grid + 1][grid + 1];
        for (double[] row : coarse) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextDouble() * 255;
            }
        }
        int[] g = new int[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double fy = y * grid / (SIDE - 1.0);
                double fx = x * grid / (SIDE - 1.0);
                int y0 = Math.min(grid - 1, (int) fy);
                int x0 = Math.min(grid - 1, (int) fx);
                double ty = fy - y0;
                double tx = fx - x0;
                g[y * SIDE + x] = (int) Math.round((1 - ty) * ((1 - tx) * coarse[y0][x0] + tx * coarse[y0][x0 + 1])
                        + ty * ((1 - tx) * coarse[y0 + 1][x0] + tx * coarse[y0 + 1][x0 + 1]));
            }
        }
        return image(g);
    }

    private static ImageStudy gradient(int kind) {
        int[] g = new int[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double fx = x / (SIDE - 1.0);
                double fy = y / (SIDE - 1.0);
                double r = Math.hypot(fx - 0.5, fy - 0.5) / Math.sqrt(0.5);
                double v = switch (kind) {
                    case 0 -> fx;
                    case 1 -> fy;
                    case 2 -> 1 - fx;
                    case 3 -> 1 - fy;
                    case 4 -> (fx + fy) / 2;
                    case 5 -> r;
                    case 6 -> 1 - r;
                    default -> Math.abs(fx - 0.5) * 2;
                };
                g[y * SIDE + x] = (int) Math.round(v * 255);
            }
        }
        return image(g);
    }

    private static ImageStudy checker(int cell) {
        int[] g = new int[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                g[y * SIDE + x] = ((y / cell + x / cell) % 2) * 255;
            }
        }
        return image(g);
    }

    private static ImageStudy rectangles(Random random) {
        int[] g = new int[SIDE * SIDE];
        java.util.Arrays.fill(g, random.nextInt(256));
        int n = 1 + random.nextInt(5);
        for (int k = 0; k < n; k++) {
            int x0 = random.nextInt(SIDE);
            int y0 = random.nextInt(SIDE);
            int w = 3 + random.nextInt(12);
            int h = 3 + random.nextInt(12);
            int v = random.nextInt(256);
            for (int y = y0; y < Math.min(SIDE, y0 + h); y++) {
                for (int x = x0; x < Math.min(SIDE, x0 + w); x++) {
                    g[y * SIDE + x] = v;
                }
            }
        }
        return image(g);
    }

    private static ImageStudy inverted(ImageStudy s) {
        byte[] p = s.pixels();
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (255 - Byte.toUnsignedInt(p[i]));
        }
        return new ImageStudy("", s.width(), s.height(), p);
    }

    private static ImageStudy rotated(ImageStudy s) {
        byte[] p = s.pixels();
        byte[] out = new byte[p.length];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                out[x * SIDE + (SIDE - 1 - y)] = p[y * SIDE + x];
            }
        }
        return new ImageStudy("", SIDE, SIDE, out);
    }

    private static ImageStudy upsideDown(ImageStudy s) {
        byte[] p = s.pixels();
        byte[] out = new byte[p.length];
        for (int y = 0; y < SIDE; y++) {
            System.arraycopy(p, y * SIDE, out, (SIDE - 1 - y) * SIDE, SIDE);
        }
        return new ImageStudy("", SIDE, SIDE, out);
    }
}
