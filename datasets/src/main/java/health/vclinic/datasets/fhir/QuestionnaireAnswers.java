package health.vclinic.datasets.fhir;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemAnswerComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseStatus;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;

/**
 * Reads PHQ-9 and GAD-7 answers and the chief complaint out of one QuestionnaireResponse.
 *
 * <p>Items are found by LOINC code in {@code linkId} (as LOINC's own forms and the SDC examples do:
 * {@code 44250-9} or {@code /44250-9}) or at the end of {@code definition}, at any depth. PHQ-9 (panel
 * 44249-1, Kroenke et al. 2001) items 44250-9, 44255-8, 44259-0, 44254-1, 44251-7, 44258-2, 44252-5,
 * 44253-3, 44260-8, total 44261-6; GAD-7 (panel 69737-5, Spitzer et al. 2006) items 69725-0, 68509-9,
 * 69733-4, 69734-2, 69735-9, 69689-8, 69736-7, total 70274-6. An answer is a {@code valueInteger} 0-3, a
 * LOINC answer (LA6568-5 not at all 0, LA6569-3 several days 1, LA6570-1 more than half the days 2,
 * LA6571-9 nearly every day 3) or a coding with an {@code ordinalValue}. A response that answers some
 * items of an instrument must answer all of them: a partial PHQ-9 could hide item 9 (self-harm).
 *
 * <p>The chief complaint is the {@code valueString} of an item {@code 8661-1} (chief complaint, reported),
 * {@code 10154-3} (chief complaint narrative) or {@code chief-complaint}.
 */
final class QuestionnaireAnswers {

    static final List<String> PHQ9 = List.of("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2",
            "44252-5", "44253-3", "44260-8");
    static final List<String> GAD7 = List.of("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8",
            "69736-7");
    private static final Set<String> COMPLAINT = Set.of("8661-1", "10154-3", "chief-complaint");
    private static final Map<String, Integer> LOINC_ANSWERS = Map.of(
            "LA6568-5", 0, "LA6569-3", 1, "LA6570-1", 2, "LA6571-9", 3);
    private static final Set<String> ORDINAL_EXTENSIONS = Set.of(
            "http://hl7.org/fhir/StructureDefinition/ordinalValue",
            "http://hl7.org/fhir/StructureDefinition/itemWeight");
    private static final Set<QuestionnaireResponseStatus> USABLE = Set.of(QuestionnaireResponseStatus.COMPLETED,
            QuestionnaireResponseStatus.AMENDED);

    private record Instrument(String name, String field, String panel, List<String> items, String total) {
    }

    private static final List<Instrument> INSTRUMENTS = List.of(
            new Instrument("PHQ-9", "interview.phq9", "44249-1", PHQ9, "44261-6"),
            new Instrument("GAD-7", "interview.gad7", "69737-5", GAD7, "70274-6"));

    /** One matched item: its LOINC code (or designated id) and where it sits. */
    private record Item(String code, QuestionnaireResponseItemComponent item, String element) {
    }

    private QuestionnaireAnswers() {
    }

    /** Returns false when the response was not used because of its status (in progress, stopped). */
    static boolean read(Entry entry, Subject subject, Issues issues, List<Finding> out) {
        QuestionnaireResponse qr = (QuestionnaireResponse) entry.resource();
        List<Item> items = new ArrayList<>();
        collect(qr.getItem(), "item", items);
        boolean relevant = items.stream().anyMatch(i -> !i.code().isEmpty())
                || INSTRUMENTS.stream().anyMatch(in -> qr.getQuestionnaire() != null && qr.getQuestionnaire().contains(in.panel()));
        if (!relevant) {
            return true;
        }
        if (!qr.hasStatus()) {
            issues.add(entry, "status", "is required");
            return true;
        }
        if (!USABLE.contains(qr.getStatus())) {
            return false;
        }
        if (!subject.isReferencedBy(qr.getSubject())) {
            issues.add(entry, "subject", "must reference the bundle's one Patient (the record may hold one patient only)");
            return true;
        }
        if (!qr.hasAuthored()) {
            issues.add(entry, "authored", "is required: the look-back window needs the time of the answers");
            return true;
        }
        Instant time = qr.getAuthored().toInstant();
        for (Instrument in : INSTRUMENTS) {
            instrument(entry, qr, in, items, time, issues, out);
        }
        for (Item i : items) {
            if (COMPLAINT.contains(i.code())) {
                complaint(entry, i, time, issues, out);
            }
        }
        return true;
    }

