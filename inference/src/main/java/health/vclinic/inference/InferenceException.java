package health.vclinic.inference;

/**
 * A failure inside the inference layer that is not the caller's fault: a rules file or a model that
 * cannot be loaded, a runtime error of an inference engine. Checked exceptions of ONNX Runtime and
 * DJL are wrapped in it at this module's boundary.
 */
public final class InferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
