package health.vclinic.api.record;

import health.vclinic.api.record.v1.OpenAlertsPage;
import health.vclinic.api.record.v1.RecordedAssessment;
import health.vclinic.api.record.v1.TimelinePage;
import health.vclinic.api.record.v1.VitalsPage;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.ApiException;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import health.vclinic.api.audit.AuditAction;

/**
 * Reading the record back, with the wire's validation: one code path for gRPC and HTTP. Page tokens are
 * opaque to callers (base64url of the last entry's time and id), checked on the way in.
 */
final class RecordReader {

    static final int DEFAULT_PAGE_SIZE = 20;
    static final int MAX_PAGE_SIZE = 100;
    /** Most trend windows in one answer: a day of minutes. */
    static final int MAX_WINDOWS = 1440;
    /** The trend answered when no {@code since} is given. */
    static final Duration DEFAULT_TREND = Duration.ofHours(6);
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST_EXCLUSIVE = Instant.parse("2200-01-01T00:00:00Z");

    private final RecordStore store;

    RecordReader(RecordStore store) {
        this.store = store;
    }

    RecordedAssessment assessment(ClinicId clinic, String recordId) {
        UUID id;
        try {
            id = UUID.fromString(recordId);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("record_id", "must be a record id as returned in an assessment (a UUID)");
        }
        return store.audited(AuditAction.READ, "TriageAssessment", id.toString(), Optional.empty(),
                () -> store.assessment(clinic, id).orElseThrow(() -> new ApiException(Kind.NOT_FOUND,
                        "no assessment with this record_id in this clinic's record")));
    }

    TimelinePage timeline(ClinicId clinic, String patientRef, int pageSize, String pageToken) {
        PatientRef patient = new PatientRef(patientRef);
        if (pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
            throw new InvalidInputException("page_size", "must be 1 to " + MAX_PAGE_SIZE + " (0: "
                    + DEFAULT_PAGE_SIZE + ")");
        }
        Optional<RecordStore.Cursor> after = pageToken.isEmpty() ? Optional.empty() : Optional.of(decode(pageToken));
        RecordStore.Page page = store.audited(AuditAction.QUERY, "Timeline", "patient-timeline", Optional.of(patient),
                () -> store.timeline(clinic, patient, pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize, after));
        TimelinePage.Builder out = TimelinePage.newBuilder().addAllEntries(page.entries());
        page.next().ifPresent(c -> out.setNextPageToken(encode(c)));
        return out.build();
    }

    OpenAlertsPage openAlerts(ClinicId clinic) {
        return OpenAlertsPage.newBuilder().addAllAlerts(store.audited(AuditAction.QUERY, "OpenAlerts", "clinic",
                Optional.empty(), () -> store.openAlerts(clinic))).build();
    }

    /**
     * A patient's trend windows from {@code since} (default: the last {@link #DEFAULT_TREND}), oldest first,
     * at most {@link #MAX_WINDOWS}; {@code next_since} continues when there are more.
     */
    VitalsPage vitals(ClinicId clinic, String patientRef, Optional<Instant> since) {
        PatientRef patient = new PatientRef(patientRef);
        Instant from = since.orElseGet(() -> Instant.now().minus(DEFAULT_TREND));
        if (from.isBefore(EARLIEST) || !from.isBefore(LATEST_EXCLUSIVE)) {
            throw new InvalidInputException("since", "must be from 1970-01-01 to 2199-12-31 (UTC)");
        }
        List<VitalsWindow> windows = store.audited(AuditAction.QUERY, "VitalSigns", "patient-trend", Optional.of(patient),
                () -> store.vitals(clinic, patient, from, MAX_WINDOWS + 1));
        VitalsPage.Builder out = VitalsPage.newBuilder().addAllWindows(windows.subList(0,
                Math.min(windows.size(), MAX_WINDOWS)));
        if (windows.size() > MAX_WINDOWS) {
            out.setNextSince(windows.get(MAX_WINDOWS).getWindowStart());
        }
        return out.build();
    }

    /** The {@code since} of an HTTP query: an RFC 3339 time with its offset. */
    static Optional<Instant> since(Optional<String> raw) {
        try {
            return raw.map(t -> OffsetDateTime.parse(t).toInstant());
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("since", "must be an RFC 3339 time with an offset, such as"
                    + " 2024-05-01T10:00:00Z");
        }
    }

    static String encode(RecordStore.Cursor c) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putLong(c.at().getEpochSecond()).putInt(c.at().getNano())
                .putLong(c.id().getMostSignificantBits()).putLong(c.id().getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    static RecordStore.Cursor decode(String token) {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(token.getBytes(StandardCharsets.US_ASCII));
            if (raw.length != 28) {
                throw new IllegalArgumentException("length");
            }
            ByteBuffer b = ByteBuffer.wrap(raw);
            Instant at = Instant.ofEpochSecond(b.getLong(), b.getInt());
            return new RecordStore.Cursor(at, new UUID(b.getLong(), b.getLong()));
        } catch (RuntimeException e) {
            throw new InvalidInputException("page_token", "must be empty or the next_page_token of the previous page");
        }
    }
}