    private static void instrument(Entry entry, QuestionnaireResponse qr, Instrument in, List<Item> items, Instant time,
                                   Issues issues, List<Finding> out) {
        Map<String, Integer> answers = new LinkedHashMap<>();
        boolean named = qr.getQuestionnaire() != null && qr.getQuestionnaire().contains(in.panel());
        boolean anyItem = false;
        int total = -1;
        String totalElement = "";
        for (Item i : items) {
            boolean isItem = in.items().contains(i.code());
            boolean isTotal = in.total().equals(i.code());
            if (!isItem && !isTotal) {
                continue;
            }
            anyItem |= isItem;
            Integer v = answer(entry, i, isTotal ? 0 : 3, issues);
            if (v == null) {
                continue;
            }
            if (isTotal) {
                total = v;
                totalElement = i.element();
            } else if (answers.putIfAbsent(i.code(), v) != null) {
                issues.add(entry, i.element(), "repeats " + in.name() + " item " + i.code() + ": answer each item once");
            }
        }
        if (!anyItem && !named) {
            return;
        }
        List<String> unanswered = in.items().stream().filter(c -> !answers.containsKey(c)).toList();
        if (!unanswered.isEmpty()) {
            issues.add(entry, "item", "must answer every " + in.name() + " item (LOINC " + in.panel()
                    + ", items by linkId); unanswered: " + String.join(", ", unanswered));
            return;
        }
        List<Integer> ordered = in.items().stream().map(answers::get).toList();
        int sum = ordered.stream().mapToInt(Integer::intValue).sum();
        if (total >= 0 && total != sum) {
            issues.add(entry, totalElement, "must equal the sum of the " + in.name() + " item answers (LOINC "
                    + in.total() + ")");
            return;
        }
        out.add(new Finding(in.field(), ordered, time, entry, entry.path() + ".item"));
    }

    /** The answer as a whole number from 0 to {@code max} (0 means no upper bound), or null after an issue. */
    private static Integer answer(Entry entry, Item i, int max, Issues issues) {
        List<QuestionnaireResponseItemAnswerComponent> answers = i.item().getAnswer();
        if (answers.isEmpty()) {
            return null;
        }
        String element = i.element() + ".answer[0].value";
        if (answers.size() > 1) {
            issues.add(entry, i.element() + ".answer", "must hold one answer for item " + i.code());
            return null;
        }
        Type value = answers.getFirst().getValue();
        BigDecimal number = null;
        if (value instanceof IntegerType it) {
            number = BigDecimal.valueOf(it.getValue());
            element += "Integer";
        } else if (value instanceof DecimalType d) {
            number = d.getValue();
            element += "Decimal";
        } else if (value instanceof Coding c) {
            element += "Coding";
            number = ordinal(c);
        }
        String allowed = max == 0 ? "a whole number" : "a whole number from 0 to " + max;
        if (number == null) {
            issues.add(entry, element, "must be " + allowed + " for item " + i.code() + " (valueInteger, a LOINC"
                    + " answer LA6568-5 to LA6571-9, or a coding with an ordinalValue)");
            return null;
        }
        boolean whole = number.signum() == 0 || number.stripTrailingZeros().scale() <= 0;
        if (!whole || number.signum() < 0 || (max > 0 && number.compareTo(BigDecimal.valueOf(max)) > 0)) {
            issues.add(entry, element, "must be " + allowed + " for item " + i.code());
            return null;
        }
        return number.intValueExact();
    }

    private static BigDecimal ordinal(Coding c) {
        if ("http://loinc.org".equals(c.getSystem()) && LOINC_ANSWERS.containsKey(c.getCode())) {
            return BigDecimal.valueOf(LOINC_ANSWERS.get(c.getCode()));
        }
        for (Extension e : c.getExtension()) {
            if (ORDINAL_EXTENSIONS.contains(e.getUrl()) && e.getValue() instanceof DecimalType d && d.getValue() != null) {
                return d.getValue();
            }
        }
        return null;
    }

    private static void complaint(Entry entry, Item i, Instant time, Issues issues, List<Finding> out) {
        List<QuestionnaireResponseItemAnswerComponent> answers = i.item().getAnswer();
        if (answers.isEmpty()) {
            return;
        }
        if (answers.size() > 1 || !(answers.getFirst().getValue() instanceof StringType s)) {
            issues.add(entry, i.element() + ".answer", "must hold one valueString for the chief complaint item");
            return;
        }
        if (s.getValue() != null && !s.getValue().isBlank()) {
            out.add(new Finding(FhirTriageReader.COMPLAINT, s.getValue().strip(), time, entry,
                    entry.path() + "." + i.element() + ".answer[0].valueString"));
        }
    }

    private static void collect(List<QuestionnaireResponseItemComponent> items, String prefix, List<Item> out) {
        for (int k = 0; k < items.size(); k++) {
            QuestionnaireResponseItemComponent item = items.get(k);
            String element = prefix + "[" + k + "]";
            out.add(new Item(code(item), item, element));
            collect(item.getItem(), element + ".item", out);
            List<QuestionnaireResponseItemAnswerComponent> answers = item.getAnswer();
            for (int a = 0; a < answers.size(); a++) {
                collect(answers.get(a).getItem(), element + ".answer[" + a + "].item", out);
            }
        }
    }

    /** The LOINC code or designated id an item carries, or "" when it carries none triage reads. */
    private static String code(QuestionnaireResponseItemComponent item) {
        for (String candidate : new String[] {tail(item.getLinkId()), tail(item.getDefinition())}) {
            if (PHQ9.contains(candidate) || GAD7.contains(candidate) || COMPLAINT.contains(candidate)
                    || INSTRUMENTS.stream().anyMatch(in -> in.total().equals(candidate))) {
                return candidate;
            }
        }
        return "";
    }

    private static String tail(String s) {
        if (s == null) {
            return "";
        }
        int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('#'));
        return s.substring(cut + 1).strip();
    }
}
