package health.vclinic.training;

import health.vclinic.training.TrainingConfig.Candidate;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.classification.liblinear.LibLinearClassificationTrainer;
import org.tribuo.classification.liblinear.LinearClassificationType;
import org.tribuo.classification.sgd.fm.FMClassificationTrainer;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.math.optimisers.AdaGrad;

/** Builds the Tribuo trainer of a configured candidate; every family here exports to ONNX. */
final class Candidates {

    /** AdaGrad's constant for numerical stability around zero (Tribuo's default). */
    private static final double EPSILON = 1e-6;
    /** AdaGrad's initial accumulator (Tribuo's default). */
    private static final double INITIAL_ACCUMULATOR = 0;

    private Candidates() {
    }

    /**
     * A fresh trainer for one fit. Tribuo trainers advance their random state with every call, so
     * each fit gets its own, seeded with the run's seed: a fit is then the same whatever came before.
     *
     */
    static Trainer<Label> trainer(Candidate c, long seed) {
        return switch (c.family()) {
            case LOGISTIC_REGRESSION_SGD -> new LinearSGDTrainer(new LogMulticlass(), optimiser(c),
                    c.intSetting("epochs"), -1, c.intSetting("minibatch"), seed);
            case FACTORIZATION_MACHINE -> new FMClassificationTrainer(new LogMulticlass(), optimiser(c),
                    c.intSetting("epochs"), -1, c.intSetting("minibatch"), seed, c.intSetting("factors"),
                    c.setting("variance"));
            case LIBLINEAR -> new LibLinearClassificationTrainer(
                    new LinearClassificationType(LinearClassificationType.LinearType.L2R_LR), c.setting("cost"),
                    c.intSetting("max-iterations"), c.setting("epsilon"), seed);
            case ENSEMBLE -> throw new IllegalArgumentException("an ensemble is combined, not trained: " + c.name());
            case ORDINAL_LOGIT, ORDINAL_CHAIN -> throw new IllegalArgumentException("an ordinal model is fitted by OrdinalLogit: " + c.name());
            case SMALL_NETWORK -> throw new IllegalArgumentException("a small network is fitted by SmallNetwork: " + c.name());
        };
    }

    /** The members' probabilities averaged with equal weights. */
    static Model<Label> ensemble(Candidate c, List<Model<Label>> members) {
        return WeightedEnsembleModel.createEnsembleFromExistingModels(c.name(), members,
                new FullyWeightedVotingCombiner());
    }

    /**
     * True when the family's urgency score (mean cumulative log-odds) is affine in the input, so
     * explanations are exact: the cumulative-logit model. A multinomial softmax is not, for that score.
     */
    static boolean linearInTheLogit(Candidate c) {
        return c.family() == TrainingConfig.Family.ORDINAL_LOGIT;
    }

    private static AdaGrad optimiser(Candidate c) {
        return new AdaGrad(c.setting("learning-rate"), EPSILON, INITIAL_ACCUMULATOR);
    }
}
