package health.vclinic.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategy;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one strict Jackson databind setup for the project's own files (model cards, training
 * configurations): a file either means exactly one thing or is refused, with the key named.
 *
 * <ul>
 *   <li>duplicate keys are refused (a card with two {@code sha256} entries would verify one value
 *       while a reader keeping the other trusts a different file), as is anything after the value;</li>
 *   <li>unknown keys are refused, so a misspelt option never silently keeps its default;</li>
 *   <li>no coercion between scalar kinds: {@code "forty"} is not an int, {@code 2.9} is not an int
 *       (no truncation to 2), {@code 5} is not a string, {@code null} is not a number;</li>
 * </ul>
 *
 * <p>{@link java.util.Optional} components are supported (absent key: empty). Whole numbers are still accepted where a floating-point value is expected ({@code 1} for
 * {@code 1.0}): that widening loses nothing.
 */
public final class StrictJson {

    private StrictJson() {
    }

    /** A strict mapper whose record components are spelled in the file as {@code naming} says. */
    public static JsonMapper mapper(PropertyNamingStrategy naming) {
        JsonMapper mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .propertyNamingStrategy(naming)
                .addModule(new Jdk8Module())
                .build();
        for (LogicalType scalar : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(scalar)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /**
     * What was wrong, in the file's own words: the key (as a path such as {@code augmentation.max-scale}
     * or {@code channels[1]}) and the type or range it allows. A check that a record's constructor
     * made (a range) keeps its own message, which names the key.
     */
    public static String describe(JsonProcessingException e) {
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            return v.getCause().getMessage();
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown key '" + path(u) + "'; the keys there are " + sorted(u.getKnownPropertyIds());
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null && !m.getPath().isEmpty()) {
            String got = m instanceof InvalidFormatException f ? ", not " + f.getValue() : "";
            return "'" + path(m) + "' must be " + kind(m.getTargetType()) + got;
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return "'" + path(m) + "': " + e.getOriginalMessage();
        }
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return "not valid JSON: " + e.getOriginalMessage() + where;
    }

    /** The failing key as a dotted path with array indices: {@code training.config.seed}, {@code channels[1]}. */
    public static String path(JsonMappingException e) {
        StringBuilder s = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                s.append(s.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                s.append('[').append(r.getIndex()).append(']');
            }
        }
        return s.toString();
    }

    private static String kind(Class<?> type) {
        if (type == int.class || type == Integer.class) {
            return "a whole number from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + " (no decimals, no quotes)";
        }
        if (type == long.class || type == Long.class) {
            return "a whole number (no decimals, no quotes)";
        }
        if (type == float.class || type == Float.class || type == double.class || type == Double.class) {
            return "a number (no quotes)";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string (in quotes)";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a " + type.getSimpleName();
    }

    private static String sorted(Collection<Object> keys) {
        return keys.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ", "[", "]"));
    }
}
