package health.vclinic.training;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded stratified k-fold assignment: within each class the items are shuffled (Fisher-Yates with
 * {@link SplittableRandom}) and dealt to the folds in turn, so every fold has each class in proportion.
 */
final class StratifiedFolds {

    private StratifiedFolds() {
    }

    /**
     * @param labels the class of each item
     * @return the fold (0 to folds - 1) of each item
     */
    static int[] assign(int[] labels, int folds, long seed) {
        int max = 0;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        int[] fold = new int[labels.length];
        SplittableRandom random = new SplittableRandom(seed);
        int next = 0;
        for (int label = 0; label <= max; label++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == label) {
                    members.add(i);
                }
            }
            for (int i = members.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
            }
            // Carry on dealing where the previous class stopped, so small classes do not all land in fold 0.
            for (Integer m : members) {
                fold[m] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }
}
