package health.vclinic.api.review;

import health.vclinic.datasets.reviews.ReviewSource;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReasonCode;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import health.vclinic.api.json.StrictJson;
import health.vclinic.datasets.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The review API's JSON: snake_case objects (as every HTTP JSON route of this service), absent values left
 * out, times as RFC 3339 UTC. Bodies are checked by {@link StrictJson} first, then read into these records
 * with no coercion (a level of {@code "2"} or {@code 2.5} is refused) and no unknown field; every refusal
 * names the field. The records here are the wire only: the service's values are {@link Review},
 * {@link WorklistPage} and {@link AlertAction}.
 */
final class ReviewJson {

    static final ObjectMapper JSON = strict(JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    /** CDS Hooks bodies are camelCase. */
    static final ObjectMapper CAMEL = strict(JsonMapper.builder());

    private static ObjectMapper strict(JsonMapper.Builder b) {
        return b.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
    }

    private ReviewJson() {
    }

    /** {@code POST /v1/reviews}. */
    record ReviewIn(String assessmentId, String action, Integer level, String reason, String comment) {
    }

    /** {@code POST /v1/alerts/{id}/actions}. */
    record AlertActionIn(String action, String note) {
    }

    record ReviewOut(String reviewId, String assessmentId, String reviewer, String reviewerRole, String source,
                     String action, int levelBefore, Integer levelAfter, String reason, String reasonDisplay,
                     String comment, Map<String, String> modelVersions, String reviewedAt, String recordedAt) {
        static ReviewOut of(Review r) {
            return new ReviewOut(r.reviewId().toString(), r.assessmentId().toString(), r.reviewer(),
                    r.reviewerRole().wireName(), r.source().name(), r.action().name(), r.levelBefore(),
                    r.levelAfter().isPresent() ? r.levelAfter().getAsInt() : null,
                    r.reason().map(Enum::name).orElse(null), r.reason().map(ReasonCode::display).orElse(null),
                    r.comment().orElse(null), r.modelVersions(), r.reviewedAt().toString(), r.recordedAt().toString());
        }
    }

    /** An assessment's reviews, newest (the one that stands) first. */
    record HistoryOut(String assessmentId, List<ReviewOut> reviews) {
    }

    record ItemOut(String type, String id, List<String> kinds, int level, String acuity, String disposition,
                   String severity, String at, long ageSeconds, String patientRef, String chiefComplaint,
                   String decidedBy, List<String> summary, Map<String, String> modelVersions, String lastAction) {
        static ItemOut of(WorklistItem i) {
            return new ItemOut(i.type().name(), i.id(), i.kinds().stream().map(Enum::name).toList(), i.level(),
                    i.acuity(), i.disposition().orElse(null), i.severity().orElse(null), i.at().toString(),
                    i.ageSeconds(), i.patientRef().orElse(null), i.chiefComplaint().orElse(null), i.decidedBy(),
                    i.summary(), i.modelVersions(), i.lastAction().map(Enum::name).orElse(null));
        }
    }

    record WorklistOut(List<ItemOut> items, long open, String nextPageToken) {
        static WorklistOut of(WorklistPage p) {
            return new WorklistOut(p.items().stream().map(ItemOut::of).toList(), p.open(),
                    p.next().map(ReviewJson::token).orElse(null));
        }
    }

    record AlertActionOut(String actionId, String alertId, String eventId, String action, String note, String actor,
                          String actorRole, String actedAt) {
        static AlertActionOut of(AlertAction a) {
            return new AlertActionOut(a.actionId().toString(), a.alertId(), a.eventId().toString(), a.action().name(),
                    a.note().orElse(null), a.actor(), a.actorRole().wireName(), a.actedAt().toString());
        }
    }

    record AlertActionsOut(String alertId, List<AlertActionOut> actions) {
    }

    /** The review in a {@code POST /v1/reviews} body, checked. */
    static NewReview review(byte[] body, Instant now) {
        ReviewIn in = read(JSON, body, ReviewIn.class, "a review: {\"assessment_id\", \"action\", \"level\","
                + " \"reason\", \"comment\"}");
        UUID id = uuid(required(in.assessmentId(), "assessment_id"), "assessment_id",
                "must be the record_id of an assessment (a UUID)");
        ReviewAction action = enumOf(ReviewAction.class, required(in.action(), "action"), "action");
        return new NewReview("assessment_id", id, ReviewSource.APP, action,
                in.level() == null ? OptionalInt.empty() : OptionalInt.of(in.level()),
                Optional.ofNullable(in.reason()).map(r -> ReasonCode.parse(r, "reason")),
                Optional.ofNullable(in.comment()), now);
    }

    /** The action in a {@code POST /v1/alerts/{id}/actions} body. */
    static AlertActionIn alertAction(byte[] body) {
        AlertActionIn in = read(JSON, body, AlertActionIn.class, "an alert action: {\"action\", \"note\"}");
        enumOf(AlertActionKind.class, required(in.action(), "action"), "action");
        return in;
    }

    static <T> T read(ObjectMapper mapper, byte[] body, Class<T> type, String what) {
        String text = StrictJson.text(body, StrictJson.Paths.JSON);
        if (text.isBlank()) {
            throw new InvalidInputException("body", "is required: " + what);
        }
        try {
            T out = mapper.readValue(text, type);
            if (out == null) {
                throw new InvalidInputException("body", "must be " + what);
            }
            return out;
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException(health.vclinic.models.StrictJson.path(e), "is not a field here; " + what);
        } catch (JsonMappingException e) {
            String field = health.vclinic.models.StrictJson.path(e);
            throw new InvalidInputException(field.isEmpty() ? "body" : field, "has the wrong type; "
                    + (field.isEmpty() ? "the body must be " + what : "see the API's description of " + what));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("body", "must be " + what);
        }
    }

    static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "is required");
        }
        return value;
    }

    static UUID uuid(String text, String field, String allowed) {
        try {
            UUID id = UUID.fromString(text);
            if (!id.toString().equals(text.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("not canonical");
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, allowed);
        }
    }

    static <E extends Enum<E>> E enumOf(Class<E> type, String text, String field) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text)) {
                return e;
            }
        }
        throw new InvalidInputException(field, "must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a review API value always serialises", e);
        }
    }

    /** A page token: the cursor in base64url, opaque to callers. */
    static String token(WorklistQuery.Cursor c) {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putInt(c.urgency()).putLong(c.at().getEpochSecond()).putInt(c.at().getNano())
                .putLong(c.id().getMostSignificantBits()).putLong(c.id().getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    static WorklistQuery.Cursor cursor(String token) {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(token.getBytes(StandardCharsets.US_ASCII));
            if (raw.length != 32) {
                throw new IllegalArgumentException("length");
            }
            ByteBuffer b = ByteBuffer.wrap(raw);
            int urgency = b.getInt();
            Instant at = Instant.ofEpochSecond(b.getLong(), b.getInt());
            return new WorklistQuery.Cursor(urgency, at, new UUID(b.getLong(), b.getLong()));
        } catch (RuntimeException e) {
            throw new InvalidInputException("page_token", "must be empty or the next_page_token of the previous page");
        }
    }
}
