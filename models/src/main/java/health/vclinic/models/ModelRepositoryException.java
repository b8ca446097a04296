package health.vclinic.models;

/**
 * The one exception of the model repository: a missing or malformed card, an unknown model or
 * version, an artifact that is missing, escapes its version directory or does not match the sha256
 * its card lists. Messages name the model, version and file and say what to fix; they never contain
 * artifact bytes.
 */
public final class ModelRepositoryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelRepositoryException(String message) {
        super(message);
    }

    public ModelRepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
