package dev.layerwise.cli;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.DataSets;
import dev.layerwise.data.ImageDecoder;
import dev.layerwise.data.ImageExamples;
import dev.layerwise.data.MnistDigit;
import dev.layerwise.model.Model;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code layerwise predict --model FILE IMAGE…}: the most likely classes of image files, with probabilities; and
 * {@code --csv FILE}: the most likely classes of a table's rows, for a model trained on a CSV table. Each input is
 * reported, its prediction or its error: one unreadable file does not cost the others, and the exit code is 1 when
 * any failed. Output as text, JSON Lines or CSV; {@code -} reads an image or the table from standard input.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classify image files (PNG, JPEG, …; any size and colour) with a model.",
            "A model trained with --images reads them as in training (resized to its",
            "size, grey or RGB). A model of MNIST's digits converts them to 28×28 grey,",
            "white digit on black (MNIST's polarity); an image with a light background",
            "is inverted first, with a note.",
            "For a model trained with --csv: classify the rows of --csv FILE",
            "(same feature columns; a label column may be there and is ignored).",
            "Every input is reported; the exit code is 1 if any could not be read."})
final class PredictCommand implements Callable<Integer> {
    /** Standard input, as an input's name: the user's own spelling of it. */
    static final String STDIN = "-";
    /** The most read from standard input: far more than any image or table this command classifies. */
    static final long MAX_STDIN_BYTES = 1L << 30;

    @Mixin
    ModelSource source;

    @Parameters(paramLabel = "IMAGE", arity = "0..*",
            description = "Image files to classify; - reads one image from standard input.")
    List<String> images = new ArrayList<>();

    @Option(names = "--csv", paramLabel = "FILE",
            description = "Classify the rows of this CSV table (for a model trained with --csv); - reads it from "
                    + "standard input.")
    String csv;

    @Option(names = "--invert", description = "Invert every image: a dark digit on a light background.")
    boolean invert;

