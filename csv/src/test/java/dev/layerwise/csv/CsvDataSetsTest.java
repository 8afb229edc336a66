package dev.layerwise.csv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.layerwise.data.DataContract;
import dev.layerwise.data.DataSet;
import dev.layerwise.data.DataSets;
import dev.layerwise.data.LabeledData;
import dev.layerwise.io.FileFormatException;
import dev.layerwise.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link DataSets#csv} and {@link DataSets#csvForModel} with this module's parser. */
class CsvDataSetsTest {
    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void featuresAreStandardisedWithTheTrainingPartsMeansOnly() throws IOException {
        StringBuilder sb = new StringBuilder("x,kind,y\n");
        for (int i = 0; i < 20; i++) {
            sb.append(i).append(',').append(i % 2 == 0 ? "even" : "odd").append(',').append(100 + 3 * i).append('\n');
        }
        Path f = write("t.csv", sb.toString());
        LabeledData d = DataSets.csv(f, DataSets.CsvOptions.label("kind").withDType(DType.FLOAT64)
                .withValidation(0.2, 3));
        assertEquals(List.of("even", "odd"), d.contract().classNames());
        assertEquals(List.of("x", "y"), d.contract().featureNames());
        assertEquals(16, d.train().size());
        assertEquals(4, d.validation().size());
        assertNull(d.test());
        // The training part, standardised with its own statistics, has mean 0 and (population) std 1 per feature.
        double[] x = d.train().x().toDoubleArray();
        for (int j = 0; j < 2; j++) {
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < 16; i++) {
                sum += x[2 * i + j];
                sq += x[2 * i + j] * x[2 * i + j];
            }
            assertEquals(0, sum / 16, 1e-12);
            assertEquals(1, sq / 16, 1e-12);
        }
        // The means are the training rows' means, which differ from the whole file's 9.5 (the split held rows out).
        DataContract.Normalization.Standardize s = (DataContract.Normalization.Standardize) d.contract()
                .normalization();
        double[] v = d.validation().x().toDoubleArray();
        double trainMean = 0;
        for (int i = 0; i < 20; i++) {
            boolean held = false;
            for (int k = 0; k < 4; k++) {
                held |= Math.abs(v[2 * k] * s.std()[0] + s.mean()[0] - i) < 1e-9;
            }
            trainMean += held ? 0 : i / 16.0;
        }
        assertEquals(trainMean, s.mean()[0], 1e-12);
        assertEquals(100 + 3 * trainMean, s.mean()[1], 1e-9);
    }

    @Test
    void integerLabelsSortAsNumbersAndADivisorReplacesStandardisation() throws IOException {
        Path f = write("n.csv", "label,a\n10,1\n9,2\n010,3\n2,255\n");
        LabeledData d = DataSets.csv(f, DataSets.CsvOptions.label("label").withDivisor(255.0)
                .withDType(DType.FLOAT64));
        assertEquals(List.of("2", "9", "10"), d.contract().classNames());
        assertArrayEquals(new int[] {2, 1, 2, 0}, d.train().t().indices());
        assertArrayEquals(new double[] {1 / 255.0, 2 / 255.0, 3 / 255.0, 1}, d.train().x().toDoubleArray(), 1e-15);
        assertEquals(new DataContract.Normalization.Scale(255), d.contract().normalization());
    }

    @Test
    void aTestFileIsReadByColumnNameAndAModelReadsRowsByItsContract() throws IOException {
        Path train = write("train.csv", "a,b,c\n1,10,x\n2,20,y\n3,30,x\n4,40,y\n");
        Path test = write("test.csv", "c,b,a\ny,25,2.5\n");
        LabeledData d = DataSets.csv(train, DataSets.CsvOptions.label("c").withTestFile(test)
                .withDType(DType.FLOAT64));
        DataContract.Normalization.Standardize s = (DataContract.Normalization.Standardize) d.contract()
                .normalization();
        double[] expected = {(2.5 - 2.5) / s.std()[0], (25 - 25) / s.std()[1]};
        assertArrayEquals(expected, d.test().x().toDoubleArray(), 1e-12);
        assertArrayEquals(new int[] {1}, d.test().t().indices());
        Path rows = write("rows.csv", "b,a,extra\n40,4,whatever\n");
        DataSet x = DataSets.csvForModel(rows, d.contract(), null, DType.FLOAT64);
        assertArrayEquals(new double[] {(4 - 2.5) / s.std()[0], (40 - 25) / s.std()[1]}, x.x().toDoubleArray(),
                1e-12);
    }

    /** Each bad table: its text, and the message after the file's name. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ragged row          | a,b,label\\n1,2,x\\n3,y\\n            | line 3 has 2 cells, the header has 3
            non-numeric cell    | a,b,label\\n1,2,x\\n3,abc,y\\n        | line 3, column 'b': 'abc' is not a number
            NaN                 | a,b,label\\n1,NaN,x\\n3,4,y\\n        | line 2, column 'b': 'NaN': NaN and infinity are not allowed (fill in or drop the row)
            infinity            | a,b,label\\n1,2,x\\n-inf,4,y\\n       | line 3, column 'a': '-inf': NaN and infinity are not allowed (fill in or drop the row)
            overflow            | a,b,label\\n1,2,x\\n1e999,4,y\\n      | line 3, column 'a': '1e999' is too large for a double
            empty cell          | a,b,label\\n1,,x\\n3,4,y\\n           | line 2, column 'b': empty cell (every feature needs a number)
            missing label       | a,b,kind\\n1,2,x\\n3,4,y\\n           | no label column 'label' in the header (columns: a, b, kind)
            single class        | a,b,label\\n1,2,x\\n3,4,x\\n          | column 'label' holds one class only ('x'); a classifier needs at least 2
            empty label         | a,b,label\\n1,2,x\\n3,4,\\n           | line 3, column 'label': the label is empty
            repeated column     | a,a,label\\n1,2,x\\n3,4,y\\n          | line 1: the header names column 'a' twice (columns 1 and 2)
            unnamed column      | a,,label\\n1,2,x\\n3,4,y\\n           | line 1: column 2 of the header has no name (the first row must name every column)
            label only          | label\\nx\\ny\\n                      | no feature columns besides the label column 'label'
            header only         | a,b,label\\n                          | a header row and no data
            empty file          | \\n                                   | empty file (a CSV table needs a header row and rows of data)
            """)
    void aBadTableIsOneErrorNamingFileLineAndColumn(String name, String text, String message) throws IOException {
        Path f = write("bad.csv", text.replace("\\n", "\n"));
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> DataSets.csv(f, DataSets.CsvOptions.label("label")));
        assertEquals(f + ": " + message, e.getMessage());
    }

    @Test
    void aTestLabelNeverSeenInTrainingIsAnErrorNamingItsLine() throws IOException {
        Path train = write("train.csv", "a,label\n1,cat\n2,dog\n");
        Path test = write("test.csv", "a,label\n1,cat\n2,bird\n");
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> DataSets.csv(train, DataSets.CsvOptions.label("label").withTestFile(test)));
        assertEquals(test + ": line 3, column 'label': label 'bird' never occurs in the training file " + train,
                e.getMessage());
    }

    @Test
    void aTestFileWithoutAFeatureColumnNamesIt() throws IOException {
        Path train = write("train.csv", "a,b,label\n1,2,cat\n2,3,dog\n");
        Path test = write("test.csv", "a,label\n1,cat\n");
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> DataSets.csv(train, DataSets.CsvOptions.label("label").withTestFile(test)));
        assertEquals(test + ": no column 'b', a feature the model was trained on (columns: a, label)",
                e.getMessage());
    }

    @Test
    void aLabelTheModelDoesNotKnowIsAnErrorNamingItsLine() throws IOException {
        Path train = write("train.csv", "a,label\n1,cat\n2,dog\n");
        DataContract c = DataSets.csv(train, DataSets.CsvOptions.label("label")).contract();
        Path rows = write("rows.csv", "a,label\n1,dog\n5,cow\n");
        FileFormatException e = assertThrows(FileFormatException.class,
                () -> DataSets.csvForModel(rows, c, "label", DType.FLOAT32));
        assertEquals(rows + ": line 3, column 'label': label 'cow' is not one of the model's classes [cat, dog]",
                e.getMessage());
    }
}
