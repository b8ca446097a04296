package health.vclinic.models;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Reading and writing cards with the strict snake_case mapper, and the field checks both card types share. */
final class Json {

    static final JsonMapper MAPPER = StrictJson.mapper(PropertyNamingStrategies.SNAKE_CASE);

    /** Two-space indent and LF line ends on every platform, so cards are byte-identical everywhere. */
    private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private Json() {
    }

    static <T> T read(Path file, Class<T> type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelRepositoryException("cannot read " + file + ": " + e, e);
        }
        return parse(bytes, file.toString(), type);
    }

    static <T> T parse(byte[] bytes, String source, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (JsonProcessingException e) {
            throw new ModelRepositoryException(source + ": " + StrictJson.describe(e), e);
        } catch (IOException e) {
            throw new ModelRepositoryException("cannot read " + source + ": " + e, e);
        }
    }

    static <T> T fromTree(JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new ModelRepositoryException("a " + type.getSimpleName() + ": " + StrictJson.describe(e), e);
        }
    }

    static JsonNode tree(Object card) {
        return MAPPER.valueToTree(card);
    }

    /** The card as written: pretty JSON with LF line ends and a final newline. */
    static byte[] bytes(Object card) {
        try {
            return (WRITER.writeValueAsString(card) + "\n").getBytes(UTF_8);
        } catch (JsonProcessingException e) {
            throw new ModelRepositoryException("cannot write a card as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A string that must be present and not blank. */
    static String required(String value, String field) {
        if (value == null) {
            throw new ModelRepositoryException("the card has no \"" + field + "\"");
        }
        if (value.isBlank()) {
            throw new ModelRepositoryException("\"" + field + "\" must be a non-blank string");
        }
        return value;
    }

    /** An optional string that, when present, is not blank. */
    static Optional<String> optional(Optional<String> value, String field) {
        Optional<String> v = value == null ? Optional.empty() : value;
        v.ifPresent(s -> required(s, field));
        return v;
    }
}
