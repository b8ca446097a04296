package health.vclinic.inference.redflags;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.VitalSigns;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/** A compiled concept: its phrases, and the structured facts that also establish it. */
final class Concept {

    private static final Map<String, Function<VitalSigns, OptionalDouble>> VITALS = Map.of(
            "heart_rate", VitalSigns::heartRate,
            "respiratory_rate", VitalSigns::respiratoryRate,
            "systolic_bp", VitalSigns::systolicBp,
            "diastolic_bp", VitalSigns::diastolicBp,
            "temperature_c", VitalSigns::temperatureC,
            "spo2", VitalSigns::spo2);

    private final String name;
    private final List<Phrase> phrases;
    private final RulesFile.ConceptSpec spec;
    private final List<Consciousness> consciousness;

    Concept(String name, RulesFile.ConceptSpec spec) {
        this.name = name;
        this.spec = spec;
        this.phrases = spec.phrases().stream().map(Phrase::compile).toList();
        this.consciousness = spec.consciousness().stream().map(Consciousness::valueOf).toList();
        for (RulesFile.VitalSpec v : spec.vitals()) {
            if (!VITALS.containsKey(v.field())) {
                throw new IllegalArgumentException("concept " + name + ": unknown vital sign " + v.field());
            }
            if (v.min() == null && v.max() == null) {
                throw new IllegalArgumentException("concept " + name + ": a vital-sign condition needs min or max");
            }
        }
        for (RulesFile.AnswerSpec a : spec.answers()) {
            if (a.values().isEmpty() == (a.min() == null)) {
                throw new IllegalArgumentException("concept " + name + ": an answer condition needs values or min");
            }
        }
        for (RulesFile.ItemSpec q : spec.questionnaire()) {
            int items = switch (q.instrument()) {
                case "PHQ-9" -> 9;
                case "GAD-7" -> 7;
                default -> throw new IllegalArgumentException("concept " + name + ": unknown instrument " + q.instrument());
            };
            if (q.item() < 1 || q.item() > items) {
                throw new IllegalArgumentException("concept " + name + ": no item " + q.item() + " in " + q.instrument());
            }
        }
    }

    String name() {
        return name;
    }

    /** True when something other than words can establish the concept. */
    boolean structured() {
        return !spec.answers().isEmpty() || !spec.vitals().isEmpty() || !consciousness.isEmpty()
                || Boolean.TRUE.equals(spec.pregnant()) || !spec.questionnaire().isEmpty();
    }

    List<Phrase> phrases() {
        return phrases;
    }

    /** Evidence from everything but the free text: answers, vitals, consciousness, pregnancy, items. */
    List<String> structuredEvidence(Encounter encounter) {
        List<String> evidence = new ArrayList<>();
        Map<String, String> answers = encounter.interview().answers();
        for (RulesFile.AnswerSpec a : spec.answers()) {
            answer(answers, a.question()).ifPresent(value -> {
                boolean listed = a.values().stream().anyMatch(v -> v.equalsIgnoreCase(value.trim()));
                if (listed || (a.min() != null && number(value).filter(n -> n >= a.min()).isPresent())) {
                    evidence.add("answers." + a.question() + " = " + value.trim());
                }
            });
        }
        VitalSigns vitals = encounter.vitals();
        for (RulesFile.VitalSpec v : spec.vitals()) {
            OptionalDouble value = VITALS.get(v.field()).apply(vitals);
            if (value.isPresent()
                    && (v.min() == null || value.getAsDouble() >= v.min())
                    && (v.max() == null || value.getAsDouble() <= v.max())) {
                evidence.add("vitals." + v.field() + " " + format(value.getAsDouble()));
            }
        }
        vitals.consciousness().filter(consciousness::contains).ifPresent(c ->
                evidence.add("vitals.consciousness " + c.name()));
        if (Boolean.TRUE.equals(spec.pregnant()) && encounter.patient().knownPregnant()) {
            evidence.add("patient.pregnant");
        }
        for (RulesFile.ItemSpec q : spec.questionnaire()) {
            List<Integer> items = q.instrument().equals("PHQ-9")
                    ? encounter.interview().phq9() : encounter.interview().gad7();
            if (!items.isEmpty() && items.get(q.item() - 1) >= q.min()) {
                evidence.add(q.instrument() + " item " + q.item() + " = " + items.get(q.item() - 1));
            }
        }
        return evidence;
    }

    private static Optional<String> answer(Map<String, String> answers, String question) {
        String direct = answers.get(question);
        if (direct != null || answers.isEmpty()) {
            return Optional.ofNullable(direct);
        }
        return answers.entrySet().stream()
                .filter(e -> e.getKey().trim().toLowerCase(Locale.ROOT).equals(question))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    private static Optional<Double> number(String value) {
        try {
            double d = Double.parseDouble(value.trim());
            return Double.isFinite(d) ? Optional.of(d) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
