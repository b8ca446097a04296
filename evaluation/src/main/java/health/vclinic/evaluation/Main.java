package health.vclinic.evaluation;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The evaluation command line, {@code vclinic evaluate <model>}; the launcher
 * {@code ./vclinic evaluate} runs it with JDK 25.
 */
@Command(name = "vclinic", mixinStandardHelpOptions = true, version = "vclinic 0.1.0",
        description = "Evaluate models and write their reports.",
        subcommands = {EvaluateCommand.class})
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
