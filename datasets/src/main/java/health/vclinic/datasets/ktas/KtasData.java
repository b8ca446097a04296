package health.vclinic.datasets.ktas;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One KTAS file as read: the visits that map to valid domain records, and the problems that kept the
 * other rows out.
 *
 * @param fileName the file's name (not its path, so the record is the same wherever the data lives)
 * @param rows how many data rows the file has
 * @param visits the usable visits, in file order
 * @param problems every problem found, in file order; a row may have several
 */
public record KtasData(String fileName, int rows, List<KtasVisit> visits, List<KtasProblem> problems) {

    public KtasData {
        Objects.requireNonNull(fileName, "fileName");
        visits = List.copyOf(visits);
        problems = List.copyOf(problems);
        if (visits.size() + excluded(problems).size() != rows) {
            throw new IllegalArgumentException("every row is either a visit or excluded with a problem");
        }
    }

    /** The rows left out, ascending. */
    public Set<Integer> excludedRows() {
        return excluded(problems);
    }

    private static Set<Integer> excluded(List<KtasProblem> problems) {
        Set<Integer> rows = new TreeSet<>();
        problems.forEach(p -> rows.add(p.row()));
        return Collections.unmodifiableSet(rows);
    }
}
