package health.vclinic.datasets.ktas;

import java.util.Arrays;
import java.util.Optional;

/**
 * The two emergency departments of the KTAS data (Moon et al., PLoS ONE 2019), by the file's
 * {@code Group} column. The data's own files split by site, so a model fitted on one is validated on
 * the other: an external-site validation.
 */
public enum KtasSite {
    /** Group 1: a local (third-degree) emergency department; the training file. */
    LOCAL_ED(1, "local"),
    /** Group 2: a regional (fourth-degree) emergency department; the test file. */
    REGIONAL_ED(2, "regional");

    private final int group;
    private final String code;

    KtasSite(int group, String code) {
        this.group = group;
        this.code = code;
    }

    /** The value of the file's {@code Group} column. */
    public int group() {
        return group;
    }

    /** A short lower-case tag, used in encounter ids ("local"). */
    public String code() {
        return code;
    }

    static Optional<KtasSite> ofGroup(int group) {
        return Arrays.stream(values()).filter(s -> s.group == group).findFirst();
    }
}
