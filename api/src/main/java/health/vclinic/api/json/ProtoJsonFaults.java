package health.vclinic.api.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import health.vclinic.datasets.InvalidInputException;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds which field of a proto3 JSON request (protobuf's "JSON Mapping") the protobuf parser refused,
 * when its own message names none ({@code "malformed JSON"} for a string where a number belongs).
 *
 * <p>The parser itself is the judge: each field is parsed again on its own, and the search descends into
 * the first one that fails (into objects for message fields, into elements for repeated ones). So this
 * class can never refuse what the parser accepts; it only says where. Called on the error path only,
 * after {@link StrictJson} has bounded the body, so each re-parse is of a small, checked piece.
 *
 * <p>{@link #requireNoArraysForSingleValues} closes a gap of the parser itself: protobuf-java-util reads a
 * one-element array where a single value belongs ({@code "heart_rate": [80]} as 80), a silent guess the
 * proto3 JSON mapping does not allow.
 */
public final class ProtoJsonFaults {

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private ProtoJsonFaults() {
    }

    /**
     * The first field of {@code json} (a JSON object already refused by the proto3 JSON parser for
     * {@code type}) that the parser refuses, as a violation naming its path ({@code vitals.heart_rate},
     * {@code interview.phq9[2]}) and the JSON it takes; empty when no single field is at fault.
     */
    public static Optional<InvalidInputException> locate(String json, Descriptor type) {
        try {
            JsonElement root = JsonParser.parseString(json);
            return root.isJsonObject() ? in(root.getAsJsonObject(), type, "") : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Refuses an array given for a field that holds one value (or for a map's value), naming its path.
     * Unknown fields and every other fault are left to the parser.
     *
     * @throws InvalidInputException naming the first such field
     */
    public static void requireNoArraysForSingleValues(String json, Descriptor type) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (RuntimeException e) {
            return;  // not JSON: the parser says so
        }
        if (root.isJsonObject()) {
            arrays(root.getAsJsonObject(), type, "");
        }
    }

    private static void arrays(JsonObject object, Descriptor type, String prefix) {
        for (Map.Entry<String, JsonElement> member : object.entrySet()) {
            Optional<FieldDescriptor> found = field(type, member.getKey());
            if (found.isEmpty()) {
                continue;
            }
            FieldDescriptor field = found.get();
            JsonElement value = member.getValue();
            String path = prefix + member.getKey();
            if (field.isMapField()) {
                FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
                if (value.isJsonObject()) {
                    for (Map.Entry<String, JsonElement> entry : value.getAsJsonObject().entrySet()) {
                        single(valueField, entry.getValue(), path + "." + entry.getKey());
                    }
                }
            } else if (field.isRepeated()) {
                if (value.isJsonArray()) {
                    JsonArray array = value.getAsJsonArray();
                    for (int i = 0; i < array.size(); i++) {
                        single(field, array.get(i), path + "[" + i + "]");
                    }
                }
            } else {
                single(field, value, path);
            }
        }
    }

    /** One value of {@code field} (not a list): never an array; a nested message is looked into. */
    private static void single(FieldDescriptor field, JsonElement value, String path) {
        boolean wellKnown = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                && field.getMessageType().getFullName().startsWith("google.protobuf.");
        if (value.isJsonArray() && !wellKnown) {
            throw new InvalidInputException(path, "must be " + element(field) + ", not an array");
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !wellKnown && value.isJsonObject()) {
            arrays(value.getAsJsonObject(), field.getMessageType(), path + ".");
        }
    }

    private static Optional<InvalidInputException> in(JsonObject object, Descriptor type, String prefix) {
        for (Map.Entry<String, JsonElement> member : object.entrySet()) {
            String path = prefix + member.getKey();
            Optional<FieldDescriptor> field = field(type, member.getKey());
            if (field.isEmpty()) {
                return Optional.of(new InvalidInputException(path, "is not a field of " + type.getName()
                        + " (fields: " + type.getFields().stream().map(FieldDescriptor::getName)
                        .collect(Collectors.joining(", ")) + ")"));
            }
            if (parses(type, member.getKey(), member.getValue())) {
                continue;
            }
            return Optional.of(deeper(field.get(), member.getValue(), path)
                    .orElseGet(() -> new InvalidInputException(path, "must be " + expected(field.get()))));
        }
        return Optional.empty();
    }

    /** Within a refused field: the element or nested field at fault, when there is one. */
    private static Optional<InvalidInputException> deeper(FieldDescriptor field, JsonElement value, String path) {
        boolean message = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()
                && !field.getMessageType().getFullName().startsWith("google.protobuf.");
        if (field.isRepeated() && !field.isMapField() && value.isJsonArray()) {
            JsonArray array = value.getAsJsonArray();
            for (int i = 0; i < array.size(); i++) {
                JsonArray one = new JsonArray();
                one.add(array.get(i));
                if (!parses(field.getContainingType(), field.getName(), one)) {
                    String at = path + "[" + i + "]";
                    Optional<InvalidInputException> inner = message && array.get(i).isJsonObject()
                            ? in(array.get(i).getAsJsonObject(), field.getMessageType(), at + ".") : Optional.empty();
                    return Optional.of(inner.orElseGet(() -> new InvalidInputException(at, "must be "
                            + element(field))));
                }
            }
            return Optional.empty();
        }
        if (!field.isRepeated() && message && value.isJsonObject()) {
            return in(value.getAsJsonObject(), field.getMessageType(), path + ".");
        }
        return Optional.empty();
    }

    private static Optional<FieldDescriptor> field(Descriptor type, String key) {
        FieldDescriptor byName = type.findFieldByName(key);
        if (byName != null) {
            return Optional.of(byName);
        }
        return type.getFields().stream().filter(f -> f.getJsonName().equals(key)).findFirst();
    }

    private static boolean parses(Descriptor type, String key, JsonElement value) {
        JsonObject one = new JsonObject();
        one.add(key, value);
        try {
            PARSER.merge(one.toString(), DynamicMessage.newBuilder(type));
            return true;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return false;
        }
    }

    /** What JSON a field takes, in the words of the proto3 JSON mapping. */
    private static String expected(FieldDescriptor field) {
        if (field.isMapField()) {
            return "an object whose values are each " + element(field.getMessageType().findFieldByName("value"));
        }
        return field.isRepeated() ? "an array whose elements are each " + element(field) : element(field);
    }

    private static String element(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case INT, LONG -> "a whole number in the range of " + field.getType().name().toLowerCase(java.util.Locale.ROOT);
            case FLOAT, DOUBLE -> "a number";
            case BOOLEAN -> "true or false";
            case STRING -> "a string";
            case BYTE_STRING -> "a base64 string";
            case ENUM -> "one of " + field.getEnumType().getValues().stream().map(EnumValueDescriptor::getName)
                    .collect(Collectors.joining(", "));
            case MESSAGE -> field.getMessageType().getFullName().startsWith("google.protobuf.")
                    ? "a " + field.getMessageType().getName() + " in the proto3 JSON mapping"
                    : "an object (a " + field.getMessageType().getName() + ")";
        };
    }
}
