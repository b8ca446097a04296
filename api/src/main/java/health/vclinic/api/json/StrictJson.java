package health.vclinic.api.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import health.vclinic.datasets.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The first look at every JSON request body (triage JSON, FHIR, CDS Hooks), before any parser that
 * expands what it reads. One pass with Jackson's streaming parser, which reads a number's text without
 * converting it, refuses:
 * <ul>
 *   <li>bytes that are not UTF-8 (RFC 8259 §8.1: JSON exchanged between systems must be UTF-8), where a
 *       decoder would silently put U+FFFD in their place;</li>
 *   <li>a number longer than {@value #MAX_NUMBER_CHARS} characters, with an exponent beyond
 *       ±{@value #MAX_EXPONENT}, outside the range of a double, or so small that it rounds to zero. HAPI
 *       FHIR turns {@code 1e999999999} into a plain decimal string and parses it back, which takes a core and
 *       gigabytes of heap for as long as it runs; no vital sign, score or duration needs more than a double
 *       (RFC 8259 §6 lets a receiver set such limits);</li>
 *   <li>a key given twice in one object (RFC 8259 §4: names "SHOULD be unique"; parsers differ on which one
 *       wins, so a value could be read one way here and another way by a caller's audit trail);</li>
 *   <li>nesting deeper than {@value #MAX_DEPTH} levels, and anything but exactly one JSON value.</li>
 * </ul>
 * Every refusal names the element as a path from the body's root ({@code vitals.heart_rate},
 * {@code prefetch.vitals.entry[2].resource.valueQuantity.value}, or for FHIR from its resource type,
 * {@code Observation.valueQuantity.value}) and says what is allowed; none repeats a value, which may be
 * patient data. A body of a mebibyte is checked in milliseconds.
 */
public final class StrictJson {

    /** Longest accepted number text: a double needs at most 24 characters ({@code -2.2250738585072014E-308}). */
    public static final int MAX_NUMBER_CHARS = 40;
    /** Largest accepted exponent magnitude: a double's range is about 4.9e-324 to 1.8e308. */
    public static final int MAX_EXPONENT = 400;
    /** Deepest accepted nesting: FHIR QuestionnaireResponses nest items, but never this deep. */
    public static final int MAX_DEPTH = 64;

    private static final String NUMBER_RULE = "must be a number of at most " + MAX_NUMBER_CHARS
            + " characters within the range of a double (magnitude from about 4.9e-324 to 1.8e308, or 0)";

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Jackson's own bounds stay as a backstop a little above ours, so that ours speak first.
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(1000).maxNestingDepth(MAX_DEPTH + 1).build())
            .build();

    /** How paths are written in messages. */
    public enum Paths {
        /** From the body's root: {@code vitals.heart_rate}, {@code prefetch.vitals.entry[2]}. */
        JSON,
        /** FHIR: from the resource type of the body's root ({@code Bundle.entry[0].resource.valueQuantity}). */
        FHIR
    }

    private StrictJson() {
    }

    /**
     * Decodes a body as strict UTF-8 (a leading byte order mark is ignored, RFC 8259 §8.1) and checks it.
     *
     * @return the body as text, safe to hand to any JSON parser
     * @throws InvalidInputException naming what is wrong and where
     */
    public static String text(byte[] body, Paths paths) {
        String text = decode(body);
        check(text, paths);
        return text;
    }

    /**
     * Checks a body already decoded to text.
     *
     * @throws InvalidInputException naming what is wrong and where
     */
    public static void check(String json, Paths paths) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            new Scan(parser, paths).run();
        } catch (InvalidInputException e) {
            throw e;
        } catch (StreamConstraintsException e) {
            // Only reached for numbers over Jackson's own bound or nesting past ours: the path is that of
            // the parser's position, which is where the offending value starts.
            throw new InvalidInputException(rootOr(paths, ""), "exceeds a structural limit of this service: "
                    + (e.getMessage() != null && e.getMessage().contains("umber") ? NUMBER_RULE
                    : "nesting deeper than " + MAX_DEPTH + " levels is not accepted"));
        } catch (JsonProcessingException e) {
            throw notWellFormed(e.getLocation());
        } catch (IOException e) {
            throw new IllegalStateException("reading a String cannot fail", e);
        }
    }

    private static String rootOr(Paths paths, String path) {
        return path.isEmpty() ? "body" : path;
    }

    private static InvalidInputException notWellFormed(JsonLocation where) {
        String at = where == null ? "" : String.format(Locale.ROOT, " (line %d, column %d)", where.getLineNr(),
                where.getColumnNr());
        return new InvalidInputException("body", "must be well-formed JSON (RFC 8259)" + at);
    }

    /**
     * Strict UTF-8: a malformed sequence is refused with its byte offset, never replaced by U+FFFD.
     *
     * @throws InvalidInputException when the bytes are not UTF-8
     */
    public static String decode(byte[] body) {
        int start = body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB
                && (body[2] & 0xff) == 0xBF ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body, start, body.length - start);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new InvalidInputException("body", "must be UTF-8 (RFC 8259 §8.1): the bytes at offset "
                    + in.position() + " are not a UTF-8 sequence");
        }
        result = decoder.flush(out);
        if (result.isError()) {
            throw new InvalidInputException("body", "must be UTF-8 (RFC 8259 §8.1): it ends inside a sequence");
        }
        return out.flip().toString();
    }

    /** One pass over the tokens, keeping the keys seen in each open object. */
    private static final class Scan {
        private final JsonParser parser;
        private final Paths paths;
        private final Deque<Set<String>> keys = new ArrayDeque<>();
        private Optional<String> rootType = Optional.empty();

        Scan(JsonParser parser, Paths paths) {
            this.parser = parser;
            this.paths = paths;
        }

        void run() throws IOException {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new InvalidInputException("body", "must be one JSON value; it is empty");
            }
            token(token);
            while (!keys.isEmpty()) {
                JsonToken next = parser.nextToken();
                if (next == null) {
                    throw notWellFormed(parser.currentLocation());
                }
                token(next);
            }
            if (parser.nextToken() != null) {
                throw new InvalidInputException("body", "must be exactly one JSON value; more follows it");
            }
        }

        private void token(JsonToken token) throws IOException {
            switch (token) {
                case START_OBJECT -> open(new HashSet<>());
                case START_ARRAY -> open(Set.of());
                case END_OBJECT, END_ARRAY -> keys.pop();
                case FIELD_NAME -> key(parser.currentName());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> number();
                case VALUE_STRING -> {
                    if (keys.size() == 1 && "resourceType".equals(parser.currentName())) {
                        rootType = Optional.of(parser.getText());
                    }
                }
                default -> {
                    // true, false, null: nothing to bound
                }
            }
        }

        private void open(Set<String> seen) {
            if (keys.size() >= MAX_DEPTH) {
                throw fail("nests deeper than " + MAX_DEPTH + " levels; no request of this service needs that");
            }
            keys.push(seen);
        }

        private void key(String name) {
            if (name.isEmpty()) {
                // No request of this service has an unnamed member, and HAPI's parser fails on one (found by fuzzing).
                throw fail("is an empty key; every key needs a name");
            }
            if (!keys.peek().add(name)) {
                throw fail("is given more than once in one object; each key may appear once (RFC 8259 §4)");
            }
        }

        private void number() throws IOException {
            // getTextLength and getText read the token's characters; nothing converts them.
            if (parser.getTextLength() > MAX_NUMBER_CHARS || !withinDouble(parser.getText())) {
                throw fail(NUMBER_RULE);
            }
        }

        private InvalidInputException fail(String problem) {
            JsonStreamContext where = parser.getParsingContext();
            // At the start of an object or array the parser is already inside it: name where it starts.
            String path = path(parser.currentToken().isStructStart() ? where.getParent() : where);
            if (paths == Paths.FHIR) {
                findRootType();
                if (rootType.isPresent()) {
                    path = path.isEmpty() ? rootType.get() : rootType.get() + "." + path;
                }
            }
            return new InvalidInputException(rootOr(paths, path), problem);
        }

        /** After a fault, reads on (without checking) only to learn the root's resourceType for the path. */
        private void findRootType() {
            if (rootType.isPresent()) {
                return;
            }
            try (JsonParser rest = parser) {
                int depth = keys.size();
                for (JsonToken t = rest.nextToken(); t != null && depth > 0; t = rest.nextToken()) {
                    depth += t.isStructStart() ? 1 : t.isStructEnd() ? -1 : 0;
                    if (depth == 1 && t == JsonToken.VALUE_STRING && "resourceType".equals(rest.currentName())) {
                        rootType = Optional.of(rest.getText());
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not well-formed further on: the path stays relative to the body's root.
            }
        }
    }

    /**
     * Whether a JSON number's text (at most {@link #MAX_NUMBER_CHARS} characters) is a finite double that
     * does not round to zero unless it is zero, with an exponent no larger than {@link #MAX_EXPONENT}.
     */
    static boolean withinDouble(String number) {
        int e = Math.max(number.indexOf('e'), number.indexOf('E'));
        String mantissa = e < 0 ? number : number.substring(0, e);
        if (e >= 0) {
            String exponent = number.substring(e + 1);
            String digits = exponent.startsWith("+") || exponent.startsWith("-") ? exponent.substring(1) : exponent;
            if (digits.length() > 3 || Integer.parseInt(digits) > MAX_EXPONENT) {
                return false;
            }
        }
        double value = Double.parseDouble(number);
        if (Double.isInfinite(value)) {
            return false;
        }
        boolean zeroMantissa = mantissa.chars().noneMatch(c -> c >= '1' && c <= '9');
        return value != 0 || zeroMantissa;
    }

    /** The parser's position as a path: {@code a.b[2].c}, "" at the root. */
    static String path(JsonStreamContext context) {
        StringBuilder out = new StringBuilder();
        Deque<JsonStreamContext> chain = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            chain.push(c);
        }
        for (JsonStreamContext c : chain) {
            if (c.inArray()) {
                out.append('[').append(Math.max(0, c.getCurrentIndex())).append(']');
            } else if (c.getCurrentName() != null) {
                out.append(out.isEmpty() ? "" : ".").append(c.getCurrentName());
            }
        }
        return out.toString();
    }
}
