package health.vclinic.inference.redflags;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The shape of the red-flag rules file, as read from JSON (snake_case keys). Absent lists read as
 * empty. {@link RedFlagRules} checks the meaning (known concepts, levels 1-5, unique ids).
 */
record RulesFile(String version, String language, ContextSpec context, Map<String, ConceptSpec> concepts,
                 List<RuleSpec> rules) {

    RulesFile {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(context, "context");
        concepts = concepts == null ? Map.of() : Map.copyOf(concepts);
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    record ContextSpec(List<String> negationBefore, List<String> negationAfter, List<String> historyBefore,
                       List<String> historyAfter, List<String> pseudo, List<String> scopeTerminators) {
        ContextSpec {
            negationBefore = orEmpty(negationBefore);
            negationAfter = orEmpty(negationAfter);
            historyBefore = orEmpty(historyBefore);
            historyAfter = orEmpty(historyAfter);
            pseudo = orEmpty(pseudo);
            scopeTerminators = orEmpty(scopeTerminators);
        }
    }

    /**
     * A clinical concept and every way it can be present: words in the complaint, structured answers,
     * vital signs, consciousness, pregnancy, a questionnaire item.
     */
    record ConceptSpec(String description, List<String> phrases, List<AnswerSpec> answers, List<VitalSpec> vitals,
                       List<String> consciousness, Boolean pregnant, List<ItemSpec> questionnaire) {
        ConceptSpec {
            description = description == null ? "" : description;
            phrases = orEmpty(phrases);
            answers = orEmpty(answers);
            vitals = orEmpty(vitals);
            consciousness = orEmpty(consciousness);
            questionnaire = orEmpty(questionnaire);
        }
    }

    /** An answer to a structured question: one of {@code values} (any case), or a number of at least {@code min}. */
    record AnswerSpec(String question, List<String> values, Double min) {
        AnswerSpec {
            Objects.requireNonNull(question, "question");
            values = orEmpty(values);
        }
    }

    /** A vital sign at least {@code min} and/or at most {@code max}. */
    record VitalSpec(String field, Double min, Double max) {
        VitalSpec {
            Objects.requireNonNull(field, "field");
        }
    }

    /** A questionnaire item (numbered from 1) answered at least {@code min}. */
    record ItemSpec(String instrument, int item, int min) {
        ItemSpec {
            Objects.requireNonNull(instrument, "instrument");
        }
    }

    record RuleSpec(String id, String description, int floorLevel, String disposition, String rationale,
                    String source, Double minAgeYears, Double maxAgeYears, List<List<String>> when) {
        RuleSpec {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(rationale, "rationale");
            Objects.requireNonNull(source, "source");
            when = orEmpty(when).stream().map(List::copyOf).toList();
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
