package health.vclinic.api.review;

import health.vclinic.api.security.Role;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A clinician's action on a monitoring alert, as kept.
 *
 * @param eventId the alert's latest event when the action was taken
 * @param note optional free text, at most {@value NewReview#MAX_COMMENT} characters
 */
public record AlertAction(UUID actionId, String alertId, UUID eventId, AlertActionKind action, Optional<String> note,
                          String actor, Role actorRole, Instant actedAt) {
    public AlertAction {
        Objects.requireNonNull(actionId, "actionId");
        Objects.requireNonNull(alertId, "alertId");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(actorRole, "actorRole");
        Objects.requireNonNull(actedAt, "actedAt");
    }
}
