package health.vclinic.inference;

/**
 * One vital sign compared with the normal range for the child's age.
 *
 * @param parameter the request field name ("heart_rate")
 */
public record VitalCheck(String parameter, double value, double normalLow, double normalHigh) {

    public boolean withinNormal() {
        return value >= normalLow && value <= normalHigh;
    }
}
