package health.vclinic.api.fhir;

import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.fhir.FhirTriageInput;
import health.vclinic.datasets.fhir.FhirTriageReader;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.TriageResult;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.RiskAssessment;

/**
 * The FHIR {@code $triage} operation: FHIR R4 JSON in, the same {@link TriageEngine} as gRPC and HTTP
 * JSON, a Bundle with a RiskAssessment and Flags out. Shared by the HTTP route, CDS Hooks and
 * {@code vclinic assess --fhir}, so they cannot disagree. With a clinical record ({@link #recordingTo}),
 * every call is kept with its RiskAssessment before it is answered, under the RiskAssessment's id; the
 * patient is mapped to the record's {@code patient_ref} by {@link FhirPatientRef}.
 *
 * <p>Status codes (FHIR RESTful API): 400 when the body is not FHIR R4 JSON; 422 when it is, but triage
 * cannot use it (not a Bundle or Parameters, a unit it does not know, a value no patient can have); 500
 * for anything else, without detail.
 */
public final class FhirTriage {

    /** A reply: HTTP status and the resource to send (the output Bundle or an OperationOutcome). */
    public record Reply(int status, IBaseResource body) {
        public Reply {
            Objects.requireNonNull(body, "body");
        }

        public boolean ok() {
            return status == 200;
        }
    }

    /** An assessment with the reading it came from. */
    record Assessed(FhirTriageInput input, TriageResult result) {
    }

    private final TriageEngine engine;
    private final FhirTriageReader reader;
    private final Clock clock;
    private final FhirCallRecorder recorder;

    public FhirTriage(TriageEngine engine, FhirTriageReader reader, Clock clock) {
        this(engine, reader, clock, FhirCallRecorder.NONE);
    }

    private FhirTriage(TriageEngine engine, FhirTriageReader reader, Clock clock, FhirCallRecorder recorder) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.recorder = Objects.requireNonNull(recorder, "recorder");
    }

    /** Over the engine with the default reader ({@link FhirTriageReader#standard()}) and the system clock. */
    public FhirTriage(TriageEngine engine) {
        this(engine, FhirTriageReader.standard(), Clock.systemUTC());
    }

    /** This operation, keeping every call it answers (with CDS Hooks over it) in {@code recorder} first. */
    public FhirTriage recordingTo(FhirCallRecorder recorder) {
        return new FhirTriage(engine, reader, clock, recorder);
    }

    TriageEngine engine() {
        return engine;
    }

    Clock clock() {
        return clock;
    }

    /** Assesses one request body; never throws. */
    public Reply triage(ClinicId clinic, String json) {
        IBaseResource resource;
        try {
            resource = FhirJson.parse(json);
        } catch (InvalidInputException e) {
            return new Reply(400, OperationOutcomes.malformed(e));
        }
        return triage(clinic, resource, json);
    }

    /** Assesses one parsed resource (a Bundle, or Parameters wrapping one) sent as {@code request}; never throws. */
    private Reply triage(ClinicId clinic, IBaseResource resource, String request) {
        try {
            long start = System.nanoTime();
            Assessed a = assess(resource);
            Optional<PatientRef> patient = patientRef(resource);
            Instant now = clock.instant();
            Bundle out = TriageBundle.of(a.input(), a.result(), now, UUID.randomUUID(), patient);
            keep(clinic, FhirCall.TRIAGE, request, patient, (RiskAssessment) out.getEntryFirstRep().getResource(), now,
                    a, start);
            return new Reply(200, out);
        } catch (InvalidInputException e) {
            return new Reply(422, OperationOutcomes.unprocessable(e));
        } catch (RuntimeException e) {
            return new Reply(500, OperationOutcomes.internal(e));
        }
    }

    /**
     * Keeps the call with {@code ra} (which carries its record id) before it is answered. Without a record,
     * or when the record is unreachable, {@code ra} loses its id (it could not be read back); in the
     * second case a note says so.
     *
     * @return whether the call was kept
     */
    boolean keep(ClinicId clinic, String operation, String request, Optional<PatientRef> patient, RiskAssessment ra,
                 Instant now, Assessed a, long startNanos) {
        boolean kept = recorder != FhirCallRecorder.NONE && recorder.record(clinic, new FhirCall(
                UUID.fromString(ra.getIdElement().getIdPart()), patient, now, operation, request,
                FhirJson.encode(ra, false), Optional.of(new FhirCall.Assessment(a.input().encounter(), a.result(),
                        java.time.Duration.ofNanos(System.nanoTime() - startNanos)))));
        if (!kept) {
            ra.setId((String) null);
            if (recorder != FhirCallRecorder.NONE) {
                ra.addNote(new Annotation().setText("Not kept in the clinical record (its database was unreachable):"
                        + " this RiskAssessment cannot be read back."));
            }
        }
        return kept;
    }

    /**
     * The patient_ref of a request the reader accepted (its Bundle holds exactly one Patient), by the rule
     * of {@link FhirPatientRef}.
     */
    static Optional<PatientRef> patientRef(IBaseResource resource) {
        Bundle bundle = null;
        String path = "Bundle";
        if (resource instanceof Bundle b) {
            bundle = b;
        } else if (resource instanceof Parameters p) {
            for (int i = 0; i < p.getParameter().size() && bundle == null; i++) {
                if ("bundle".equals(p.getParameter().get(i).getName())
                        && p.getParameter().get(i).getResource() instanceof Bundle b) {
                    bundle = b;
                    path = "Parameters.parameter[" + i + "].resource";
                }
            }
        }
        if (bundle == null) {
            return Optional.empty();
        }
        for (int i = 0; i < bundle.getEntry().size(); i++) {
            if (bundle.getEntry().get(i).getResource() instanceof Patient patient) {
                return FhirPatientRef.of(patient, path + ".entry[" + i + "].resource");
            }
        }
        return Optional.empty();
    }

    /**
     * Prints the reply to {@code json} as pretty FHIR JSON (the output Bundle, or the OperationOutcome);
     * returns 0 when assessed, 1 otherwise. For {@code vclinic assess --fhir}.
     */
    public int print(String json, PrintStream out) {
        FhirJson.warm();
        Reply reply = triage(ClinicId.DEFAULT, json);
        out.println(FhirJson.encode(reply.body(), true));
        return reply.ok() ? 0 : 1;
    }

    /**
     * @throws InvalidInputException naming the resource and element at fault
     */
    Assessed assess(IBaseResource resource) {
        FhirTriageInput input = reader.read(resource);
        return new Assessed(input, engine.assess(input.encounter()));
    }
}
