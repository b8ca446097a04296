package health.vclinic.api.fhir;

import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * HAPI's instance validator against the base FHIR R4 definitions shipped in
 * hapi-fhir-validation-resources-r4 (structure definitions, invariants, value sets that need no
 * terminology server), fully offline. Codes of external systems (LOINC, SNOMED) are not looked up.
 */
public final class R4Validator {

    private static final FhirValidator VALIDATOR = create();

    private R4Validator() {
    }

    private static FhirValidator create() {
        var context = FhirJson.context();
        ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(context),
                new InMemoryTerminologyServerValidationSupport(context), new CommonCodeSystemsTerminologyService(context));
        FhirInstanceValidator module = new FhirInstanceValidator(chain);
        // Our own code systems and LOINC / SNOMED are not known offline: that is a warning, not an error.
        module.setNoTerminologyChecks(false);
        return context.newValidator().registerValidatorModule(module);
    }

    /** The errors (and fatals) the validator finds; an empty list means the resource is valid R4. */
    public static List<String> errors(IBaseResource resource) {
        ValidationResult result;
        synchronized (VALIDATOR) {
            result = VALIDATOR.validateWithResult(resource);
        }
        return result.getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .map(R4Validator::describe).toList();
    }

    /** Every message, for diagnosis. */
    public static List<String> all(IBaseResource resource) {
        synchronized (VALIDATOR) {
            return VALIDATOR.validateWithResult(resource).getMessages().stream().map(R4Validator::describe).toList();
        }
    }

    private static String describe(SingleValidationMessage m) {
        return m.getSeverity() + " " + m.getLocationString() + " " + m.getMessage();
    }
}
