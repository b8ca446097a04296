package health.vclinic.api.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the {@code vclinic} command line: its exit code and what it wrote. */
record CliRun(int exit, String out, String err) {

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
