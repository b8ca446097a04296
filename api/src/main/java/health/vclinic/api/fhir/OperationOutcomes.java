package health.vclinic.api.fhir;

import health.vclinic.api.server.Errors;
import health.vclinic.datasets.InvalidInputException;
import java.lang.System.Logger.Level;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Errors as FHIR {@code OperationOutcome}s: one issue per fault, with the element as a FHIRPath
 * {@code expression} and the resource and the fix in {@code diagnostics}. The FHIR counterpart of
 * {@code health.vclinic.api.Errors}: an internal error says nothing on the wire and is logged by type and
 * code location only, because exception messages may carry patient data.
 */
public final class OperationOutcomes {

    private static final System.Logger LOG = System.getLogger(OperationOutcomes.class.getName());

    private OperationOutcomes() {
    }

    /** The body is not FHIR R4 JSON (HTTP 400). */
    static OperationOutcome malformed(InvalidInputException e) {
        return of(e, IssueType.STRUCTURE);
    }

    /** The resource parsed but triage cannot use it (HTTP 422). */
    static OperationOutcome unprocessable(InvalidInputException e) {
        return of(e, IssueType.INVALID);
    }

    /** One error issue of {@code type} about {@code expression} (a FHIRPath or a parameter name). */
    public static OperationOutcome of(IssueType type, String expression, String diagnostics) {
        OperationOutcome out = new OperationOutcome();
        out.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(diagnostics).addExpression(expression);
        return out;
    }

    /** Anything else (HTTP 500): logged without its message, answered without detail. */
    static OperationOutcome internal(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        String where = stack.length == 0 ? "unknown" : stack[0].toString();
        LOG.log(Level.ERROR, "internal error " + t.getClass().getName() + " at " + where);
        OperationOutcome out = new OperationOutcome();
        out.addIssue().setSeverity(IssueSeverity.FATAL).setCode(IssueType.EXCEPTION)
                .setDiagnostics("internal error; the request was not assessed");
        return out;
    }

    private static OperationOutcome of(InvalidInputException e, IssueType type) {
        OperationOutcome out = new OperationOutcome();
        for (InvalidInputException.Violation v : e.violations()) {
            OperationOutcome.OperationOutcomeIssueComponent issue = out.addIssue()
                    .setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(v.toString());
            issue.addExpression(v.field());
        }
        return out;
    }
}
