package health.vclinic.api.cli;

import health.vclinic.api.triage.ServedEngine;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vclinic} command line: {@code serve}, {@code assess}, {@code bench} and {@code replay}. The
 * launcher script {@code ./vclinic} builds the project and calls this with JDK 25.
 */
@Command(name = "vclinic", mixinStandardHelpOptions = true, version = "vclinic 0.1.0",
        description = "AI diagnostics and triage service for virtual clinics.",
        subcommands = {ServeCommand.class, AssessCommand.class, BenchCommand.class, ReplayCommand.class,
                AdminCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof ServedEngine.ModelUnavailableException
                            || e instanceof health.vclinic.datasets.InvalidInputException) {
                        // An operator's problem with a clear fix: the message, not a stack trace.
                        cmd.getErr().println("vclinic: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                })
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
