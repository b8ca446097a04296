package health.vclinic.inference.monitoring;

/** A test detector without per-patient state, of kind TREND, version 1: only its finding is the test's. */
abstract class StatelessTestDetector implements Detector<Detector.NoState> {

    private final String name;

    StatelessTestDetector(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public AlertKind kind() {
        return AlertKind.TREND;
    }

    @Override
    public NoState newState() {
        return NoState.INSTANCE;
    }
}
