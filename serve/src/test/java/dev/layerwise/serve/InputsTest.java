package dev.layerwise.serve;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.layerwise.data.DataContract;
import dev.layerwise.util.Rng;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** A JSON batch is read into the exact doubles its text denotes, and a bad value is named by its full index. */
class InputsTest {
    private final Inputs inputs = new Inputs(DataContract.mnist());

    private Inputs.Batch json(String s) throws BadRequest {
        return inputs.json(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Two flat examples whose values are {@code text[i]}, with {@code text[at]} replaced by {@code bad}. */
    private static String flat(String[] text, int at, String bad) {
        StringBuilder sb = new StringBuilder("{\"inputs\": [");
        for (int row = 0; row < 2; row++) {
            sb.append(row > 0 ? ", [" : "[");
            for (int i = 0; i < 784; i++) {
                int k = row * 784 + i;
                sb.append(i > 0 ? "," : "").append(k == at ? bad : text[k % text.length]);
            }
            sb.append(']');
        }
        return sb.append("]}").toString();
    }

    @Test
    void everyNumberIsTheDoubleItsTextDenotes() throws BadRequest {
        Rng rng = new Rng(3);
        String[] text = new String[2 * 784];
        for (int i = 0; i < text.length; i++) {
            double v = (rng.nextDouble() - 0.5) * Math.pow(10, (int) (rng.nextDouble() * 12) - 6);
            switch (i % 4) {
                case 0 -> text[i] = Double.toString(v);
                case 1 -> text[i] = String.format(Locale.ROOT, "%.4f", v);
                case 2 -> text[i] = String.format(Locale.ROOT, "%.17e", v);
                default -> text[i] = Long.toString((long) (v * 1000));
            }
        }
        Inputs.Batch b = json(flat(text, -1, null));
        assertEquals(2, b.rows());
        double[] want = new double[text.length];
        for (int i = 0; i < text.length; i++) {
            want[i] = Double.parseDouble(text[i]);
        }
        assertArrayEquals(want, b.x(), 0.0);
    }

    @Test
    void aBadValueIsNamedByItsRowAndColumn() {
        String[] ones = {"1"};
        assertAll(
                () -> refused(flat(ones, 784 + 7, "NaN"), "inputs[1][7] is NaN; inputs must be finite numbers"),
                () -> refused(flat(ones, 300, "-1e400"), "inputs[0][300] is -infinite (-1e400)"),
                () -> refused(flat(ones, 784 + 783, "true"), "inputs[1][783] must be a number, got a boolean"),
                () -> refused(flat(ones, 5, "[1]"), "inputs[0][5] must be a number, got a list"));
    }

    @Test
    void aBadValueInANestedExampleIsNamedByItsFullIndex() {
        StringBuilder sb = new StringBuilder("{\"inputs\": [[[");
        for (int r = 0; r < 28; r++) {
            sb.append(r > 0 ? ",[" : "[");
            for (int c = 0; c < 28; c++) {
                sb.append(c > 0 ? "," : "").append(r == 3 && c == 5 ? "NaN" : "0.5");
            }
            sb.append(']');
        }
        String good = sb.append("]]]}").toString();
        assertAll(
                () -> refused(good, "inputs[0][0][3][5] is NaN"),
                () -> refused(good.replace("NaN", "null"), "inputs[0][0][3][5] must be a number, got null"),
                () -> refused(good.replace("NaN", "0.5").replaceFirst("\\[0\\.5,", "7,["),
                        "inputs[0][0][0] must be a list (examples have shape (1, 28, 28)), got a number"));
    }

    private void refused(String body, String message) {
        BadRequest e = assertThrows(BadRequest.class, () -> json(body));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
