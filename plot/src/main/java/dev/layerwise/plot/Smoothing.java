package dev.layerwise.plot;

/** The book's {@code common/util.py: smooth_curve}: an 11-point Kaiser window (β = 2) over a reflected signal. */
public final class Smoothing {
    private static final int WINDOW = 11;

    private Smoothing() {
    }

    /**
     * The smoothed curve, of the same length as {@code x}, as the book computes it: the signal is extended by
     * reflection at both ends, convolved with a normalised Kaiser window, and trimmed back. Curves shorter than the
     * window are returned unchanged.
     */
    public static double[] smoothCurve(double[] x) {
        int n = x.length;
        if (n < WINDOW) {
            return x.clone();
        }
        double[] w = kaiser(WINDOW, 2.0);
        double sum = 0;
        for (double v : w) {
            sum += v;
        }
        // s = x[window-1:0:-1] ++ x ++ x[-1:-window:-1]
        double[] s = new double[n + 2 * (WINDOW - 1)];
        for (int i = 0; i < WINDOW - 1; i++) {
            s[i] = x[WINDOW - 1 - i];
            s[WINDOW - 1 + n + i] = x[n - 1 - i];
        }
        System.arraycopy(x, 0, s, WINDOW - 1, n);
        // np.convolve(w / sum, s, 'valid'), then y[5 : len(y) - 5]
        int valid = s.length - WINDOW + 1;
        double[] y = new double[valid];
        for (int i = 0; i < valid; i++) {
            double acc = 0;
            for (int j = 0; j < WINDOW; j++) {
                acc += w[WINDOW - 1 - j] / sum * s[i + j];
            }
            y[i] = acc;
        }
        double[] out = new double[valid - 10];
        System.arraycopy(y, 5, out, 0, out.length);
        return out;
    }

    /** NumPy's {@code kaiser(m, beta)}: {@code I0(β·√(1 − (2k/(m−1) − 1)²)) / I0(β)}. */
    static double[] kaiser(int m, double beta) {
        double[] w = new double[m];
        double denominator = besselI0(beta);
        for (int k = 0; k < m; k++) {
            double r = 2.0 * k / (m - 1) - 1;
            w[k] = besselI0(beta * Math.sqrt(1 - r * r)) / denominator;
        }
        return w;
    }

    /** The modified Bessel function of the first kind, order 0, by its power series (ample for small arguments). */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 60; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return sum;
    }
}
