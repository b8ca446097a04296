package health.vclinic.datasets.ktas;

import com.opencsv.CSVReader;
import com.opencsv.CSVReaderBuilder;
import com.opencsv.exceptions.CsvException;
import health.vclinic.datasets.ArrivalMode;
import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Reads the 19-column KTAS files ({@code ktas_train_group1_local_ed.csv},
 * {@code ktas_test_group2_regional_ed.csv}: Moon S-H et al., "Triage accuracy and causes of mistriage
 * using the Korean Triage and Acuity Scale", PLoS ONE 14(9): e0216972, 2019, CC BY 4.0) into the
 * domain records the service assesses.
 *
 * <p>Mapping: {@code Sex} and {@code Age} to the patient; {@code SBP}, {@code DBP}, {@code HR},
 * {@code RR}, {@code BT} to vital signs (empty is "not measured"; the data has no SpO2 and no oxygen
 * column); {@code Mental} to ACVPU (Alert, Verbal Response → voice, Pain Response → pain,
 * Unresponsive); {@code Chief_complain} to the chief complaint; {@code Pain} and {@code NRS_pain} to
 * the pain score (no pain is 0; pain without a rating is "not given"); {@code Arrival mode} and
 * {@code Injury} to the structured answers {@value Interview#ARRIVAL_MODE_ANSWER} and
 * {@value Interview#INJURY_ANSWER}; {@code KTAS_expert} and {@code KTAS_RN} to the two levels.
 *
 * <p>Never read: {@link #UNREAD_COLUMNS}. Diagnosis and length of stay are known only after the visit
 * (leakage); the number of patients per hour describes the department, not the patient.
 *
 * <p>A row with an impossible value (a vital sign outside the physiological limits of
 * {@link VitalSigns}, an unknown category, a level outside 1-5, a pain rating without pain) is left
 * out and reported as a {@link KtasProblem} naming the row, the column and the reason.
 */
public final class KtasReader {

    /** Columns of the file that are deliberately not read. */
    public static final List<String> UNREAD_COLUMNS =
            List.of("Patients number per hour", "Diagnosis in ED", "Length of stay_min");

    private static final List<String> REQUIRED = List.of("Group", "Sex", "Age", "Arrival mode", "Injury",
            "Chief_complain", "Mental", "Pain", "NRS_pain", "SBP", "DBP", "HR", "RR", "BT", "KTAS_RN", "KTAS_expert");

    private static final Map<String, ArrivalMode> ARRIVAL = Map.of(
            "Walking", ArrivalMode.WALKING,
            "Private Vehicle", ArrivalMode.PRIVATE_VEHICLE,
            "Public transportation", ArrivalMode.PUBLIC_TRANSPORT,
            "Wheelchair", ArrivalMode.WHEELCHAIR,
            "119 Ambulance", ArrivalMode.EMERGENCY_AMBULANCE,
            "Private Ambulance", ArrivalMode.PRIVATE_AMBULANCE,
            "Others", ArrivalMode.OTHER);

    private static final Map<String, Consciousness> MENTAL = Map.of(
            "Alert", Consciousness.ALERT,
            "Verbal Response", Consciousness.VOICE,
            "Pain Response", Consciousness.PAIN,
            "Unresponsive", Consciousness.UNRESPONSIVE);

    /** Domain field of a rejected value → the file's column, so problems name what to fix in the file. */
    private static final Map<String, String> COLUMN_OF = Map.of(
            "patient.age_years", "Age",
            "vitals.heart_rate", "HR",
            "vitals.respiratory_rate", "RR",
            "vitals.systolic_bp", "SBP",
            "vitals.diastolic_bp", "DBP",
            "vitals.temperature_c", "BT",
            "interview.pain_score", "NRS_pain",
            "interview.chief_complaint", "Chief_complain");

    private KtasReader() {
    }

    /**
     * Reads one KTAS file (UTF-8, comma-separated, with a header).
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when the header lacks a required column or the CSV is malformed
     *     beyond one row (an unterminated quote)
     */
    public static KtasData read(Path file) {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVReader csv = new CSVReaderBuilder(in).build()) {
            return read(file.getFileName().toString(), csv.readAll());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read KTAS file " + file, e);
        } catch (CsvException e) {
            throw new IllegalArgumentException("KTAS file " + file + " is not valid CSV near line "
                    + e.getLineNumber() + ": " + e.getMessage(), e);
        }
    }

    private static KtasData read(String fileName, List<String[]> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("KTAS file " + fileName + " is empty; expected a header row");
        }
        Map<String, Integer> header = new HashMap<>();
        String[] names = lines.getFirst();
        for (int i = 0; i < names.length; i++) {
            header.put(names[i].strip(), i);
        }
        List<String> absent = REQUIRED.stream().filter(c -> !header.containsKey(c)).toList();
        if (!absent.isEmpty()) {
            throw new IllegalArgumentException("KTAS file " + fileName + " lacks the columns " + absent
                    + "; expected the 19-column train/test format");
        }
        List<KtasVisit> visits = new ArrayList<>();
        List<KtasProblem> problems = new ArrayList<>();
        for (int r = 1; r < lines.size(); r++) {
            Row row = new Row(r, lines.get(r), header, names.length);
            row.visit().ifPresent(visits::add);
            problems.addAll(row.problems);
        }
        return new KtasData(fileName, lines.size() - 1, visits, problems);
    }

    /** One data row being mapped; collects every problem so a row is reported whole. */
    private static final class Row {
        private final int number;
        private final String[] fields;
        private final Map<String, Integer> header;
        private final List<KtasProblem> problems = new ArrayList<>();

        Row(int number, String[] fields, Map<String, Integer> header, int width) {
            this.number = number;
            this.fields = fields;
            this.header = header;
            if (fields.length != width) {
                problem("(row)", "has " + fields.length + " fields where the header has " + width);
            }
        }

        Optional<KtasVisit> visit() {
            if (!problems.isEmpty()) {
                return Optional.empty();
            }
            Optional<KtasSite> site = integer("Group").flatMap(g -> {
                Optional<KtasSite> s = KtasSite.ofGroup(g);
                if (s.isEmpty()) {
                    problem("Group", "must be 1 (local ED) or 2 (regional ED)");
                }
                return s;
            });
            Sex sex = switch (text("Sex")) {
                case "Female" -> Sex.FEMALE;
                case "Male" -> Sex.MALE;
                default -> {
                    problem("Sex", "must be Female or Male");
                    yield Sex.UNKNOWN;
                }
            };
            OptionalDouble age = number("Age");
            if (age.isEmpty()) {
                problem("Age", "must be given: every visit in this data has an age");
            }
            Optional<Consciousness> mental = category("Mental", MENTAL);
            Optional<ArrivalMode> arrival = category("Arrival mode", ARRIVAL);
            Optional<Boolean> injury = switch (text("Injury")) {
                case "Yes" -> Optional.of(true);
                case "No" -> Optional.of(false);
                default -> {
                    problem("Injury", "must be Yes or No");
                    yield Optional.empty();
                }
            };
            OptionalInt pain = pain();
            OptionalInt expert = level("KTAS_expert");
            OptionalInt nurse = level("KTAS_RN");

            Patient patient = build(() -> new Patient(age, sex, Optional.empty()));
            VitalSigns vitals = build(() -> new VitalSigns(number("HR"), number("RR"), number("SBP"), number("DBP"),
                    number("BT"), OptionalDouble.empty(), Optional.empty(), mental, Optional.empty()));
            Map<String, String> answers = new LinkedHashMap<>();
            arrival.ifPresent(a -> answers.put(Interview.ARRIVAL_MODE_ANSWER, a.answer()));
            injury.ifPresent(i -> answers.put(Interview.INJURY_ANSWER, i ? "yes" : "no"));
            Interview interview = build(() -> new Interview(text("Chief_complain"), pain, OptionalDouble.empty(),
                    List.of(), List.of(), answers));
            if (!problems.isEmpty()) {
                return Optional.empty();
            }
            KtasSite s = site.orElseThrow();
            Encounter encounter = new Encounter("ktas-" + s.code() + "-" + number, patient, vitals, interview);
            return Optional.of(new KtasVisit(number, s, encounter, expert.orElseThrow(), nurse.orElseThrow()));
        }

        /** Pain 0 with no rating is a pain score of 0; pain 1 with a rating is that rating. */
        private OptionalInt pain() {
            String flag = text("Pain");
            OptionalDouble rating = number("NRS_pain");
            if (rating.isPresent() && rating.getAsDouble() != Math.rint(rating.getAsDouble())) {
                problem("NRS_pain", "must be a whole number from 0 to 10");
                return OptionalInt.empty();
            }
            return switch (flag) {
                case "0" -> {
                    if (rating.isPresent()) {
                        problem("NRS_pain", "must be empty when Pain is 0 (no pain)");
                    }
                    yield OptionalInt.of(0);
                }
                case "1" -> rating.isPresent() ? OptionalInt.of((int) rating.getAsDouble()) : OptionalInt.empty();
                default -> {
                    problem("Pain", "must be 1 (pain) or 0 (no pain)");
                    yield OptionalInt.empty();
                }
            };
        }

        private OptionalInt level(String column) {
            Optional<Integer> level = integer(column);
            if (level.isPresent() && (level.get() < 1 || level.get() > 5)) {
                problem(column, "must be a KTAS level from 1 to 5");
                return OptionalInt.empty();
            }
            if (level.isEmpty()) {
                problem(column, "must be given: a KTAS level from 1 to 5");
                return OptionalInt.empty();
            }
            return OptionalInt.of(level.get());
        }

        private <T> Optional<T> category(String column, Map<String, T> values) {
            T value = values.get(text(column));
            if (value == null) {
                problem(column, "must be one of " + values.keySet().stream().sorted().toList());
            }
            return Optional.ofNullable(value);
        }

        private Optional<Integer> integer(String column) {
            OptionalDouble v = number(column);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            if (v.getAsDouble() != Math.rint(v.getAsDouble())) {
                problem(column, "must be a whole number");
                return Optional.empty();
            }
            return Optional.of((int) v.getAsDouble());
        }

        /** Empty is absent; anything else must be a finite decimal number. */
        private OptionalDouble number(String column) {
            String text = text(column);
            if (text.isEmpty()) {
                return OptionalDouble.empty();
            }
            try {
                double v = Double.parseDouble(text);
                if (Double.isFinite(v)) {
                    return OptionalDouble.of(v);
                }
            } catch (NumberFormatException e) {
                // Reported below with the column name; the exception adds nothing a reader can act on.
            }
            if (problems.stream().noneMatch(p -> p.column().equals(column))) {
                problem(column, "must be a number or empty");
            }
            return OptionalDouble.empty();
        }

        private String text(String column) {
            int i = header.get(column);
            return i < fields.length ? fields[i].strip() : "";
        }

        private <T> T build(Supplier<T> constructor) {
            try {
                return constructor.get();
            } catch (InvalidInputException e) {
                for (InvalidInputException.Violation v : e.violations()) {
                    problem(COLUMN_OF.getOrDefault(v.field(), v.field()), v.allowed());
                }
                return null;
            }
        }

        private void problem(String column, String reason) {
            problems.add(new KtasProblem(number, column, reason));
        }
    }
}
