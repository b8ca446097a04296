package health.vclinic.inference.monitoring;

/** The life of one alert: raised once, updated while open when its severity or substance changes, resolved once. */
public enum AlertState {
    RAISED,
    UPDATED,
    RESOLVED
}
