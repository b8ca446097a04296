package health.vclinic.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Reading cards strictly, and the field checks both card types share. */
final class Json {

    /*
     * Duplicate keys are rejected because a card with two "sha256" entries would verify one value
     * while a reader that keeps the other trusts a different file.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ModelRepositoryException(file + " is not valid JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            throw new ModelRepositoryException("cannot read " + file + ": " + e, e);
        }
    }

    static void requireObject(JsonNode json, String what) {
        if (!json.isObject()) {
            throw new ModelRepositoryException(what + " must be a JSON object, not " + json.getNodeType());
        }
    }

    /** A string field that must be present and not blank. */
    static String requiredText(JsonNode object, String field) {
        return optionalText(object, field)
                .orElseThrow(() -> new ModelRepositoryException("the card has no \"" + field + "\""));
    }

    /** A string field that may be absent or JSON null, but when present is a non-blank string. */
    static Optional<String> optionalText(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new ModelRepositoryException("\"" + field + "\" must be a non-blank string");
        }
        return Optional.of(node.asText());
    }
}
