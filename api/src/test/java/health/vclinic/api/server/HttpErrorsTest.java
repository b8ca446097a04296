package health.vclinic.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import health.vclinic.api.json.StrictJson;
import org.junit.jupiter.api.Test;

/** HTTP JSON error bodies stay valid JSON whatever a message holds (a key with U+0001, quotes, U+2028). */
class HttpErrorsTest {

    @Test
    void errorBodiesAreValidJsonWhateverTheMessageHolds() throws Exception {
        String message = "unknown field '\u0001\"\\\n\u2028'";
        String body = HttpErrors.body(ApiError.of(ApiError.Kind.INVALID_ARGUMENT, message));
        JsonFactory strict = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        try (JsonParser p = strict.createParser(body)) {
            p.nextToken();
            assertEquals("error", p.nextFieldName());
            p.nextToken();
            assertEquals("code", p.nextFieldName());
            assertEquals("INVALID_ARGUMENT", p.nextTextValue());
            assertEquals("message", p.nextFieldName());
            assertEquals(message, p.nextTextValue());
        }
        StrictJson.check(body, StrictJson.Paths.JSON);
    }

    @Test
    void eachKindHasOneHttpStatusAndOneGrpcCode() {
        assertEquals(400, ApiError.Kind.INVALID_ARGUMENT.http());
        assertEquals(503, ApiError.Kind.RESOURCE_EXHAUSTED.http());
        assertEquals(io.grpc.Status.Code.RESOURCE_EXHAUSTED, ApiError.Kind.RESOURCE_EXHAUSTED.grpc());
        assertEquals("{\"error\":{\"code\":\"RESOURCE_EXHAUSTED\",\"message\":\"queue full\",\"violations\":[]}}",
                HttpErrors.body(ApiError.of(ApiError.Kind.RESOURCE_EXHAUSTED, "queue full")));
    }
}
