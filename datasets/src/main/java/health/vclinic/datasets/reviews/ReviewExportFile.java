package health.vclinic.datasets.reviews;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The reviewed-cases file, format {@value #FORMAT} version {@value #FORMAT_VERSION}: JSON Lines (UTF-8, one
 * object a line, snake_case keys), a header line then one {@link ReviewedCase} a line, and its sha256 beside
 * it in {@code FILE.sha256} ({@code sha256sum} format). {@code ./vclinic admin export reviews} writes it;
 * {@code ./vclinic train triage-acuity --reviews FILE} and the evaluation read it. A reader refuses another
 * format or version, a count that does not match, a file whose sha256 no longer matches the one written
 * beside it, and any unknown key, naming the line and the field.
 */
public final class ReviewExportFile {

    public static final String FORMAT = "vclinic-reviewed-cases";
    public static final int FORMAT_VERSION = 1;
    /** The file beside the export with its sha256. */
    public static final String SHA256_SUFFIX = ".sha256";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private ReviewExportFile() {
    }

    /**
     * What an export holds besides its cases.
     *
     * @param exportedBy who ran the export (an operator's login or a data scientist's subject)
     * @param since the earliest review day exported (UTC)
     * @param clinics the clinics exported from
     * @param modelVersions every rule set and model version that took part in an exported case, "name=version"
     * @param vocabularyOf the model whose complaint vocabulary filtered the complaint terms, e.g.
     *     {@code triage-acuity@2}
     */
    public record Header(int count, Instant exportedAt, String exportedBy, LocalDate since, List<String> clinics,
                         List<String> modelVersions, String vocabularyOf) {
        public Header {
            Objects.requireNonNull(exportedAt, "exportedAt");
            Objects.requireNonNull(exportedBy, "exportedBy");
            Objects.requireNonNull(since, "since");
            clinics = List.copyOf(clinics);
            modelVersions = List.copyOf(modelVersions);
            Objects.requireNonNull(vocabularyOf, "vocabularyOf");
        }
    }

