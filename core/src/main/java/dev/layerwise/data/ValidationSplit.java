package dev.layerwise.data;

import dev.layerwise.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Holds a fraction of the training examples out as a validation set, stratified (each class keeps its share, as
 * scikit-learn's {@code train_test_split(…, stratify=y)}) and seeded, so that the same seed holds out the same
 * examples. Every data source splits through this class.
 *
 * <p>Class by class, in class order, the examples' indices are shuffled by one generator seeded with {@code seed} and
 * the first {@code round(fraction · count)} go to validation. Both parts keep the examples' original order.
 *
 * @param fraction the share held out, in (0, 1)
 * @param seed     the seed of the shuffles
 */
public record ValidationSplit(double fraction, long seed) {
    public ValidationSplit {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("the validation split must be a fraction between 0 and 1 (exclusive), "
                    + "got " + fraction);
        }
    }

    /** Which examples went where: indices into the data that was split, each ascending. */
    public record Parts(int[] train, int[] validation) {
    }

    /**
     * The indices of the training and validation parts of examples with the given {@code labels} (class indices in
     * {@code [0, classes)}).
     *
     * @throws IllegalArgumentException if either part would be empty
     */
    public Parts split(int[] labels, int classes) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        Rng rng = new Rng(seed);
        boolean[] held = new boolean[labels.length];
        int heldCount = 0;
        for (List<Integer> members : byClass) {
            int[] idx = members.stream().mapToInt(Integer::intValue).toArray();
            rng.shuffle(idx);
            int k = (int) Math.round(fraction * idx.length);
            for (int j = 0; j < k; j++) {
                held[idx[j]] = true;
            }
            heldCount += k;
        }
        if (heldCount == 0 || heldCount == labels.length) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a validation split of %s of %d examples "
                    + "leaves %s empty", fraction, labels.length, heldCount == 0 ? "the validation part"
                    : "the training part"));
        }
        int[] train = new int[labels.length - heldCount];
        int[] validation = new int[heldCount];
        int a = 0;
        int b = 0;
        for (int i = 0; i < labels.length; i++) {
            if (held[i]) {
                validation[b++] = i;
            } else {
                train[a++] = i;
            }
        }
        return new Parts(train, validation);
    }

    /** Splits {@code data} (class-index labels in {@code [0, classes)}): the training part first, then validation. */
    public DataSet[] apply(DataSet data, int classes) {
        Parts p = split(data.t().indices(), classes);
        return new DataSet[] {data.select(p.train()), data.select(p.validation())};
    }

    /** E.g. {@code validation 10% (seed 7, stratified): 54000 train, 6000 validation}. */
    public String describe(int train, int validation) {
        return String.format(Locale.ROOT, "validation %s%% (seed %d, stratified): %d train, %d validation",
                percent(), seed, train, validation);
    }

    private String percent() {
        String s = String.format(Locale.ROOT, "%.4f", fraction * 100).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "ValidationSplit[" + fraction + ", seed " + seed + "]";
    }
}
