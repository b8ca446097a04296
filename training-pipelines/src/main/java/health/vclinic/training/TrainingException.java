package health.vclinic.training;

/**
 * The one exception of the training pipelines: a bad configuration, unusable data, a model that
 * cannot be exported or does not match its export, a version that cannot be published. Messages say
 * what to fix.
 */
public final class TrainingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
