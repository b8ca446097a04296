package health.vclinic.api.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a JSON parser's complaint into words a caller can act on, without echoing the values it was
 * sent (they may be patient data): the field it names is kept, the value is not.
 */
public final class JsonErrors {

    private static final Pattern FIELD = Pattern.compile("(?:field|Field)[: ]+\"?([A-Za-z0-9_.]+)\"?");
    private static final Pattern UNKNOWN = Pattern.compile("Cannot find field: (\\S+) in message");

    private JsonErrors() {
    }

    public static String describe(Exception e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        Matcher unknown = UNKNOWN.matcher(message);
        if (unknown.find()) {
            return "unknown field '" + unknown.group(1) + "'";
        }
        if (message.startsWith("Failed to parse")) {
            Matcher field = FIELD.matcher(message);
            String where = field.find() ? " in field '" + field.group(1) + "'" : "";
            return "a value has the wrong type or format" + where;
        }
        if (message.contains("Invalid enum value") || message.contains("enum")) {
            return "an enumeration value is not one of the allowed names";
        }
        return "malformed JSON";
    }
}
