package health.vclinic.datasets.ktas;

import health.vclinic.datasets.Encounter;
import java.util.Objects;

/**
 * One emergency-department visit of the KTAS data, mapped to the domain records the service assesses,
 * with the two triage levels the data records. Columns known only after triage (diagnosis in the ED,
 * length of stay) are not read at all, so nothing downstream can learn from them.
 *
 * @param row the visit's 1-based data row in its file (the header is not counted)
 * @param site the emergency department, from the {@code Group} column
 * @param encounter what was known at triage: age, sex, vital signs, mental state (ACVPU), the chief
 *     complaint, pain, and the arrival mode and injury as structured answers
 * @param expertLevel {@code KTAS_expert}, 1 (most urgent) to 5: the expert panel's level, the label
 * @param nurseLevel {@code KTAS_RN}, 1 to 5: the triage nurse's level, a baseline to compare with and
 *     never a feature
 */
public record KtasVisit(int row, KtasSite site, Encounter encounter, int expertLevel, int nurseLevel) {

    public KtasVisit {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(encounter, "encounter");
        if (row < 1) {
            throw new IllegalArgumentException("rows are numbered from 1");
        }
        if (expertLevel < 1 || expertLevel > 5 || nurseLevel < 1 || nurseLevel > 5) {
            throw new IllegalArgumentException("KTAS levels are 1 to 5");
        }
    }
}
