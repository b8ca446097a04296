package health.vclinic.api.review;

import health.vclinic.datasets.InvalidInputException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Which page of the worklist: the kinds and levels wanted (all when empty), how many items, and where the
 * previous page ended.
 *
 * @param levels triage levels 1-5 (an alert counts at the level of its severity, see {@link WorklistItem})
 * @param pageSize 1 to {@value #MAX_PAGE_SIZE}
 */
public record WorklistQuery(Set<WorklistKind> kinds, Set<Integer> levels, int pageSize, Optional<Cursor> after) {

    public static final int DEFAULT_PAGE_SIZE = 50;
    public static final int MAX_PAGE_SIZE = 200;

    /** Where a page ended: the urgency, time and id of its last item (the worklist is ordered by all three). */
    public record Cursor(int urgency, Instant at, UUID id) {
        public Cursor {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(id, "id");
        }
    }

    public WorklistQuery {
        kinds = kinds.isEmpty() ? EnumSet.allOf(WorklistKind.class) : EnumSet.copyOf(kinds);
        levels = levels.isEmpty() ? Set.of(1, 2, 3, 4, 5) : Set.copyOf(new TreeSet<>(levels));
        Objects.requireNonNull(after, "after");
        for (int l : levels) {
            if (l < 1 || l > 5) {
                throw new InvalidInputException("level", "must be a triage level from 1 to 5");
            }
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new InvalidInputException("page_size", "must be 1 to " + MAX_PAGE_SIZE);
        }
    }

    /** The first page of everything. */
    public static WorklistQuery everything() {
        return new WorklistQuery(Set.of(), Set.of(), DEFAULT_PAGE_SIZE, Optional.empty());
    }
}
