package dev.layerwise.serve;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads the body clients send most, {@code {"inputs": [[v, …], …]}} with flat examples of plain decimals such as
 * {@code 0.1234} or {@code -7}, straight from the request bytes; answers null for anything else (an exponent, a nested
 * example, a value of too many digits, an escape, any error), which {@link Inputs} then reads with the full parser and
 * refuses by name. A value is the same double as {@link Double#parseDouble} gives for its text.
 */
final class PlainJson {
    /** The powers of ten a double holds exactly: dividing by one of them rounds once, so correctly (Clinger). */
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    private static final long[] POW10_LONG = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};
    private static final long EXACT = 1L << 53;
    /** Eight bytes of the body as one long, the first byte lowest. */
    private static final VarHandle EIGHT_BYTES = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final byte[] INPUTS = {'"', 'i', 'n', 'p', 'u', 't', 's', '"'};

    private final byte[] b;
    private int i;

    private PlainJson(byte[] body) {
        this.b = body;
    }

    /** The batch of {@code features} values an example, or null when the body is not of the plain form. */
    static Inputs.Batch read(byte[] body, int features) {
        return new PlainJson(body).batch(features);
    }

    private Inputs.Batch batch(int features) {
        if (!skip('{') || !key() || !skip(':') || !skip('[')) {
            return null;
        }
        double[] x = new double[features];
        int rows = 0;
        do {
            if (!skip('[') || (long) (rows + 1) * features > Integer.MAX_VALUE - 8) {
                return null;
            }
            if (x.length < (rows + 1) * features) {
                x = Arrays.copyOf(x, Math.max((rows + 1) * features, 2 * x.length));
            }
            for (int n = 0, at = rows * features; n < features; n++) {
                // Values are most often joined by a bare comma; skip and space look for white space first.
                if (n > 0) {
                    if (i < b.length && b[i] == ',') {
                        i++;
                    } else if (!skip(',')) {
                        return null;
                    }
                }
                if (i < b.length && b[i] <= ' ') {
                    space();
                }
                double v = number();
                if (Double.isNaN(v)) {
                    return null;
                }
                x[at + n] = v;
            }
            if (!skip(']')) {
                return null;
            }
            rows++;
        } while (skip(','));
        if (!skip(']') || !skip('}')) {
            return null;
        }
        space();
        if (i != b.length) {
            return null;
        }
        return new Inputs.Batch(rows * features == x.length ? x : Arrays.copyOf(x, rows * features), rows);
    }

    /**
     * The plain decimal at the cursor ({@code -?int(.frac)?}, as JSON writes it, with at most 2^53 as its digits and
     * at most 22 after the point), or NaN when the text there is anything else.
     */
    private double number() {
        // The common value, one digit, a point and up to seven more (a pixel as "0.1234"), is read eight bytes at a
        // time: that value's digits otherwise take most of the time of reading a body.
        boolean negative = i < b.length && b[i] == '-';
        int p = negative ? i + 1 : i;
        if (b.length - p >= 10 && b[p + 1] == '.') {
            int d = b[p] - '0';
            long w = (long) EIGHT_BYTES.get(b, p + 2);
            int k = leadingDigits(w);
            byte next = b[p + 2 + k];
            if (d >= 0 && d <= 9 && k > 0 && k < 8 && next != 'e' && next != 'E' && next != '.') {
                i = p + 2 + k;
                double v = (d * POW10_LONG[k] + digits(w, k)) / POW10[k];
                return negative ? -v : v;
            }
        }
        return anyNumber();
    }

    /** How many of the eight bytes of {@code w}, first byte lowest, are ASCII digits before the first that is not. */
    private static int leadingDigits(long w) {
        // A byte is a digit when its high half is 3 and adding 6 leaves it 3: '0' to '9' are 0x30 to 0x39. A carry
        // out of a byte of 0xFA or more only reaches bytes after that non-digit.
        long notDigit = ((w & 0xF0F0F0F0F0F0F0F0L) ^ 0x3030303030303030L)
                | (((w + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) ^ 0x3030303030303030L);
        return Long.numberOfTrailingZeros(notDigit) >>> 3;
    }

    /** The value of the first {@code k} (1 to 7) bytes of {@code w}, ASCII digits, first byte lowest and first read. */
    private static long digits(long w, int k) {
        // The digits' values, shifted up so that the bytes after them fall off and zeros lead; then pairs, fours and
        // eights of digits are combined by multiplications (as simdjson's parse_eight_digits_unrolled).
        long v = (w & 0x0F0F0F0F0F0F0F0FL) << (8 * (8 - k));
        v = v * 10 + (v >>> 8);
        v = ((v & 0x000000FF000000FFL) * (100 + (1_000_000L << 32))
                + ((v >>> 16) & 0x000000FF000000FFL) * (1 + (10_000L << 32))) >>> 32;
        return v;
    }

    /** {@link #number} for any value it reads, a digit at a time. */
    private double anyNumber() {
        boolean negative = i < b.length && b[i] == '-';
        if (negative) {
            i++;
        }
        int start = i;
        long m = 0;
        int digits = 0;
        for (; i < b.length && b[i] >= '0' && b[i] <= '9' && digits < 18; i++, digits++) {
            m = 10 * m + (b[i] - '0');
        }
        if (i == start || (b[start] == '0' && i - start > 1)) {
            return Double.NaN;
        }
        if (i == b.length || b[i] != '.') {
            // An integer is read as a long and then made a double, as the full parser reads one: "-0" is 0.0.
            return isDigitOrExponent() || m > EXACT ? Double.NaN : (double) (negative ? -m : m);
        }
        i++;
        int point = i;
        for (; i < b.length && b[i] >= '0' && b[i] <= '9' && digits < 18; i++, digits++) {
            m = 10 * m + (b[i] - '0');
        }
        int k = i - point;
        if (k == 0 || k > 22 || isDigitOrExponent() || m > EXACT) {
            return Double.NaN;
        }
        double v = m / POW10[k];
        return negative ? -v : v;
    }

    /** Whether the number goes on past what {@link #number} reads: more digits than it takes, or an exponent. */
    private boolean isDigitOrExponent() {
        return i < b.length && (b[i] >= '0' && b[i] <= '9' || b[i] == 'e' || b[i] == 'E' || b[i] == '.');
    }

    private boolean key() {
        space();
        if (b.length - i < INPUTS.length) {
            return false;
        }
        for (byte c : INPUTS) {
            if (b[i++] != c) {
                return false;
            }
        }
        return true;
    }

    /** Skips white space and then {@code c}; false when the next byte is not {@code c}. */
    private boolean skip(char c) {
        space();
        if (i < b.length && b[i] == c) {
            i++;
            return true;
        }
        return false;
    }

    private void space() {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
    }
}