    /** A file as read: its header, its cases in file order, and the sha256 of its bytes. */
    public record Export(Header header, List<ReviewedCase> cases, String sha256) {
        public Export {
            Objects.requireNonNull(header, "header");
            cases = List.copyOf(cases);
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    record HeaderLine(String format, int formatVersion, int count, String exportedAt, String exportedBy, String since,
                      List<String> clinics, List<String> modelVersions, String complaintVocabularyOf,
                      String deidentification) {
    }

    record VitalsLine(Double heartRate, Double respiratoryRate, Double systolicBp, Double diastolicBp,
                      Double temperatureC, Double spo2, Boolean supplementalOxygen, String consciousness,
                      Boolean hypercapnicRespiratoryFailure) {
    }

    record CaseLine(String reviewedMonth, String source, String action, int serviceLevel, Integer clinicianLevel,
                    String reason, String decidedBy, Map<String, String> modelVersions, boolean degraded,
                    String ageBand, String sex, VitalsLine vitals, Integer painScore, Boolean injury,
                    List<String> complaintTerms, List<String> complaintGroups, List<String> redFlags) {
    }

    static final String DEIDENTIFICATION = "no patient reference, record, encounter or clinic id; ages in bands;"
            + " months, not days; the chief complaint only as the terms of the named model's vocabulary and the"
            + " lexicon's complaint groups; red flags by rule id; no free text";

    /**
     * Writes the file and its sha256 beside it (each through a temporary file, then moved into place).
     *
     * @return the sha256 of the file, hex
     */
    public static String write(Path file, Header header, List<ReviewedCase> cases) {
        if (header.count() != cases.size()) {
            throw new IllegalArgumentException("the header counts " + header.count() + " cases, not " + cases.size());
        }
        StringBuilder out = new StringBuilder();
        try {
            out.append(JSON.writeValueAsString(new HeaderLine(FORMAT, FORMAT_VERSION, header.count(),
                    header.exportedAt().toString(), header.exportedBy(), header.since().toString(), header.clinics(),
                    header.modelVersions(), header.vocabularyOf(), DEIDENTIFICATION))).append('\n');
            for (ReviewedCase c : cases) {
                out.append(JSON.writeValueAsString(line(c))).append('\n');
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reviewed case always serialises", e);
        }
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        String sha256 = sha256(bytes);
        Path absolute = file.toAbsolutePath();
        replace(absolute, bytes);
        replace(sha256File(absolute), (sha256 + "  " + absolute.getFileName() + "\n").getBytes(StandardCharsets.US_ASCII));
        return sha256;
    }

    /** {@code FILE.sha256} beside {@code file}. */
    public static Path sha256File(Path file) {
        return file.resolveSibling(file.getFileName() + SHA256_SUFFIX);
    }

    private static void replace(Path target, byte[] bytes) {
        try {
            Path parent = target.getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, target.getFileName().toString(), ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /**
     * Reads a file, checking it against the sha256 written beside it when that file is there.
     *
     * @throws InvalidInputException naming the line and field of what is wrong
     */
    public static Export read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String sha256 = sha256(bytes);
        Path beside = sha256File(file.toAbsolutePath());
        if (Files.isRegularFile(beside)) {
            String recorded;
            try {
                recorded = Files.readString(beside, StandardCharsets.US_ASCII).strip().split("\\s+")[0];
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + beside, e);
            }
            if (!recorded.equals(sha256)) {
                throw new InvalidInputException(file.getFileName().toString(), "has sha256 " + sha256 + " but "
                        + beside.getFileName() + " records " + recorded + ": the file changed after it was exported");
            }
        }
        List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
        if (lines.isEmpty()) {
            throw new InvalidInputException("line 1", "must be the header of a " + FORMAT + " file");
        }
        HeaderLine h = parse(lines.getFirst(), HeaderLine.class, 1);
        if (!FORMAT.equals(h.format()) || h.formatVersion() != FORMAT_VERSION) {
            throw new InvalidInputException("line 1.format", "must be " + FORMAT + " version " + FORMAT_VERSION
                    + " (this reader's), not " + h.format() + " version " + h.formatVersion());
        }
        if (h.count() != lines.size() - 1) {
            throw new InvalidInputException("line 1.count", "is " + h.count() + " but the file has " + (lines.size() - 1)
                    + " cases: it is truncated or was edited");
        }
        Header header = at(1, () -> new Header(h.count(), Instant.parse(h.exportedAt()), h.exportedBy(),
                LocalDate.parse(h.since()), orEmpty(h.clinics()), orEmpty(h.modelVersions()), h.complaintVocabularyOf()));
        List<ReviewedCase> cases = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            int n = i + 1;
            CaseLine line = parse(lines.get(i), CaseLine.class, n);
            cases.add(at(n, () -> reviewedCase(line, n)));
        }
        return new Export(header, cases, sha256);
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static CaseLine line(ReviewedCase c) {
        VitalSigns v = c.vitals();
        return new CaseLine(c.reviewedMonth().toString(), c.source().name(), c.action().name(), c.serviceLevel(),
                c.clinicianLevel().isPresent() ? c.clinicianLevel().getAsInt() : null,
                c.reason().map(Enum::name).orElse(null), c.decidedBy(), c.modelVersions(), c.degraded(),
                c.ageBand().map(AgeBand::label).orElse(null), c.sex().name(),
                new VitalsLine(boxed(v.heartRate()), boxed(v.respiratoryRate()), boxed(v.systolicBp()),
                        boxed(v.diastolicBp()), boxed(v.temperatureC()), boxed(v.spo2()),
                        v.supplementalOxygen().orElse(null), v.consciousness().map(Enum::name).orElse(null),
                        v.hypercapnicRespiratoryFailure().orElse(null)),
                c.painScore().isPresent() ? c.painScore().getAsInt() : null, c.injury().orElse(null),
                c.complaintTerms(), c.complaintGroups(), c.redFlags());
    }

    private static ReviewedCase reviewedCase(CaseLine l, int n) {
        VitalsLine v = required(l.vitals(), n, "vitals");
        VitalSigns vitals = new VitalSigns(optional(v.heartRate()), optional(v.respiratoryRate()),
                optional(v.systolicBp()), optional(v.diastolicBp()), optional(v.temperatureC()), optional(v.spo2()),
                Optional.ofNullable(v.supplementalOxygen()),
                Optional.ofNullable(v.consciousness()).map(c -> named(Consciousness.class, c, n, "vitals.consciousness")),
                Optional.ofNullable(v.hypercapnicRespiratoryFailure()));
        return new ReviewedCase(YearMonth.parse(required(l.reviewedMonth(), n, "reviewed_month")),
                named(ReviewSource.class, required(l.source(), n, "source"), n, "source"),
                named(ReviewAction.class, required(l.action(), n, "action"), n, "action"), l.serviceLevel(),
                l.clinicianLevel() == null ? OptionalInt.empty() : OptionalInt.of(l.clinicianLevel()),
                Optional.ofNullable(l.reason()).map(r -> named(ReasonCode.class, r, n, "reason")),
                required(l.decidedBy(), n, "decided_by"), new TreeMap<>(orEmptyMap(l.modelVersions())), l.degraded(),
                Optional.ofNullable(l.ageBand()).map(b -> AgeBand.parse(b, "line " + n + ".age_band")),
                named(Sex.class, required(l.sex(), n, "sex"), n, "sex"), vitals,
                l.painScore() == null ? OptionalInt.empty() : OptionalInt.of(l.painScore()),
                Optional.ofNullable(l.injury()), orEmpty(l.complaintTerms()), orEmpty(l.complaintGroups()),
                orEmpty(l.redFlags()));
    }

    private static Map<String, String> orEmptyMap(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private static Double boxed(OptionalDouble v) {
        return v.isPresent() ? v.getAsDouble() : null;
    }

    private static OptionalDouble optional(Double v) {
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    private static <T> T required(T value, int line, String field) {
        if (value == null) {
            throw new InvalidInputException("line " + line + "." + field, "is required");
        }
        return value;
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name, int line, String field) {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("line " + line + "." + field, "must be one of "
                    + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private static <T> T parse(String line, Class<T> type, int n) {
        try {
            return JSON.readValue(line, type);
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new InvalidInputException("line " + n + "." + path(e), "is not a field of " + FORMAT + " version "
                    + FORMAT_VERSION);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new InvalidInputException("line " + n + (path(e).isEmpty() ? "" : "." + path(e)), "has the wrong type"
                    + " for " + FORMAT + " version " + FORMAT_VERSION);
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the line: only where it is.
            throw new InvalidInputException("line " + n, "must be one JSON object of " + FORMAT + " version "
                    + FORMAT_VERSION);
        }
    }

    /** Runs {@code build}, naming the line of any value it refuses. */
    private static <T> T at(int line, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidInputException e) {
            throw new InvalidInputException(e.violations().stream().map(v -> v.field().startsWith("line ") ? v
                    : new InvalidInputException.Violation("line " + line + "." + v.field(), v.allowed())).toList());
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidInputException("line " + line, "holds a malformed date, time or month (ISO 8601)");
        } catch (RuntimeException e) {
            throw new InvalidInputException("line " + line, "holds a value this reader refuses: " + e.getMessage());
        }
    }

    private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                out.append('[').append(r.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
