package health.vclinic.training;

import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.ktas.KtasVisit;
import health.vclinic.inference.RuleFindings;
import health.vclinic.inference.features.ComplaintVocabulary;
import health.vclinic.inference.features.ReviewedInput;
import health.vclinic.inference.features.TriageFeatures;
import health.vclinic.inference.redflags.RedFlagRules;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Visits turned into Tribuo examples by the service's own {@link TriageFeatures}, with a vocabulary
 * learned on the visits the table is fitted on. Two kinds of feature are left out: those the
 * configuration excludes, and those constant on the fitted visits, which carry no information and
 * would act as a second intercept that shifts when a service does provide the value (this data has no
 * SpO2, for one).
 */
final class TriageTable {

    /** One training row: a KTAS visit or a clinician's reviewed case. */
    sealed interface Row permits Case, Reviewed {
        Encounter encounter();

        RuleFindings findings();

        /** The reference level: the expert panel's, or the clinician's. */
        int level();

        /** How much the row counts against one KTAS visit. */
        double weight();

        /** The row's features. */
        double[] extract(TriageFeatures features);

        /** The complaint's terms as the extractor reads them, before a vocabulary filters them. */
        Set<String> complaintTerms(RedFlagRules rules);

        default Label label() {
            return new Label(Integer.toString(level()));
        }
    }

    /** A visit with its rule findings, computed once by the engine the service runs. */
    record Case(KtasVisit visit, RuleFindings findings) implements Row {
        @Override
        public Encounter encounter() {
            return visit.encounter();
        }

        @Override
        public int level() {
            return visit.expertLevel();
        }

        @Override
        public double weight() {
            return 1;
        }

        @Override
        public double[] extract(TriageFeatures features) {
            return features.extract(visit.encounter(), findings);
        }

        @Override
        public Set<String> complaintTerms(RedFlagRules rules) {
            return TriageFeatures.complaintTerms(TriageFeatures.VERSION, rules, visit.encounter().interview().chiefComplaint());
        }
    }

    /**
     * A clinician's reviewed case: its complaint is known only as read ({@link ReviewedInput}), its level is the
     * clinician's.
     */
    record Reviewed(ReviewedInput input, int level, double weight) implements Row {
        @Override
        public Encounter encounter() {
            return input.encounter();
        }

        @Override
        public RuleFindings findings() {
            return input.findings();
        }

        @Override
        public double[] extract(TriageFeatures features) {
            return features.extract(input.encounter(), input.findings(), input.complaint());
        }

        @Override
        public Set<String> complaintTerms(RedFlagRules rules) {
            return input.complaint().terms();
        }
    }

    private static final LabelFactory LABELS = new LabelFactory();

    private final TriageFeatures features;
    private final List<String> used;
    private final int[] usedIndex;
    private final List<String> constant;
    private final List<String> excluded;

    private TriageTable(TriageFeatures features, List<String> used, int[] usedIndex, List<String> constant,
                        List<String> excluded) {
        this.features = features;
        this.used = List.copyOf(used);
        this.usedIndex = usedIndex;
        this.constant = List.copyOf(constant);
        this.excluded = List.copyOf(excluded);
    }

    /**
     * Learns the vocabulary on {@code cases} and keeps the features that vary on them and that the
     * configuration does not exclude.
     */
    static TriageTable fit(List<? extends Row> cases, TrainingConfig config, RedFlagRules rules) {
        TrainingConfig.Vocabulary vocabulary = config.vocabulary();
        ComplaintVocabulary terms = ComplaintVocabulary.learnTerms(
                cases.stream().map(c -> c.complaintTerms(rules)).toList(),
                vocabulary.minComplaints(), vocabulary.maxTerms());
        TriageFeatures features = TriageFeatures.create(TriageFeatures.VERSION, terms, rules);
        int n = features.names().size();
        double[] min = new double[n];
        double[] max = new double[n];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (Row c : cases) {
            double[] x = c.extract(features);
            for (int j = 0; j < n; j++) {
                min[j] = Math.min(min[j], x[j]);
                max[j] = Math.max(max[j], x[j]);
            }
        }
        List<String> used = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        List<String> constant = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (config.excluded().excludes(features.names().get(j))) {
                excluded.add(features.names().get(j));
            } else if (min[j] < max[j]) {
                used.add(features.names().get(j));
                index.add(j);
            } else {
                constant.add(features.names().get(j));
            }
        }
        return new TriageTable(features, used, index.stream().mapToInt(Integer::intValue).toArray(), constant,
                excluded);
    }

    TriageFeatures features() {
        return features;
    }

    /** The features the model is trained on, in the extractor's order. */
    List<String> used() {
        return used;
    }

    /** The features left out because they were constant on the fitted visits. */
    List<String> constant() {
        return constant;
    }

    /** The features the configuration excluded. */
    List<String> excluded() {
        return excluded;
    }

    /**
     * One example with every used feature, zeros included, labelled with the row's level and carrying its
     * weight (1 for a KTAS visit, which is Tribuo's default and so leaves such examples as they were).
     */
    Example<Label> example(Row c) {
        ArrayExample<Label> example = new ArrayExample<>(c.label(), used.toArray(String[]::new), row(c));
        if (c.weight() != 1) {
            example.setWeight((float) c.weight());
        }
        return example;
    }

    /** The used features' values for one row, in {@link #used()} order. */
    double[] row(Row c) {
        double[] all = c.extract(features);
        double[] values = new double[usedIndex.length];
        for (int i = 0; i < usedIndex.length; i++) {
            values[i] = all[usedIndex[i]];
        }
        return values;
    }

    /** A Tribuo dataset of {@code cases} for a trainer that honours example weights. */
    MutableDataset<Label> dataset(List<? extends Row> cases, String description) {
        return dataset(cases, description, true);
    }

    /**
     * A Tribuo dataset of {@code cases}, for a trainer that honours example weights ({@code weighted}) or not.
     * Its provenance describes the data by name and sha256 only; a
     * creation time Tribuo asks for is fixed at the epoch, so provenance is the same on every run.
     */
    MutableDataset<Label> dataset(List<? extends Row> cases, String description, boolean weighted) {
        List<Example<Label>> examples = new ArrayList<>();
        for (Row c : cases) {
            if (weighted || c.weight() == 1) {
                examples.add(example(c));
            } else {
                // A trainer that ignores example weights sees a weighted row as copies of it (at least one).
                Example<Label> unweighted = new ArrayExample<>(c.label(), used.toArray(String[]::new), row(c));
                for (long k = Math.max(1, Math.round(c.weight())); k > 0; k--) {
                    examples.add(unweighted);
                }
            }
        }
        return new MutableDataset<>(new ListDataSource<>(examples, LABELS,
                new SimpleDataSourceProvenance(description, OffsetDateTime.parse("1970-01-01T00:00:00Z"), LABELS)));
    }
}
