package health.vclinic.api.server;

/**
 * An {@link ApiError} thrown by the api's own code (a route refusing a media type, a body over its
 * limit, an unknown object); {@link Errors#classify} passes it through unchanged.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ApiError error;

    public ApiException(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiException(ApiError.Kind kind, String message) {
        this(ApiError.of(kind, message));
    }

    public ApiError error() {
        return error;
    }
}
