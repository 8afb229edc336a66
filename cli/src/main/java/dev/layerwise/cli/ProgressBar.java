package dev.layerwise.cli;

import dev.layerwise.train.Evaluation;
import dev.layerwise.train.Trainer;
import dev.layerwise.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar per epoch on a terminal, redrawn in place ({@code \r}) at most ten times a second:
 * iterations done in the epoch, iterations per second, the running loss and the time left in the run.
 *
 * <pre>
 * epoch  3/17 [████████████▌          ]  342/600  2,310 it/s  loss 0.2213  ETA 0:04
 * </pre>
 *
 * <p>The line never reaches the terminal's last column (a full line would wrap and leave a stray line at each redraw):
 * on a narrow terminal the bar shrinks, then the rate and the loss go.
 *
 * <p>A small implementation rather than a library: the bar must share standard output with the epoch lines and the
 * final JSON, and whether it is drawn is decided by the launcher's terminal detection ({@link Terminal}); a library
 * with its own terminal handling (me.tongfei:progressbar brings JLine) would decide differently, and weigh more.
 */
final class ProgressBar implements TrainingListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 24;
    /** The narrowest bar drawn; below it the rate and the loss make room instead. */
    private static final int MIN_WIDTH = 8;

    private final PrintWriter out;
    private final boolean unicode;
    /** The terminal's width, 0 when unknown. */
    private final int columns;
    private int epochs;
    private int epoch;
    private long epochStart;
    private long lastDraw;
    private int epochStartIteration;
    private double lossSum;
    private int lossCount;
    private boolean drawn;

    ProgressBar(PrintWriter out, boolean unicode, int columns) {
        this.out = out;
        this.unicode = unicode;
        this.columns = columns;
    }

    @Override
    public void onStart(Trainer trainer) {
        epochs = (trainer.iterations() + trainer.iterationsPerEpoch() - 1) / trainer.iterationsPerEpoch();
        epoch = 0;
    }

    @Override
    public void onIteration(Trainer trainer, int iteration, double loss) {
        long now = System.nanoTime();
        int perEpoch = trainer.iterationsPerEpoch();
        int current = (iteration - 1) / perEpoch + 1;
        if (current != epoch) {
            // A new epoch (or a resumed run's first step): its rate is timed from here, its running loss begins.
            epoch = current;
            epochStart = now;
            epochStartIteration = iteration;
            lossSum = 0;
            lossCount = 0;
        }
        lossSum += loss;
        lossCount++;
        if (now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        int total = Math.min(perEpoch, trainer.iterations() - (epoch - 1) * perEpoch);
        int done = iteration - (epoch - 1) * perEpoch;
        double seconds = (now - epochStart) / 1e9;
        double rate = seconds > 0 ? (iteration - epochStartIteration) / seconds : 0;
        // The run's time left at the epoch's rate: the iterations of this epoch and of those after it.
        double left = rate > 0 ? (trainer.iterations() - iteration) / rate : 0;
        out.print("\r" + line(epoch, epochs, done, total, rate, lossSum / lossCount, left));
        out.flush();
        drawn = true;
    }

    /** Clears the bar for the evaluation's line, which may come during a later epoch (evaluated in the background). */
    @Override
    public void onEvaluation(Trainer trainer, Evaluation e) {
        clear();
    }

    @Override
    public void onFinish(Trainer trainer, dev.layerwise.train.TrainingResult result) {
        clear();
    }

    /** Whether the bar is on the line now (drawn and not cleared). */
    boolean drawn() {
        return drawn;
    }

    /** Takes the bar off its line, if it is drawn. */
    void clear() {
        if (drawn) {
            out.print("\r\033[K");
            out.flush();
            drawn = false;
        }
    }

    String line(int epoch, int epochs, int done, int total, double rate, double loss, double secondsLeft) {
        int width = Integer.toString(epochs).length();
        String head = String.format(Locale.ROOT, "epoch %" + width + "d/%d ", epoch, epochs);
        String count = String.format(Locale.ROOT, " %5d/%d", done, total);
        String speed = String.format(Locale.ROOT, "  %,.0f it/s", rate);
        String lossText = String.format(Locale.ROOT, "  loss %.4f", loss);
        String eta = "  ETA " + duration(secondsLeft);
        int fixed = head.length() + 2 + count.length() + eta.length();
        int room = columns > 0 ? columns - 1 : Integer.MAX_VALUE; // the last column would wrap the line
        if (fixed + WIDTH + speed.length() + lossText.length() > room) {
            speed = fixed + MIN_WIDTH + speed.length() + lossText.length() > room ? "" : speed;
            lossText = fixed + MIN_WIDTH + speed.length() + lossText.length() > room ? "" : lossText;
        }
        int cellsWide = Math.max(MIN_WIDTH, Math.min(WIDTH, room - fixed - speed.length() - lossText.length()));
        String line = head + "[" + bar(done, total, cellsWide) + "]" + count + speed + lossText + eta;
        return line.length() > room ? line.substring(0, room) : line;
    }

    private String bar(int done, int total, int cellsWide) {
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        StringBuilder bar = new StringBuilder();
        double cells = fraction * cellsWide;
        int full = (int) cells;
        for (int i = 0; i < cellsWide; i++) {
            if (i < full) {
                bar.append(unicode ? '█' : '=');
            } else if (i == full && cells - full >= 0.5) {
                bar.append(unicode ? '▌' : '>');
            } else {
                bar.append(' ');
            }
        }
        return bar.toString();
    }

    /**
     * A line for decoding images ({@code decoding images [████      ] 12,000/60,000}), redrawn in place at most ten
     * times a second and cleared when the last image is done.
     */
    static dev.layerwise.data.ImageFolder.Progress decoding(PrintWriter out, boolean unicode) {
        long[] last = {0};
        return (done, total) -> {
            long now = System.nanoTime();
            if (done < total && now - last[0] < REDRAW_NANOS) {
                return;
            }
            last[0] = now;
            if (done >= total) {
                out.print("\r\033[K");
            } else {
                StringBuilder bar = new StringBuilder();
                int full = (int) ((long) done * WIDTH / Math.max(total, 1));
                for (int i = 0; i < WIDTH; i++) {
                    bar.append(i < full ? (unicode ? '█' : '=') : ' ');
                }
                out.print(String.format(Locale.ROOT, "\rdecoding images [%s] %,d/%,d", bar, done, total));
            }
            out.flush();
        };
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
