package health.vclinic.api.fhir;

import ca.uhn.fhir.context.FhirContext;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.IParserErrorHandler;
import ca.uhn.fhir.parser.json.BaseJsonLikeValue;
import health.vclinic.api.json.StrictJson;
import health.vclinic.datasets.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;

/**
 * FHIR R4 JSON in and out: the service's one {@link FhirContext}, created once per process (building
 * its model takes a while and it is thread safe) and warmed at start-up by {@link #warm()}, so the first
 * request does not pay for the first parse (about a second).
 *
 * <p>Parsing is strict: an unknown element, a value of the wrong JSON type or an invalid primitive is an
 * error naming the element, where HAPI's default would log it and drop it, which would turn a misspelt
 * vital sign into a silently missing one. Before HAPI sees a body, {@link StrictJson} bounds its numbers
 * (HAPI expands {@code 1e999999999} into a billion-digit decimal), refuses duplicate keys and caps nesting.
 * Messages never repeat a value.
 */
public final class FhirJson {

    private static final FhirContext CONTEXT = FhirContext.forR4();
    private static volatile boolean warm;

    private FhirJson() {
    }

    static FhirContext context() {
        return CONTEXT;
    }

    /** Loads the model classes and runs one parse and one encode. Idempotent and cheap after the first call. */
    public static void warm() {
        if (warm) {
            return;
        }
        Bundle b = new Bundle().setType(Bundle.BundleType.COLLECTION);
        b.addEntry().setResource(new Patient().setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1970-01-01")));
        parse(encode(b, false));
        warm = true;
    }

    /**
     * @throws InvalidInputException when the text is not one FHIR R4 resource in JSON (a 400 on the wire)
     */
    public static IBaseResource parse(String json) {
        StrictJson.check(json, StrictJson.Paths.FHIR);
        IParser parser = CONTEXT.newJsonParser().setParserErrorHandler(new Strict());
        try {
            return parser.parseResource(json);
        } catch (InvalidInputException e) {
            throw locate(e, json);
        } catch (DataFormatException | IllegalArgumentException | ClassCastException | IndexOutOfBoundsException e) {
            // HAPI's parser signals some malformed input with runtime exceptions of its own making.
            throw new InvalidInputException("body", "must be one FHIR R4 resource in JSON (application/fhir+json)"
                    + reason(e));
        }
    }

    /**
     * HAPI names only the element and its parent; the first place in the body where that element sits
     * under that parent gives the full FHIRPath ({@code Bundle.entry[1].resource.heartRate}).
     */
    private static InvalidInputException locate(InvalidInputException e, String json) {
        List<InvalidInputException.Violation> out = new ArrayList<>();
        for (InvalidInputException.Violation v : e.violations()) {
            String[] parts = v.field().split("\\.");
            String key = parts[parts.length - 1];
            Optional<String> path = Optional.empty();
            try {
                JsonElement root = JsonParser.parseString(json);
                String rootName = root.isJsonObject() && root.getAsJsonObject().has("resourceType")
                        ? root.getAsJsonObject().get("resourceType").getAsString() : "";
                path = find(root, rootName, key, parts.length > 1 ? parts[parts.length - 2] : "");
            } catch (RuntimeException ignored) {
                // Not locatable: keep HAPI's element name.
            }
            out.add(new InvalidInputException.Violation(path.orElse(v.field()), v.allowed()));
        }
        return new InvalidInputException(out);
    }

    private static Optional<String> find(JsonElement e, String path, String key, String parent) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            String last = path.substring(path.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
            boolean parentMatches = parent.isEmpty() ? o.has("resourceType") : last.equals(parent);
            if (o.has(key) && parentMatches) {
                return Optional.of(path + "." + key);
            }
            for (Map.Entry<String, JsonElement> child : o.entrySet()) {
                Optional<String> found = find(child.getValue(), path + "." + child.getKey(), key, parent);
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                Optional<String> found = find(a.get(i), path + "[" + i + "]", key, parent);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** One resource as FHIR JSON. */
    public static String encode(IBaseResource resource, boolean pretty) {
        return CONTEXT.newJsonParser().setPrettyPrint(pretty).encodeResourceToString(resource);
    }

    /** The kind of fault, in words that repeat nothing from the body. */
    private static String reason(Exception e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("resourceType")) {
            return ": the JSON object needs a resourceType";
        }
        if (m.contains("Unknown resource name") || m.contains("Unknown resource type")) {
            return ": the resourceType is not an R4 resource";
        }
        if (m.contains("Failed to parse JSON") || m.contains("JSON")) {
            return ": the body is not well-formed JSON";
        }
        return "";
    }

    /** Rejects what HAPI's lenient default would log and drop; references outside the bundle are fine. */
    private static final class Strict implements IParserErrorHandler {

        private static InvalidInputException fail(IParseLocation where, String element, String problem) {
            String parent = where == null || where.getParentElementName() == null ? "" : where.getParentElementName();
            String field = parent.isEmpty() ? element : element.isEmpty() ? parent : parent + "." + element;
            return new InvalidInputException(field.isEmpty() ? "body" : field, problem);
        }

        @Override
        public void containedResourceWithNoId(IParseLocation where) {
            throw fail(where, "contained", "must have an id");
        }

        @Override
        public void incorrectJsonType(IParseLocation where, String element, BaseJsonLikeValue.ValueType expected,
                                      BaseJsonLikeValue.ScalarType expectedScalar, BaseJsonLikeValue.ValueType found,
                                      BaseJsonLikeValue.ScalarType foundScalar) {
            throw fail(where, element, "has the wrong JSON type (expected " + name(expected, expectedScalar) + ")");
        }

        @Override
        public void invalidValue(IParseLocation where, String value, String error) {
            throw fail(where, "", "holds a value that is not valid for its FHIR type");
        }

        @Override
        public void missingRequiredElement(IParseLocation where, String element) {
            throw fail(where, element, "is required");
        }

        @Override
        public void unexpectedRepeatingElement(IParseLocation where, String element) {
            throw fail(where, element, "must not repeat");
        }

        @Override
        public void unknownAttribute(IParseLocation where, String attribute) {
            throw fail(where, attribute, "is not an element of FHIR R4 here");
        }

        @Override
        public void unknownElement(IParseLocation where, String element) {
            throw fail(where, element, "is not an element of FHIR R4 here");
        }

        @Override
        public void unknownReference(IParseLocation where, String reference) {
            // A reference to a resource outside the bundle is normal (a prefetch, a partial record).
        }

        @Override
        public void invalidInternalReference(IParseLocation where, String reference) {
            throw fail(where, "reference", "points inside the resource at something that is not there");
        }

        @Override
        public void extensionContainsValueAndNestedExtensions(IParseLocation where) {
            throw fail(where, "extension", "must hold a value or nested extensions, not both");
        }

        private static String name(BaseJsonLikeValue.ValueType type, BaseJsonLikeValue.ScalarType scalar) {
            String t = type == BaseJsonLikeValue.ValueType.SCALAR && scalar != null ? scalar.name() : String.valueOf(type);
            return t.toLowerCase(java.util.Locale.ROOT);
        }
    }
}
