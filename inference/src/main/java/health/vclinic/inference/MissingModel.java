package health.vclinic.inference;

/**
 * A model the service is configured to serve but runs without (degraded mode).
 *
 * @param name the model's name in the repository, e.g. {@code triage-acuity}
 * @param reason why it is missing, in words for an operator (no patient data)
 */
public record MissingModel(String name, String reason) {

    public MissingModel {
        if (name.isBlank() || reason.isBlank()) {
            throw new IllegalArgumentException("a missing model needs a name and a reason");
        }
    }

    @Override
    public String toString() {
        return name + " not served (" + reason + ")";
    }
}
