package health.vclinic.api.json;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.RawHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /v1/triage:assess} against a real server with loose or hostile JSON: each gets a 4xx at once
 * naming the field, never a hang, a silent guess or an error body that is not JSON.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TriageJsonInputTest {

    private static final String ASSESS = "/v1/triage:assess";
    private static VclinicServer server;

    @BeforeAll
    static void start() {
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> post(Optional<String> contentType, byte[] body) throws Exception {
        return RawHttp.post(server.port(), ASSESS, contentType, body);
    }

    private static HttpResponse<String> post(String json) throws Exception {
        return post(Optional.of("application/json"), json.getBytes(StandardCharsets.UTF_8));
    }

    /** The error message of a JSON error body, read by a strict parser (so the body must be valid JSON). */
    private static String message(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        try (JsonParser p = new JsonFactory().createParser(r.body())) {
            String message = "";
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.VALUE_STRING && "message".equals(p.currentName())) {
                    message = p.getText();
                }
            }
            return message;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999999999", "1e-999999999", "1e1000000"})
    void aNumberNoDoubleHoldsIsRefusedAtOnceNamingTheField(String number) throws Exception {
        String message = message(post("{\"vitals\":{\"heart_rate\":" + number + "}}"), 400);
        assertTrue(message.contains("vitals.heart_rate"), message);
    }

    @Test
    void aDuplicateKeyIsRefusedNamingIt() throws Exception {
        String message = message(post("{\"vitals\":{\"heart_rate\":80,\"heart_rate\":180}}"), 400);
        assertTrue(message.contains("vitals.heart_rate") && message.contains("more than once"), message);
    }

    @Test
    void invalidUtf8IsRefusedNotReplaced() throws Exception {
        byte[] body = "{\"interview\":{\"chief_complaint\":\"chest pain X\"}}".getBytes(StandardCharsets.UTF_8);
        body[body.length - 4] = (byte) 0xFF;
        String message = message(post(Optional.of("application/json"), body), 400);
        assertTrue(message.contains("UTF-8"), message);
    }

    @Test
    void aMissingOrWrongContentTypeIs415NamingTheAcceptedType() throws Exception {
        byte[] ok = "{\"vitals\":{\"heart_rate\":80}}".getBytes(StandardCharsets.UTF_8);
        for (Optional<String> type : new Optional[] {Optional.empty(), Optional.of("text/plain"),
                Optional.of("application/x-www-form-urlencoded"), Optional.of("application/json; charset=iso-8859-1")}) {
            String message = message(post(type, ok), 415);
            assertTrue(message.contains("application/json") || message.contains("utf-8"), type + ": " + message);
        }
        assertEquals(200, post(Optional.of("application/json; charset=UTF-8"), ok).statusCode());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"vitals\":{\"heart_rate\":\"Jane Doe\"}}|vitals.heart_rate",
            "{\"vitals\":{\"heart_rate\":{}}}|vitals.heart_rate",
            "{\"vitals\":[1]}|vitals",
            "{\"vitals\":{\"supplemental_oxygen\":\"yes\"}}|vitals.supplemental_oxygen",
            "{\"patient\":{\"age_years\":true}}|patient.age_years",
            "{\"interview\":{\"phq9\":\"x\"}}|interview.phq9",
            "{\"interview\":{\"phq9\":[1,\"a\",1]}}|interview.phq9[1]",
            "{\"interview\":{\"answers\":{\"q\":{}}}}|interview.answers"})
    void aValueOfTheWrongTypeIsNamedByItsPath(String json, String path) throws Exception {
        String message = message(post(json), 400);
        assertTrue(message.contains(path), path + " not in: " + message);
        assertFalse(message.contains("malformed JSON"), message);
        assertFalse(message.contains("Jane"), "the value is echoed: " + message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"vitals\":{\"heart_rate\":[80]}}|vitals.heart_rate",
            "{\"encounter_id\":[\"e-1\"]}|encounter_id",
            "{\"patient\":{\"sex\":[\"MALE\"]}}|patient.sex",
            "{\"interview\":{\"answers\":{\"q\":[\"yes\"]}}}|interview.answers.q",
            "{\"interview\":{\"phq9\":[[1],0,0,0,0,0,0,0,0]}}|interview.phq9[0]"})
    void aOneElementArrayIsNotReadAsTheValueInIt(String json, String path) throws Exception {
        String message = message(post(json), 400);
        assertTrue(message.contains(path) && message.contains("not an array"), path + " not in: " + message);
    }

    @Test
    void aKeyWithAControlCharacterStillGetsAValidJsonErrorBody() throws Exception {
        String message = message(post("{\"vitals\":{\"\\u0001\\\"x\":80}}"), 400);
        assertTrue(message.contains("vitals.\u0001\"x"), message);
    }
}
