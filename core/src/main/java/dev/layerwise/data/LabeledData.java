package dev.layerwise.data;

import java.util.Objects;

/**
 * A data set ready for training: its training part, the part a run evaluates on while it trains (the validation split
 * when there is one, else the test set), the test set, and the {@link DataContract} a model trained on it keeps.
 *
 * <pre>{@code
 * LabeledData d = DataSets.csv(Path.of("iris.csv"), DataSets.CsvOptions.label("species").withValSplit(0.2, 7));
 * d.train();        // 120 rows, standardised with their own means and deviations
 * d.validation();   // 30 rows, 10 of each species
 * d.contract();     // FEATURES (4), classes [setosa, versicolor, virginica]
 * d.description();  // "iris.csv, label 'species'; validation 20% (seed 7, stratified): 120 train, 30 validation"
 * }</pre>
 *
 * @param train       the examples trained on
 * @param validation  the examples held out of {@code train} by a {@link ValidationSplit}, or null
 * @param test        the data set's own test examples, or null
 * @param contract    the shape, normalisation and class names of the examples
 * @param description where the data came from and how it was split, in a few words (for a run's header and record)
 */
public record LabeledData(DataSet train, DataSet validation, DataSet test, DataContract contract,
                          String description) {
    public LabeledData {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(contract, "contract");
        Objects.requireNonNull(description, "description");
    }

    /** What a run evaluates on as it trains: the validation split when there is one, else the test set (or null). */
    public DataSet evaluation() {
        return validation != null ? validation : test;
    }

    /** The name of {@link #evaluation()}: {@code validation}, {@code test} or {@code none}. */
    public String evaluationName() {
        return validation != null ? "validation" : test != null ? "test" : "none";
    }
}
