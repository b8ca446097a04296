package health.vclinic.api.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The HTTP JSON error body, {@code {"error":{"code":"INVALID_ARGUMENT","message":"..."}}} (the shape of
 * Google's JSON error responses, with the gRPC status name as the code), written by Jackson's generator:
 * a message may name a key the caller sent, and a key can hold any character (quotes, backslashes,
 * U+0001), which only an escaping JSON writer turns into valid JSON (RFC 8259 §7).
 */
public final class ErrorBody {

    private static final JsonFactory FACTORY = new JsonFactory();

    private ErrorBody() {
    }

    /** One error as a JSON object; {@code code} is a gRPC status name such as {@code INVALID_ARGUMENT}. */
    public static String json(String code, String message) {
        StringWriter out = new StringWriter(64 + message.length());
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("code", code);
            g.writeStringField("message", message);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
        }
        return out.toString();
    }
}
