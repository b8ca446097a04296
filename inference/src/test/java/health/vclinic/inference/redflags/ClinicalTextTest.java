package health.vclinic.inference.redflags;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class ClinicalTextTest {

    private static List<String> words(String text) {
        return ClinicalText.of(text).tokens().stream().map(ClinicalText.Token::text).toList();
    }

    @Test
    void contractionsNumberWordsAndAbbreviationsAreNormalised() {
        assertEquals(List.of("i", "cannot", "breathe", ",", "h/o", "mi", "5", "mins", "ago"),
                words("I can't breathe, h/o MI five mins ago"));
        assertEquals(List.of("she", "does", "not", "wake", "38.5", "non", "blanching"),
                words("She doesn\u2019t wake 38.5 non-blanching"));
    }

    @Test
    void quotesKeepThePatientsOwnCase() {
        ClinicalText t = ClinicalText.of("Crushing Chest pain");
        assertEquals("Crushing Chest pain", t.quote(0, 3));
    }

    /** The hand-written scanner must cut exactly where the documented regular expression cuts. */
    @Test
    void theScannerAgreesWithTheRegularExpressionOnRandomText() {
        Random random = new Random(11);
        String alphabet = "abcxyz0189 ./',;:!?-h/o\u00e9\n";
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(24);
            for (int k = 0; k < len; k++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            List<int[]> expected = new ArrayList<>();
            Matcher m = ClinicalText.TOKEN.matcher(s);
            while (m.find()) {
                expected.add(new int[] {m.start(), m.end()});
            }
            List<int[]> actual = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                int end = ClinicalText.tokenEnd(s, i);
                if (end == i) {
                    i++;
                } else {
                    actual.add(new int[] {i, end});
                    i = end;
                }
            }
            assertEquals(expected.stream().map(a -> a[0] + "-" + a[1]).toList(),
                    actual.stream().map(a -> a[0] + "-" + a[1]).toList(), "on '" + s + "'");
        }
    }
}
