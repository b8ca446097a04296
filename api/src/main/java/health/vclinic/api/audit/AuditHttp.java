package health.vclinic.api.audit;

import health.vclinic.api.fhir.FhirJson;
import health.vclinic.api.security.Caller;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.Errors;
import health.vclinic.datasets.InvalidInputException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * The audit trail for admins as FHIR R4: {@code GET /fhir/r4/AuditEvent} answers a {@code searchset}
 * Bundle of BALP-shaped AuditEvents (see {@link AuditEvents}), newest first, with FHIR search parameters:
 * <ul>
 *   <li>{@code date}: {@code recorded}, repeatable, with prefix {@code eq} (default), {@code ge}, {@code gt},
 *       {@code le} or {@code lt}, as a date ({@code 2025-03-01}, UTC) or a dateTime with offset;</li>
 *   <li>{@code patient-ref-hash}: the patient, as the keyed hash of the reference (64 hex digits);</li>
 *   <li>{@code action}: C, R, U, D or E, comma-separated for any of them; {@code subtype}: vclinic's own
 *       action names ({@code BREAK_GLASS}, {@code LOGIN_FAILED}, ...);</li>
 *   <li>{@code site}: the clinic; {@code _count}: page size (default {@value AuditQuery#DEFAULT_COUNT}, at
 *       most {@value AuditQuery#MAX_COUNT}); {@code _cursor}: set by the {@code next} link.</li>
 * </ul>
 * An unknown parameter or a malformed value is a 400 OperationOutcome naming the parameter.
 *
 * <p>This route builds no authentication: the gate in front of it admits admins only and puts the
 * {@link Caller} in the request context. When a caller is there, the query is confined to the caller's
 * clinic (another {@code site} finds nothing) and the query itself is audited, in the same transaction as
 * the read.
 */
public final class AuditHttp {

    public static final String PATH = "/fhir/r4/AuditEvent";
    /** The route, as the server's metrics name it. */
    public static final String ROUTE = "GET " + PATH;
    private static final String FHIR_JSON = "application/fhir+json";
    private static final List<String> PARAMETERS = List.of("date", "patient-ref-hash", "action", "subtype", "site",
            "_count", "_cursor");
    private static final Pattern DATE = Pattern.compile(
            "([a-z]{2})?(\\d{4}-\\d{2}-\\d{2})(T\\d{2}:\\d{2}:\\d{2}(\\.(\\d{1,9}))?(Z|[+-]\\d{2}:\\d{2}))?");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,40}");
    private static final io.helidon.http.HeaderName X_REQUEST_ID = HeaderNames.create("X-Request-ID");
    private static final Pattern REQUEST_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private AuditHttp() {
    }

    /** Adds {@code GET /fhir/r4/AuditEvent} over {@code log}. */
    public static void register(HttpRouting.Builder routing, AuditLog log) {
        FhirJson.warm();
        routing.get(PATH, (req, res) -> search(log, req, res));
    }

    private static void search(AuditLog log, ServerRequest req, ServerResponse res) {
        Map<String, List<String>> params = req.query().toMap();
        Optional<Caller> caller = req.context().get(Caller.class, Caller.class);
        AuditPage page;
        try {
            AuditQuery query = parse(params);
            if (caller.isEmpty()) {
                page = log.search(query);
            } else {
                ClinicId own = caller.get().clinic();
                AuditEntry access = AuditEntry.of(caller.get(), AuditAction.QUERY, "AuditEvent", "search",
                        Optional.empty(), AuditOutcome.SUCCESS, requestId(req));
                // Another clinic's trail is not there for this caller: empty, whether or not it exists.
                if (query.clinic().filter(c -> !c.equals(own)).isPresent()) {
                    log.append(access);
                    page = new AuditPage(List.of(), OptionalLong.empty());
                } else {
                    page = log.searchAudited(query.inClinic(own), access);
                }
            }
        } catch (RuntimeException e) {
            ApiError error = Errors.classify(e);
            send(res, error.kind().http(), outcome(error));
            return;
        }
        String next = page.next().isPresent() ? url(params, OptionalLong.of(page.next().getAsLong())) : "";
        send(res, 200, AuditEvents.searchset(page, url(params, OptionalLong.empty()), next));
    }

    /** The query the parameters describe; {@link InvalidInputException} naming the first bad one. */
    static AuditQuery parse(Map<String, List<String>> params) {
        for (String name : params.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw new InvalidInputException(NAME.matcher(name).matches() ? name : "query",
                        "is not a search parameter of AuditEvent here; use " + String.join(", ", PARAMETERS));
            }
        }
        Optional<Instant> from = Optional.empty();
        Optional<Instant> until = Optional.empty();
        for (String value : params.getOrDefault("date", List.of())) {
            Instant[] range = dateRange(value);
            if (range[0] != null && (from.isEmpty() || range[0].isAfter(from.get()))) {
                from = Optional.of(range[0]);
            }
            if (range[1] != null && (until.isEmpty() || range[1].isBefore(until.get()))) {
                until = Optional.of(range[1]);
            }
        }
        Set<AuditAction> actions = EnumSet.allOf(AuditAction.class);
        single(params, "action").ifPresent(v -> actions.retainAll(byFhirAction(v)));
        single(params, "subtype").ifPresent(v -> actions.retainAll(bySubtype(v)));
        if (actions.isEmpty()) {
            throw new InvalidInputException("subtype", "names no action that the given action codes include");
        }
        AuditQuery query = AuditQuery.all().between(from, until)
                .withActions(actions.size() == AuditAction.values().length ? Set.of() : actions)
                .page(number(params, "_count", 1, AuditQuery.MAX_COUNT).map(Long::intValue).orElse(AuditQuery.DEFAULT_COUNT),
                        number(params, "_cursor", 1, Long.MAX_VALUE).map(OptionalLong::of).orElse(OptionalLong.empty()));
        Optional<String> hash = single(params, "patient-ref-hash");
        if (hash.isPresent()) {
            if (!HASH.matcher(hash.get()).matches()) {
                throw new InvalidInputException("patient-ref-hash",
                        "must be 64 lower-case hex digits: HMAC-SHA256 of the reference under the audit key");
            }
            query = query.aboutPatient(hash.get());
        }
        Optional<String> site = single(params, "site");
        if (site.isPresent()) {
            try {
                query = query.inClinic(new ClinicId(site.get()));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("site", "must be a clinic id: 1 to 64 lower-case letters, digits or hyphens");
            }
        }
        return query;
    }

    /** [from, until) of one {@code date} value; either may be null when the prefix leaves it open. */
    private static Instant[] dateRange(String value) {
        // An unencoded '+' in a query string arrives as a space.
        Matcher m = DATE.matcher(value.replace(' ', '+'));
        if (!m.matches()) {
            throw new InvalidInputException("date", "must be [prefix]YYYY-MM-DD or [prefix]YYYY-MM-DDThh:mm:ss[.fff]"
                    + "(Z|+hh:mm), prefix eq, ge, gt, le or lt");
        }
        Instant start;
        Duration precision;
        try {
            if (m.group(3) == null) {
                start = LocalDate.parse(m.group(2)).atStartOfDay(ZoneOffset.UTC).toInstant();
                precision = Duration.ofDays(1);
            } else {
                start = OffsetDateTime.parse(m.group(2) + m.group(3)).toInstant();
                precision = m.group(5) == null ? Duration.ofSeconds(1)
                        : Duration.ofNanos((long) Math.pow(10, 9 - m.group(5).length()));
            }
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("date", "must be a real date and time");
        }
        Instant end = start.plus(precision);
        String prefix = m.group(1) == null ? "eq" : m.group(1);
        return switch (prefix) {
            case "eq" -> new Instant[] {start, end};
            case "ge" -> new Instant[] {start, null};
            case "gt" -> new Instant[] {end, null};
            case "le" -> new Instant[] {null, end};
            case "lt" -> new Instant[] {null, start};
            default -> throw new InvalidInputException("date", "prefix must be eq, ge, gt, le or lt");
        };
    }

    private static Set<AuditAction> byFhirAction(String codes) {
        Set<AuditAction> out = EnumSet.noneOf(AuditAction.class);
        for (String code : codes.split(",", -1)) {
            if (!Set.of("C", "R", "U", "D", "E").contains(code)) {
                throw new InvalidInputException("action", "must be C, R, U, D or E, comma-separated");
            }
            for (AuditAction a : AuditAction.values()) {
                if (a.fhirAction().equals(code)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static Set<AuditAction> bySubtype(String codes) {
        Set<AuditAction> out = EnumSet.noneOf(AuditAction.class);
        for (String token : codes.split(",", -1)) {
            String code = token.startsWith(AuditEvents.ACTION_SYSTEM + "|")
                    ? token.substring(AuditEvents.ACTION_SYSTEM.length() + 1) : token;
            try {
                out.add(AuditAction.valueOf(code));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("subtype", "must be one or more of " + List.of(AuditAction.values())
                        + ", comma-separated");
            }
        }
        return out;
    }

    private static Optional<String> single(Map<String, List<String>> params, String name) {
        List<String> values = params.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw new InvalidInputException(name, "must be given at most once");
        }
        return values.stream().findFirst();
    }

    private static Optional<Long> number(Map<String, List<String>> params, String name, long min, long max) {
        Optional<String> raw = single(params, name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            long v = Long.parseLong(raw.get());
            if (v >= min && v <= max) {
                return Optional.of(v);
            }
        } catch (NumberFormatException e) {
            // Falls through to the message below.
        }
        throw new InvalidInputException(name, "must be a whole number from " + min + " to " + max);
    }

    private static String requestId(ServerRequest req) {
        return req.headers().first(X_REQUEST_ID).filter(v -> REQUEST_ID.matcher(v).matches())
                .orElseGet(() -> UUID.randomUUID().toString());
    }

    /** This search's URL with only its validated parameters, and the given page cursor. */
    private static String url(Map<String, List<String>> params, OptionalLong cursor) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : PARAMETERS) {
            if (params.containsKey(name) && !name.equals("_cursor")) {
                out.put(name, params.get(name));
            }
        }
        cursor.ifPresent(c -> out.put("_cursor", List.of(Long.toString(c))));
        String query = out.entrySet().stream().flatMap(e -> e.getValue().stream().map(v -> e.getKey() + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8))).collect(Collectors.joining("&"));
        return query.isEmpty() ? PATH : PATH + "?" + query;
    }

    private static OperationOutcome outcome(ApiError error) {
        OperationOutcome out = new OperationOutcome();
        IssueType type = error.kind() == ApiError.Kind.INVALID_ARGUMENT ? IssueType.INVALID
                : error.kind() == ApiError.Kind.UNAVAILABLE ? IssueType.TRANSIENT : IssueType.EXCEPTION;
        if (error.violations().isEmpty()) {
            out.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(error.message());
        }
        for (InvalidInputException.Violation v : error.violations()) {
            out.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(v.toString())
                    .addExpression(v.field());
        }
        return out;
    }

    private static void send(ServerResponse res, int status, org.hl7.fhir.instance.model.api.IBaseResource body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, FHIR_JSON);
        res.send(FhirJson.encode(body, false));
    }
}
