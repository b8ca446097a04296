package health.vclinic.api.review;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of the worklist.
 *
 * @param open how many items match the filters in all (for a count in a title)
 * @param next where the next page starts, when there is one
 */
public record WorklistPage(List<WorklistItem> items, long open, Optional<WorklistQuery.Cursor> next) {
    public WorklistPage {
        items = List.copyOf(items);
        Objects.requireNonNull(next, "next");
    }
}
