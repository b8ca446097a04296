package health.vclinic.evaluation;

/**
 * The one exception of the evaluation: no such model or version, test data that is missing or not the
 * data the card names, a report that cannot be written. Messages say what to fix.
 */
public final class EvaluationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EvaluationException(String message) {
        super(message);
    }

    public EvaluationException(String message, Throwable cause) {
        super(message, cause);
    }
}
