package health.vclinic.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.datasets.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The first look at a JSON body: bounded numbers, unique keys, strict UTF-8, one value, paths named. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StrictJsonTest {

    private static InvalidInputException refused(String json, StrictJson.Paths paths) {
        return assertThrows(InvalidInputException.class, () -> StrictJson.check(json, paths));
    }

    private static String field(InvalidInputException e) {
        assertEquals(1, e.violations().size(), e.getMessage());
        return e.violations().getFirst().field();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999999999", "1e-999999999", "1e1000000", "-1e309", "1e309", "1e-400", "0e999999",
            "1.0000000000000000000000000000000000000000001", "123456789012345678901234567890123456789012"})
    void numbersBeyondADoubleOrTooLongAreRefusedNamingTheElement(String number) {
        String fhir = "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                + "\"valueQuantity\":{\"value\":" + number + "}}";
        InvalidInputException e = refused(fhir, StrictJson.Paths.FHIR);
        assertEquals("Observation.valueQuantity.value", field(e));
        assertTrue(e.getMessage().contains("range of a double"), e.getMessage());
        assertFalse(e.getMessage().contains(number), "the value is echoed: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "0.0", "1e308", "1.7976931348623157e308", "-1.7976931348623157E+308",
            "4.9e-324", "2.2250738585072014E-308", "0e400", "38.5", "120", "-40"})
    void numbersADoubleHoldsAreAccepted(String number) {
        StrictJson.check("{\"a\":[" + number + "]}", StrictJson.Paths.JSON);
    }

    @Test
    void aMillionDigitNumberIsRefusedAtItsPath() {
        InvalidInputException e = refused("{\"vitals\":{\"heart_rate\":" + "9".repeat(1_000_000) + "}}",
                StrictJson.Paths.JSON);
        assertTrue(e.getMessage().contains("number"), e.getMessage());
    }

    @Test
    void theResourceTypeNamesTheRootEvenWhenItComesLast() {
        String bundle = "{\"type\":\"collection\",\"entry\":[{\"resource\":{\"valueQuantity\":{\"value\":1e-999999999}}}],"
                + "\"resourceType\":\"Bundle\"}";
        assertEquals("Bundle.entry[0].resource.valueQuantity.value", field(refused(bundle, StrictJson.Paths.FHIR)));
    }

    @Test
    void aDuplicateKeyIsRefusedNamingIt() {
        assertEquals("vitals.heart_rate", field(refused("{\"vitals\":{\"heart_rate\":80,\"heart_rate\":90}}",
                StrictJson.Paths.JSON)));
        assertEquals("prefetch.vitals.entry[1].resource.status", field(refused(
                "{\"prefetch\":{\"vitals\":{\"entry\":[{},{\"resource\":{\"status\":\"final\",\"status\":\"x\"}}]}}}",
                StrictJson.Paths.JSON)));
        // The same key in sibling objects is fine.
        StrictJson.check("{\"a\":{\"k\":1},\"b\":{\"k\":1},\"c\":[{\"k\":1},{\"k\":2}]}", StrictJson.Paths.JSON);
    }

    @Test
    void deepNestingAndTrailingDataAreRefused() {
        String deep = "[".repeat(StrictJson.MAX_DEPTH + 1) + "]".repeat(StrictJson.MAX_DEPTH + 1);
        assertTrue(refused(deep, StrictJson.Paths.JSON).getMessage().contains("deeper"));
        StrictJson.check("[".repeat(StrictJson.MAX_DEPTH) + "]".repeat(StrictJson.MAX_DEPTH), StrictJson.Paths.JSON);
        assertEquals("body", field(refused("{} {}", StrictJson.Paths.JSON)));
        assertEquals("body", field(refused("{\"a\":1} x", StrictJson.Paths.JSON)));
        assertEquals("body", field(refused("", StrictJson.Paths.JSON)));
        assertEquals("body", field(refused("{'a':1}", StrictJson.Paths.JSON)));
        assertEquals("body", field(refused("{\"a\":NaN}", StrictJson.Paths.JSON)));
    }

    @Test
    void invalidUtf8IsRefusedWithItsOffsetNotReplaced() {
        byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> StrictJson.decode(body));
        assertTrue(e.getMessage().contains("UTF-8") && e.getMessage().contains("offset 6"), e.getMessage());
        byte[] cut = {'"', (byte) 0xE2, (byte) 0x82};
        assertThrows(InvalidInputException.class, () -> StrictJson.decode(cut));
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        assertEquals("{}", StrictJson.text(bom, StrictJson.Paths.JSON));
        assertEquals("{\"t\":\"38 °C\"}", StrictJson.text("{\"t\":\"38 °C\"}".getBytes(StandardCharsets.UTF_8),
                StrictJson.Paths.JSON));
    }

    @Test
    void aMebibyteBodyIsCheckedWithoutExpandingAnything() {
        StringBuilder big = new StringBuilder("{\"values\":[");
        for (int i = 0; i < 100_000; i++) {
            big.append(i == 0 ? "" : ",").append("1.5e300");
        }
        StrictJson.check(big.append("]}").toString(), StrictJson.Paths.JSON);
    }
}
