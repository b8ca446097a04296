package health.vclinic.api.fhir;

import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.fhir.FhirTriageInput;
import health.vclinic.datasets.fhir.FhirTriageReader;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.TriageResult;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Objects;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * The FHIR {@code $triage} operation: FHIR R4 JSON in, the same {@link TriageEngine} as gRPC and HTTP
 * JSON, a Bundle with a RiskAssessment and Flags out. Shared by the HTTP route, CDS Hooks and
 * {@code vclinic assess --fhir}, so they cannot disagree.
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

    public FhirTriage(TriageEngine engine, FhirTriageReader reader, Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Over the engine with the default reader ({@link FhirTriageReader#standard()}) and the system clock. */
    public FhirTriage(TriageEngine engine) {
        this(engine, FhirTriageReader.standard(), Clock.systemUTC());
    }

    TriageEngine engine() {
        return engine;
    }

    /** Assesses one request body; never throws. */
    public Reply triage(String json) {
        IBaseResource resource;
        try {
            resource = FhirJson.parse(json);
        } catch (InvalidInputException e) {
            return new Reply(400, OperationOutcomes.malformed(e));
        }
        return triage(resource);
    }

    /** Assesses one parsed resource (a Bundle, or Parameters wrapping one); never throws. */
    Reply triage(IBaseResource resource) {
        try {
            Assessed a = assess(resource);
            Bundle out = TriageBundle.of(a.input(), a.result(), clock.instant());
            return new Reply(200, out);
        } catch (InvalidInputException e) {
            return new Reply(422, OperationOutcomes.unprocessable(e));
        } catch (RuntimeException e) {
            return new Reply(500, OperationOutcomes.internal(e));
        }
    }

    /**
     * Prints the reply to {@code json} as pretty FHIR JSON (the output Bundle, or the OperationOutcome);
     * returns 0 when assessed, 1 otherwise. For {@code vclinic assess --fhir}.
     */
    public int print(String json, PrintStream out) {
        FhirJson.warm();
        Reply reply = triage(json);
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
