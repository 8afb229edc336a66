package dev.layerwise.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code train}'s files: the model saved and resumed, checkpoints, the plot and the log. */
final class OutputFiles {
    @Option(names = "--save", paramLabel = "FILE.lw",
            description = "Save the trained model there (atomically; with the training state, so that --resume can "
                    + "continue it). With --resume: default the resumed file.")
    Path save;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Also save to the --save file every N iterations. Default: only at the end.")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE.lw",
            description = "Continue the run saved in FILE up to --iterations or --epochs in all (default: its "
                    + "original length), with its settings, batches and optimizer state: it ends bit for bit where "
                    + "an uninterrupted run would.")
    Path resume;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Draw the loss per iteration and the accuracies per epoch into FILE: PNG or SVG by its "
                    + "extension (.png, .svg).")
    Path plot;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Write one row per evaluation: CSV, or JSON lines when FILE ends in .jsonl.")
    Path log;

    /** Where the model goes: {@code --save}, else the resumed file, else nowhere (null). */
    Path saveTo() {
        return save != null ? save : resume;
    }

    /** Checks that checkpoints have a file to go to and that every file can be written. */
    void check(CommandSpec spec) {
        TrainCommand.positive(spec, "--checkpoint-every", checkpointEvery);
        if (checkpointEvery != null && saveTo() == null) {
            throw TrainCommand.usage(spec, "--checkpoint-every needs --save FILE (or --resume FILE) to write to");
        }
        String plotProblem = plot == null ? null : PlotFile.problem("--plot", plot, PlotFile.FIGURES);
        if (plotProblem != null) {
            throw TrainCommand.usage(spec, plotProblem);
        }
        if (save != null && Files.isDirectory(save)) {
            throw TrainCommand.usage(spec, "--save " + save + " is a directory; give a file name such as model.lw");
        }
        // Every file the run will write (the resumed one too, which it saves over), tried before the run: a path
        // that cannot be written must not cost the run.
        String[] options = {save != null ? "--save" : "--resume", "--plot", "--log"};
        Path[] files = {saveTo(), plot, log};
        for (int i = 0; i < files.length; i++) {
            if (files[i] != null) {
                OutputPaths.file(spec, options[i], files[i]);
            }
        }
    }
}