    @Option(names = "--no-auto-invert",
            description = "Read an image with a light background as it is (with a note), instead of inverting it.")
    boolean noAutoInvert;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3",
            description = "How many classes to show per image. Default: ${DEFAULT-VALUE}.")
    int top;

    /** How the predictions are written on standard output. */
    enum Format { text, json, csv }

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "text (a line per input for people); json (JSON Lines: one object per input and line, "
                    + "with file, class, class_name, probabilities, or file and error); csv (a header, then a row "
                    + "per input). Notes and errors go to standard error. Default: text.")
    Format format;

    @Option(names = "--json", description = "The same as --format json: JSON Lines, one object per input.")
    boolean json;

    @Spec
    CommandSpec spec;

    /** One input: a file (or a row of the table), and its probabilities or why it could not be read. */
    private record Input(String file, Integer row, double[] probabilities, Boolean inverted, String error) {
    }

    @Override
    public Integer call() throws Exception {
        Format f = checkOptions();
        Model model = source.load();
        DataContract contract = model.contract() != null ? model.contract() : DataContract.mnist();
        boolean table = contract.kind() == DataContract.Kind.FEATURES;
        if (table != (csv != null)) {
            throw usage(table
                    ? "the model was trained on table features " + Shapes.toString(contract.exampleShape())
                            + " (columns " + String.join(", ", contract.featureNames()) + "): give --csv FILE"
                    : "the model takes images " + Shapes.toString(contract.exampleShape()) + ", not --csv rows");
        }
        boolean digits = contract.imageFit() == DataContract.ImageFit.MNIST_DIGIT;
        if (!table && !digits && (invert || noAutoInvert)) {
            throw usage((invert ? "--invert" : "--no-auto-invert") + " applies to models of MNIST's digits; this "
                    + "model reads images as they are");
        }
        Path stdin = images.contains(STDIN) || STDIN.equals(csv) ? readStandardInput() : null;
        try {
            List<Input> inputs = table ? rows(model, contract, stdin) : images(model, contract, digits, stdin);
            return write(f, inputs, contract.classNames(), digits);
        } finally {
            if (stdin != null) {
                Files.deleteIfExists(stdin);
            }
        }
    }

    /** Checks the options before the model is read; the output format they choose. */
    private Format checkOptions() {
        if (top < 1) {
            throw usage("--top must be at least 1, got " + top);
        }
        if ((csv == null) == images.isEmpty()) {
            throw usage(csv == null ? "give image files to classify, or --csv FILE" : "give image files or --csv FILE, "
                    + "not both");
        }
        if (images.stream().filter(STDIN::equals).count() > 1) {
            throw usage("standard input (-) can be given once: it holds one image");
        }
        if (json && format != null && format != Format.json) {
            throw usage("--json is --format json: give one of them");
        }
        return json ? Format.json : format == null ? Format.text : format;
    }

    /** Standard input copied to a temporary file, since the readers take files and may read twice. */
    private Path readStandardInput() throws IOException {
        Path tmp = Files.createTempFile("layerwise-stdin", ".tmp");
        // System.in is left open: it is not this command's to close.
        InputStream in = System.in;
        try (OutputStream out = Files.newOutputStream(tmp)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > MAX_STDIN_BYTES) {
                    throw new IOException("standard input is larger than " + (MAX_STDIN_BYTES >> 20) + " MB, more "
                            + "than an image or a table to classify");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /** The rows of the table, classified; a table that cannot be read is one failed input. */
    private List<Input> rows(Model model, DataContract contract, Path stdin) {
        Path file = STDIN.equals(csv) ? stdin : Path.of(csv);
        Tensor x;
        try {
            x = DataSets.csvForModel(file, contract, null, model.network().dtype()).x();
        } catch (IOException | RuntimeException e) {
            return List.of(new Input(csv, null, null, null, message(e, file, csv)));
        }
        Tensor probs = model.probabilities(x);
        int classes = probs.dim(1);
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < x.dim(0); i++) {
            inputs.add(new Input(csv, i + 1, row(probs, i, classes), null, null));
        }
        return inputs;
    }

    /**
     * The image files, each read as the model's contract says: resized to its (C, H, W) and divided as in training,
     * or, for a model of MNIST's digits, framed as MNIST's digits were (28×28, white on black). The files that can be
     * read are classified in one batch; the others keep their error.
     */
    private List<Input> images(Model model, DataContract contract, boolean digits, Path stdin) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        int[] chw = digits ? new int[] {1, MnistDigit.SIZE, MnistDigit.SIZE} : contract.exampleShape();
        int size = chw[0] * chw[1] * chw[2];
        double divisor = digits ? 1 : ((DataContract.Normalization.Scale) contract.normalization()).divisor();
        List<float[]> read = new ArrayList<>();
        List<Boolean> inverted = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        byte[] pixels = new byte[size];
        for (String name : images) {
            Path file = STDIN.equals(name) ? stdin : Path.of(name);
            try {
                if (digits) {
                    ImageExamples.Digit d = ImageExamples.digit(ImageDecoder.Source.of(file), invert, !noAutoInvert);
                    if (d.lightBackground() && !invert) {
                        err.println("layerwise predict: " + name + " has a light background: " + (d.inverted()
                                ? "inverted it to read a dark digit on light (--no-auto-invert reads it as it is)"
                                : "read as it is (without --no-auto-invert it would be inverted)"));
                    }
                    read.add(d.pixels());
                    inverted.add(d.inverted());
                } else {
                    ImageDecoder.read(file, chw[0], chw[1], chw[2], pixels, 0);
                    float[] px = new float[size];
                    for (int p = 0; p < size; p++) {
                        px[p] = (float) ((pixels[p] & 0xFF) / divisor);
                    }
                    read.add(px);
                    inverted.add(null);
                }
                errors.add(null);
            } catch (IOException | RuntimeException e) {
                read.add(null);
                inverted.add(null);
                errors.add(message(e, file, name));
            }
        }
        int good = (int) read.stream().filter(p -> p != null).count();
        Tensor probs = null;
        if (good > 0) {
            Tensor x = Tensor.zeros(model.network().dtype(), good, chw[0], chw[1], chw[2]);
            int at = 0;
            for (float[] px : read) {
                if (px != null) {
                    for (int p = 0; p < size; p++) {
                        x.setDouble(at * size + p, px[p]);
                    }
                    at++;
                }
            }
            probs = model.probabilities(x);
        }
        List<Input> inputs = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < images.size(); i++) {
            if (read.get(i) == null) {
                inputs.add(new Input(images.get(i), null, null, null, errors.get(i)));
            } else {
                inputs.add(new Input(images.get(i), null, row(probs, at++, probs.dim(1)), inverted.get(i), null));
            }
        }
        return inputs;
    }

    private static double[] row(Tensor probs, int i, int classes) {
        double[] p = new double[classes];
        for (int c = 0; c < classes; c++) {
            p[c] = probs.getDouble(i * classes + c);
        }
        return p;
    }

    /**
     * What went wrong with an input, naming it as the user gave it: the temporary copy of standard input is never
     * named, and a message that does not name the file is given its name.
     */
    private static String message(Throwable e, Path file, String name) {
        String m = Main.describe(e);
        if (!file.toString().equals(name)) {
            m = m.replace(file.toString(), "standard input");
        }
        String shown = STDIN.equals(name) ? "standard input" : name;
        return m.contains(shown) ? m : shown + ": " + m;
    }

    /** Writes every input's prediction or error; 1 when any failed. */
    private int write(Format f, List<Input> inputs, List<String> names, boolean digits) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int classes = names.size();
        int k = Math.min(top, classes);
        boolean rows = csv != null;
        if (f == Format.csv) {
            List<String> header = new ArrayList<>(List.of("file"));
            if (rows) {
                header.add("row");
            }
            header.addAll(List.of("class", "class_name", "probability"));
            for (String n : names) {
                header.add("p_" + n);
            }
            header.add("error");
            out.println(csvLine(header));
        }
        int failed = 0;
        for (Input in : inputs) {
            if (in.error() != null) {
                failed++;
                err.println("layerwise predict: error: " + in.error());
                err.flush();
            }
            Integer[] order = in.probabilities() == null ? null : order(in.probabilities());
            switch (f) {
                case json -> {
                    Json j = new Json().put("file", in.file());
                    if (rows && in.row() != null) {
                        j.put("row", in.row());
                    }
                    if (order == null) {
                        j.put("error", in.error());
                    } else {
                        List<Object> best = new ArrayList<>();
                        for (int i = 0; i < k; i++) {
                            Map<String, Object> e = new LinkedHashMap<>();
                            e.put("class", order[i]);
                            e.put("name", names.get(order[i]));
                            e.put("probability", in.probabilities()[order[i]]);
                            best.add(e);
                        }
                        Map<String, Object> all = new LinkedHashMap<>();
                        for (int c = 0; c < classes; c++) {
                            all.put(names.get(c), in.probabilities()[c]);
                        }
                        // A model of MNIST's digits predicts the digit, a number, as it always has; others a class
                        // name. "class" is always the index and "class_name" the name.
                        j.put("prediction", digits ? (Object) order[0] : names.get(order[0]))
                                .put("class", order[0]).put("class_name", names.get(order[0]))
                                .put("top", best).put("probabilities", all);
                        if (in.inverted() != null) {
                            j.put("inverted", in.inverted());
                        }
                    }
                    out.println(j);
                }
                case csv -> {
                    List<String> cells = new ArrayList<>(List.of(in.file()));
                    if (rows) {
                        cells.add(in.row() == null ? "" : in.row().toString());
                    }
                    if (order == null) {
                        cells.addAll(List.of("", "", ""));
                        for (int c = 0; c < classes; c++) {
                            cells.add("");
                        }
                        cells.add(in.error());
                    } else {
                        cells.addAll(List.of(order[0].toString(), names.get(order[0]),
                                number(in.probabilities()[order[0]])));
                        for (double p : in.probabilities()) {
                            cells.add(number(p));
                        }
                        cells.add("");
                    }
                    out.println(csvLine(cells));
                }
                default -> {
                    if (order != null) {
                        String label = rows ? in.file() + " row " + in.row() : in.file();
                        StringBuilder sb = new StringBuilder(label + ": " + names.get(order[0]) + "  (");
                        for (int i = 0; i < k; i++) {
                            sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%s: %.3f",
                                    names.get(order[i]), in.probabilities()[order[i]]));
                        }
                        out.println(sb.append(')'));
                    }
                }
            }
            out.flush();
        }
        if (failed > 0 && inputs.size() > 1) {
            err.println("layerwise predict: " + failed + " of " + inputs.size() + " inputs could not be read");
            err.flush();
        }
        return failed > 0 ? Main.FAILURE : 0;
    }

    /** The classes from most to least likely. */
    private static Integer[] order(double[] p) {
        Integer[] order = new Integer[p.length];
        for (int c = 0; c < p.length; c++) {
            order[c] = c;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        return order;
    }

    /** A probability in full: CSV readers get the same value as the JSON does. */
    private static String number(double v) {
        return Double.toString(v);
    }

    /** One CSV record (RFC 4180): a cell with a comma, quote or line break is quoted, its quotes doubled. */
    static String csvLine(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            if (i > 0) {
                sb.append(',');
            }
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
