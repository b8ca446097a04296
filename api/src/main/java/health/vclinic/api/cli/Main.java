package health.vclinic.api.cli;

import health.vclinic.api.triage.ServedEngine;
import java.io.PrintWriter;
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

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the command line with its usage and errors written to {@code out} and {@code err} (for tests). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Main()).setOut(out).setErr(err);
        try {
            SettingsFile.named(args).ifPresent(f -> commandLine.setDefaultValueProvider(SettingsFile.read(f, commandLine)));
        } catch (CommandLine.ParameterException e) {
            commandLine.getErr().println("vclinic: " + e.getMessage());
            return 2;
        }
        return commandLine
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
