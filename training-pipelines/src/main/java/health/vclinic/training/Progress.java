package health.vclinic.training;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Where a pipeline reports its steps (folds, candidates, the final fit and export). */
public interface Progress extends AutoCloseable {

    /** Announces how many steps the run has. */
    void start(long steps);

    /** One step is done; {@code what} says which ("cv logistic-sgd fold 2/5"). */
    void step(String what);

    @Override
    void close();

    /** Reports nothing, for tests. */
    static Progress silent() {
        return new Progress() {
            @Override
            public void start(long steps) {
            }

            @Override
            public void step(String what) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** A progress bar (me.tongfei:progressbar) on {@code out}. */
    static Progress console(PrintStream out) {
        return new Progress() {
            private ProgressBar bar;

            @Override
            public void start(long steps) {
                bar = new ProgressBarBuilder()
                        .setTaskName("train")
                        .setInitialMax(steps)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(200)
                        .setMaxRenderedLength(100)
                        .setConsumer(new ConsoleProgressBarConsumer(out))
                        .build();
            }

            @Override
            public void step(String what) {
                // A fixed width keeps the bar from jumping as messages change length.
                bar.setExtraMessage(String.format("%-36.36s", what));
                bar.step();
            }

            @Override
            public void close() {
                if (bar != null) {
                    bar.close();
                }
            }
        };
    }
}
