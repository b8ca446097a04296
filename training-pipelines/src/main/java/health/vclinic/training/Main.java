package health.vclinic.training;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The training command line, {@code vclinic train <pipeline>}; the launcher {@code ./vclinic train}
 * runs it with JDK 25.
 */
@Command(name = "vclinic", mixinStandardHelpOptions = true, version = "vclinic 0.1.0",
        description = "Train models into the model repository.",
        subcommands = {TrainCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
