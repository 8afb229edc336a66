package dev.layerwise.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.layerwise.util.Rng;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The update kernels (optimizer steps, batch normalisation, dropout's mask) on every available implementation:
 * against the book's formulas written out element by element in float64, respecting offsets (nothing before an
 * offset is touched), and float32 against float64.
 */
class UpdateKernelsTest {
    static final int PAD = 3;

    static Stream<Kernels> kernels() {
        return KernelsTest.implementations().stream();
    }

    static double[] random(Rng rng, int n, double scale) {
        double[] a = new double[n + PAD];
        for (int i = 0; i < a.length; i++) {
            a[i] = scale * rng.nextGaussian();
        }
        return a;
    }

    static double[] positive(Rng rng, int n) {
        double[] a = random(rng, n, 1);
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(a[i]) + 0.1;
        }
        return a;
    }

    static float[] f(double[] a) {
        return KernelsTest.toFloat(a);
    }

    static void assertClose(double[] expected, float[] actual, double tol, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + " element " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void optimizerStepsFollowTheBooksFormulas(Kernels k) {
        Rng rng = new Rng(1);
        int n = 37;
        double[] g = random(rng, n, 1);
        double[] w0 = random(rng, n, 1);
        double[] s0 = random(rng, n, 0.1);
        double[] h0 = positive(rng, n);
        double lr = 0.05;
        double mom = 0.9;

        double[] v = s0.clone();
        double[] w = w0.clone();
        k.update().momentumUpdate(n, lr, mom, g, PAD, v, PAD, w, PAD);
        float[] vf = f(s0);
        float[] wf = f(w0);
        k.update().momentumUpdate(n, lr, mom, f(g), PAD, vf, PAD, wf, PAD);
        for (int i = 0; i < PAD; i++) {
            assertEquals(w0[i], w[i], 0, "before the offset");
            assertEquals(s0[i], v[i], 0, "before the offset");
        }
        for (int i = PAD; i < n + PAD; i++) {
            double vi = mom * s0[i] - lr * g[i];
            assertEquals(vi, v[i], 0);
            assertEquals(w0[i] + vi, w[i], 0);
        }
        assertClose(v, vf, 1e-6, "float momentum v");
        assertClose(w, wf, 1e-6, "float momentum w");

        v = s0.clone();
        w = w0.clone();
        k.update().nesterovUpdate(n, lr, mom, g, PAD, v, PAD, w, PAD);
        vf = f(s0);
        wf = f(w0);
        k.update().nesterovUpdate(n, lr, mom, f(g), PAD, vf, PAD, wf, PAD);
        for (int i = PAD; i < n + PAD; i++) {
            assertEquals(w0[i] + mom * mom * s0[i] - (1 + mom) * lr * g[i], w[i], 1e-15);
            assertEquals(mom * s0[i] - lr * g[i], v[i], 1e-15);
        }
        assertClose(w, wf, 1e-6, "float nesterov w");

        double[] h = h0.clone();
        w = w0.clone();
        k.update().adaGradUpdate(n, lr, 1e-7, g, PAD, h, PAD, w, PAD);
        float[] hf = f(h0);
        wf = f(w0);
        k.update().adaGradUpdate(n, lr, 1e-7, f(g), PAD, hf, PAD, wf, PAD);
        for (int i = PAD; i < n + PAD; i++) {
            double hi = h0[i] + g[i] * g[i];
            assertEquals(hi, h[i], 0);
            assertEquals(w0[i] - lr * g[i] / (Math.sqrt(hi) + 1e-7), w[i], 0);
        }
        assertClose(w, wf, 1e-6, "float adagrad w");

        h = h0.clone();
        w = w0.clone();
        k.update().rmsPropUpdate(n, lr, 0.99, 1e-7, g, PAD, h, PAD, w, PAD);
        hf = f(h0);
        wf = f(w0);
        k.update().rmsPropUpdate(n, lr, 0.99, 1e-7, f(g), PAD, hf, PAD, wf, PAD);
        for (int i = PAD; i < n + PAD; i++) {
            double hi = 0.99 * h0[i] + 0.01 * g[i] * g[i];
            assertEquals(hi, h[i], 1e-15);
            assertEquals(w0[i] - lr * g[i] / (Math.sqrt(hi) + 1e-7), w[i], 1e-15);
        }
        assertClose(w, wf, 1e-6, "float rmsprop w");

        double[] m = s0.clone();
        double[] vv = h0.clone();
        w = w0.clone();
        k.update().adamUpdate(n, lr, 0.9, 0.999, 1e-7, g, PAD, m, PAD, vv, PAD, w, PAD);
        float[] mf = f(s0);
        float[] vvf = f(h0);
        wf = f(w0);
        k.update().adamUpdate(n, lr, 0.9, 0.999, 1e-7, f(g), PAD, mf, PAD, vvf, PAD, wf, PAD);
        for (int i = PAD; i < n + PAD; i++) {
            double mi = 0.9 * s0[i] + 0.1 * g[i];
            double vi = 0.999 * h0[i] + 0.001 * g[i] * g[i];
            assertEquals(mi, m[i], 1e-15);
            assertEquals(vi, vv[i], 1e-15);
            assertEquals(w0[i] - lr * mi / (Math.sqrt(vi) + 1e-7), w[i], 1e-14);
        }
        assertClose(w, wf, 1e-6, "float adam w");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void batchNormFollowsTheBooksGraph(Kernels k) {
        Rng rng = new Rng(2);
        int rows = 9;
        int cols = 13;
        int size = rows * cols;
        double eps = 1e-6;
        double[] x = random(rng, size, 2);
        double[] gamma = random(rng, cols, 1);
        double[] beta = random(rng, cols, 1);
        double[] dout = random(rng, size, 1);

        double[] mean = new double[cols + PAD];
        double[] var = new double[cols + PAD];
        double[] std = new double[cols + PAD];
        double[] xc = new double[size + PAD];
        double[] out = new double[size + PAD];
        k.update().batchNormForward(rows, cols, x, PAD, gamma, PAD, beta, PAD, eps, mean, PAD, var, PAD, std, PAD, xc, PAD,
                out, PAD);
        double[] dx = new double[size + PAD];
        double[] dgamma = new double[cols + PAD];
        double[] dbeta = new double[cols + PAD];
        k.update().batchNormBackward(rows, cols, dout, PAD, xc, PAD, std, PAD, gamma, PAD, dx, PAD, dgamma, PAD, dbeta, PAD);

        for (int j = 0; j < cols; j++) {
            double mu = 0;
            for (int i = 0; i < rows; i++) {
                mu += x[PAD + i * cols + j];
            }
            mu /= rows;
            double vr = 0;
            for (int i = 0; i < rows; i++) {
                vr += Math.pow(x[PAD + i * cols + j] - mu, 2);
            }
            vr /= rows;
            double sd = Math.sqrt(vr + eps);
            assertEquals(mu, mean[PAD + j], 1e-14);
            assertEquals(vr, var[PAD + j], 1e-13);
            assertEquals(sd, std[PAD + j], 1e-14);
            // Backward in the closed form: dx = γ/(N·std)·(N·dout − Σdout − xn·Σ(dout·xn)).
            double sumDout = 0;
            double sumDoutXn = 0;
            for (int i = 0; i < rows; i++) {
                double xn = (x[PAD + i * cols + j] - mu) / sd;
                assertEquals(gamma[PAD + j] * xn + beta[PAD + j], out[PAD + i * cols + j], 1e-13);
                sumDout += dout[PAD + i * cols + j];
                sumDoutXn += dout[PAD + i * cols + j] * xn;
            }
            assertEquals(sumDout, dbeta[PAD + j], 1e-13);
            assertEquals(sumDoutXn, dgamma[PAD + j], 1e-13);
            for (int i = 0; i < rows; i++) {
                double xn = (x[PAD + i * cols + j] - mu) / sd;
                double expected = gamma[PAD + j] / (rows * sd)
                        * (rows * dout[PAD + i * cols + j] - sumDout - xn * sumDoutXn);
                assertEquals(expected, dx[PAD + i * cols + j], 1e-12, "dx " + i + "," + j);
            }
        }
        assertArrayEquals(new double[PAD], Arrays.copyOf(out, PAD), "nothing written before the offset");
        assertArrayEquals(new double[PAD], Arrays.copyOf(dx, PAD), "nothing written before the offset");

        float[] meanF = new float[cols + PAD];
        float[] varF = new float[cols + PAD];
        float[] stdF = new float[cols + PAD];
        float[] xcF = new float[size + PAD];
        float[] outF = new float[size + PAD];
        k.update().batchNormForward(rows, cols, f(x), PAD, f(gamma), PAD, f(beta), PAD, eps, meanF, PAD, varF, PAD, stdF, PAD,
                xcF, PAD, outF, PAD);
        assertClose(out, outF, 1e-5, "float batch norm out");
        float[] dxF = new float[size + PAD];
        float[] dgF = new float[cols + PAD];
        float[] dbF = new float[cols + PAD];
        k.update().batchNormBackward(rows, cols, f(dout), PAD, xcF, PAD, stdF, PAD, f(gamma), PAD, dxF, PAD, dgF, PAD, dbF,
                PAD);
        assertClose(dx, dxF, 1e-5, "float batch norm dx");
        assertClose(dgamma, dgF, 1e-5, "float dgamma");

        // Inference with the batch's own statistics reproduces the training output.
        double[] inf = new double[size + PAD];
        k.update().batchNormInference(rows, cols, x, PAD, gamma, PAD, beta, PAD, eps, mean, PAD, var, PAD, inf, PAD);
        for (int i = PAD; i < size + PAD; i++) {
            assertEquals(out[i], inf[i], 1e-13);
        }
        float[] infF = new float[size + PAD];
        k.update().batchNormInference(rows, cols, f(x), PAD, f(gamma), PAD, f(beta), PAD, eps, meanF, PAD, varF, PAD, infF,
                PAD);
        assertClose(inf, infF, 1e-5, "float inference");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void movingAverageMaskAndDot(Kernels k) {
        Rng rng = new Rng(3);
        int n = 29;
        double[] x = random(rng, n, 1);
        double[] y = random(rng, n, 1);
        double[] avg = y.clone();
        k.update().movingAverage(n, 0.9, x, PAD, avg, PAD);
        float[] avgF = f(y);
        k.update().movingAverage(n, 0.9, f(x), PAD, avgF, PAD);
        for (int i = PAD; i < n + PAD; i++) {
            assertEquals(0.9 * y[i] + (1 - 0.9) * x[i], avg[i], 0);
        }
        assertClose(avg, avgF, 1e-6, "float moving average");

        boolean[] mask = new boolean[n];
        for (int i = 0; i < n; i++) {
            mask[i] = rng.nextDouble() > 0.5;
        }
        double[] out = new double[n + PAD];
        k.update().maskedScale(n, x, PAD, mask, 2.5, out, PAD);
        float[] outF = new float[n + PAD];
        k.update().maskedScale(n, f(x), PAD, mask, 2.5, outF, PAD);
        for (int i = 0; i < n; i++) {
            assertEquals(mask[i] ? 2.5 * x[PAD + i] : 0, out[PAD + i], 0);
            assertEquals(mask[i] ? 2.5f * (float) x[PAD + i] : 0f, outF[PAD + i], 0);
        }

        double expected = 0;
        for (int i = PAD; i < n + PAD; i++) {
            expected += x[i] * y[i];
        }
        assertEquals(expected, k.elementwise().dot(n, x, PAD, y, PAD), 1e-13);
        assertEquals(expected, k.elementwise().dot(n, f(x), PAD, f(y), PAD), 1e-5);
    }
}
