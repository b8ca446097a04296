package health.vclinic.api.audit;

import java.util.List;
import java.util.OptionalLong;

/**
 * One page of an {@link AuditQuery}'s answer, newest first.
 *
 * @param next the {@link AuditQuery#before()} of the next page, absent on the last
 */
public record AuditPage(List<StoredEntry> entries, OptionalLong next) {

    public AuditPage {
        entries = List.copyOf(entries);
    }
}
