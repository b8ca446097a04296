package health.vclinic.datasets;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the patient came to the emergency department, as recorded at triage (the arrival modes of the
 * Korean Triage and Acuity Scale data of Moon et al., PLoS ONE 2019). Arrival by emergency ambulance
 * is a known marker of acuity; a virtual clinic usually does not know it, and then leaves it out.
 *
 * <p>Carried in the interview's structured answers under {@link Interview#ARRIVAL_MODE_ANSWER}, spelt
 * as {@link #answer()}, so the wire contract needs no field of its own.
 */
public enum ArrivalMode {
    WALKING("walking"),
    PRIVATE_VEHICLE("private_vehicle"),
    PUBLIC_TRANSPORT("public_transport"),
    WHEELCHAIR("wheelchair"),
    /** The public emergency medical service (119 in Korea, 911, 999, 112 elsewhere). */
    EMERGENCY_AMBULANCE("emergency_ambulance"),
    /** A private or inter-facility transfer ambulance. */
    PRIVATE_AMBULANCE("private_ambulance"),
    OTHER("other");

    private final String answer;

    ArrivalMode(String answer) {
        this.answer = answer;
    }

    /** The spelling used in {@link Interview#answers()}, e.g. {@code emergency_ambulance}. */
    public String answer() {
        return answer;
    }

    /** Plain words for explanations ("emergency ambulance"). */
    public String words() {
        return answer.replace('_', ' ');
    }

    /** The mode spelt {@code answer}, ignoring case and surrounding blanks. */
    public static Optional<ArrivalMode> fromAnswer(String answer) {
        String key = answer.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.answer.equals(key)).findFirst();
    }

    /** Every accepted spelling, for error messages. */
    static String allowed() {
        return Arrays.stream(values()).map(ArrivalMode::answer).collect(Collectors.joining(", "));
    }
}
