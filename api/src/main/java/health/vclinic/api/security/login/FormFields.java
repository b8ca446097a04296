package health.vclinic.api.security.login;

import health.vclinic.api.http.RequestBodies;
import health.vclinic.api.server.ApiError;
import health.vclinic.api.server.ApiException;
import health.vclinic.datasets.InvalidInputException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fields of an HTML form post ({@code application/x-www-form-urlencoded}, WHATWG URL Standard §5), at
 * most {@value #MAX_BYTES} bytes, each field once. The gate reads a form to find its {@code _csrf} field;
 * routes then read the same fields with {@link #of}, since a body can be read only once.
 */
public record FormFields(Map<String, String> values) {

    public static final long MAX_BYTES = 16 << 10;
    static final String MEDIA_TYPE = "application/x-www-form-urlencoded";
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    public FormFields {
        values = Map.copyOf(values);
    }

    /** The value of field {@code name}, when sent. */
    public Optional<String> first(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** Whether the request's body is a form (so the gate reads it for its CSRF field). */
    static boolean isForm(ServerRequest req) {
        return RequestBodies.unsupportedMediaType(req, Set.of(MEDIA_TYPE)).isEmpty();
    }

    /**
     * The form of this request: as the gate already read it, else read now.
     *
     * @throws ApiException 415 when the body is not a form, 413 when it is too large
     * @throws InvalidInputException when a field is sent twice or is not valid percent-encoded UTF-8
     */
    public static FormFields of(ServerRequest req, ServerResponse res) {
        Optional<FormFields> read = req.context().get(FormFields.class, FormFields.class);
        if (read.isPresent()) {
            return read.get();
        }
        Optional<String> unsupported = RequestBodies.unsupportedMediaType(req, Set.of(MEDIA_TYPE));
        if (unsupported.isPresent()) {
            throw new ApiException(ApiError.Kind.UNSUPPORTED_MEDIA_TYPE, unsupported.get());
        }
        byte[] body = RequestBodies.read(req, res, MAX_BYTES, DEADLINE).orElseThrow(() -> new ApiException(
                ApiError.Kind.PAYLOAD_TOO_LARGE, "a form may be at most " + MAX_BYTES + " bytes"));
        FormFields form = parse(new String(body, StandardCharsets.US_ASCII));
        req.context().register(FormFields.class, form);
        return form;
    }

    static FormFields parse(String body) {
        Map<String, String> fields = new HashMap<>();
        if (body.isEmpty()) {
            return new FormFields(fields);
        }
        for (String pair : body.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "a form field name");
            String value = decode(eq < 0 ? "" : pair.substring(eq + 1), name);
            if (fields.put(name, value) != null) {
                throw new InvalidInputException(name, "must be sent once");
            }
        }
        return new FormFields(fields);
    }

    private static String decode(String text, String field) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, "must be percent-encoded UTF-8 (application/x-www-form-urlencoded)");
        }
    }
}
