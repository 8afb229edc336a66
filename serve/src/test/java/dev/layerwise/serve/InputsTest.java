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
    void plainDecimalsAreReadFromTheBytesAsParseDoubleReadsThem() throws BadRequest {
        Rng rng = new Rng(5);
        String[] text = new String[2 * 784];
        for (int i = 0; i < text.length; i++) {
            double v = (rng.nextDouble() - 0.5) * Math.pow(10, (int) (rng.nextDouble() * 10) - 3);
            int decimals = (int) (rng.nextDouble() * 10);
            text[i] = String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        String[] edges = {"0", "-0", "0.0", "-0.0", "1", "-7", "0.1", "0.2", "0.3", "0.00000000000000001",
            "9007199254740992", "-9007199254740992", "900719925474099.2", "0.9007199254740992",
            "0.1234", "0.5000", "123456789.123456", "4.940656458412465", "999999999999999"};
        System.arraycopy(edges, 0, text, 0, edges.length);
        String body = flat(text, -1, null);
        Inputs.Batch fast = PlainJson.read(body.getBytes(StandardCharsets.US_ASCII), 784);
        Inputs.Batch b = json(body);
        double[] want = new double[text.length];
        for (int i = 0; i < text.length; i++) {
            // An integer is read as a long, by the full parser too, so "-0" is 0.0 where parseDouble says -0.0.
            want[i] = text[i].contains(".") ? Double.parseDouble(text[i]) : (double) Long.parseLong(text[i]);
        }
        assertTrue(fast != null, "the plain form is read without the full parser");
        assertEquals(2, fast.rows());
        for (int i = 0; i < text.length; i++) {
            assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(fast.x()[i]), text[i]);
            assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(b.x()[i]), text[i]);
        }
    }

    @Test
    void shortDecimalsAreReadAsParseDoubleReadsThemWhateverFollows() throws BadRequest {
        // One digit, a point and one to nine more, signed or not, before each separator JSON allows after a value:
        // both sides of the longest that PlainJson reads a word at a time.
        Rng rng = new Rng(7);
        String[] separators = {",", " ,", "\t,", "\n,\r\n "};
        for (int round = 0; round < 200; round++) {
            String[] text = new String[2 * 784];
            StringBuilder sb = new StringBuilder("{\"inputs\":[");
            for (int i = 0; i < text.length; i++) {
                int decimals = 1 + (int) (rng.nextDouble() * 9);
                double v = Math.floor(rng.nextDouble() * 10 * Math.pow(10, decimals)) / Math.pow(10, decimals);
                text[i] = (rng.nextDouble() < 0.25 ? "-" : "") + String.format(Locale.ROOT, "%." + decimals + "f", v);
                String before = i % 784 == 0 ? (i == 0 ? "[" : ", [") : separators[(int) (rng.nextDouble() * 4)];
                sb.append(before).append(text[i]).append(i % 784 == 783 ? "]" : "");
            }
            byte[] body = sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
            Inputs.Batch fast = PlainJson.read(body, 784);
            assertTrue(fast != null, "the plain form is read without the full parser");
            for (int i = 0; i < text.length; i++) {
                assertEquals(Double.doubleToRawLongBits(Double.parseDouble(text[i])),
                        Double.doubleToRawLongBits(fast.x()[i]), text[i]);
            }
        }
    }

    @Test
    void anythingButPlainDecimalsIsLeftToTheFullParser() throws BadRequest {
        String[] ones = {"1"};
        for (String value : new String[] {"1e3", "1E-3", "0.30000000000000004", "9007199254740993", "01", "1.",
            ".5", "-", "--1", "0.00000000000000000000001", "12345678901234567890", "NaN", "\"1\"", "null", "0.5e3",
            "1.25E-2", "1.2.3", "0.1234567e1", "-0.12345678e1", "1.5.", "-.5", "-a", "1.x", "\u00e91.5"}) {
            String body = flat(ones, 9, value);
            assertEquals(null, PlainJson.read(body.getBytes(StandardCharsets.US_ASCII), 784), value);
        }
        for (String value : new String[] {"1e3", "1E-3", "0.30000000000000004", "9007199254740993"}) {
            assertEquals(Double.parseDouble(value), json(flat(ones, 9, value)).x()[9], 0.0, value);
        }
        for (String body : new String[] {"{\"inputs\": [[1]]}", "{\"inputs\": [[1, 2]] x}", "{\"inputs\": []}",
            "{\"inputs\": [" + flat(ones, -1, null).substring(12) + "]", "{\"input\": [[1]]}"}) {
            assertEquals(null, PlainJson.read(body.getBytes(StandardCharsets.US_ASCII), 784), body);
        }
        assertEquals(2, PlainJson.read((" \n" + flat(ones, -1, null).replace(",", " ,\t") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII), 784).rows());
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
