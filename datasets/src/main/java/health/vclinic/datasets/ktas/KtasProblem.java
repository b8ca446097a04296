package health.vclinic.datasets.ktas;

import java.util.Objects;

/**
 * A value of the KTAS file that cannot describe a real visit (an impossible vital sign, an unknown
 * category, a contradiction between columns). The row is left out of the data and listed here, never
 * silently dropped nor silently kept.
 *
 * @param row the 1-based data row (the header is not counted)
 * @param column the file's column name, e.g. {@code HR}
 * @param reason what is wrong and what is allowed; never the value itself
 */
public record KtasProblem(int row, String column, String reason) {

    public KtasProblem {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return "row " + row + ", " + column + ": " + reason;
    }
}
