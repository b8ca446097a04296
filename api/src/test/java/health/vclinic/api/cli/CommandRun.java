package health.vclinic.api.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the {@code vclinic} command line in this JVM, as a test sees it: the exit code and what the
 * command wrote to its standard output and error.
 */
public record CommandRun(int code, String out, String err) {

    /** Runs {@code vclinic args...}. */
    public static CommandRun vclinic(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CommandRun(code, out.toString(), err.toString());
    }
}
