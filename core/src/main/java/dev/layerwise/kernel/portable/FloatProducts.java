package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.Parallel;
import dev.layerwise.kernel.RangeTask;
import java.util.function.IntConsumer;

/**
 * The portable {@link dev.layerwise.kernel.MatrixKernels} in float32: simple loops that the JIT compiles well, split
 * over {@link Parallel} by rows of the output.
 */
final class FloatProducts {
    /** Multiply-adds below which a product is not worth splitting over threads. */
    private static final long MIN_TASK_FLOPS = 1 << 16;

    private FloatProducts() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        int tasks = rowTasks(m, n, k);
        if (tasks == 1) {
            gemmRows(0, m, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        } else {
            GemmTask.run(tasks, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        }
    }

    /**
     * A product split by bands of rows over {@link Parallel}, reused per calling thread so that it allocates nothing;
     * a product started from inside another one gets its own. Not a {@link RangeTask}: the number of bands is the
     * product's own ({@code rowTasks}, from its whole shape), not one derived from a work threshold per row.
     */
    private static final class GemmTask implements IntConsumer {
        private static final ThreadLocal<GemmTask> CURRENT = ThreadLocal.withInitial(GemmTask::new);

        private boolean busy;
        private int tasks;
        private boolean transA;
        private boolean transB;
        private int m;
        private int n;
        private int k;
        private float[] a;
        private int aOff;
        private float[] b;
        private int bOff;
        private float[] c;
        private int cOff;
        private boolean accumulate;

        static void run(int tasks, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                        float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
            GemmTask t = CURRENT.get();
            if (t.busy) {
                t = new GemmTask();
            }
            t.busy = true;
            t.tasks = tasks;
            t.transA = transA;
            t.transB = transB;
            t.m = m;
            t.n = n;
            t.k = k;
            t.a = a;
            t.aOff = aOff;
            t.b = b;
            t.bOff = bOff;
            t.c = c;
            t.cOff = cOff;
            t.accumulate = accumulate;
            try {
                Parallel.forEach(tasks, t);
            } finally {
                t.a = null;
                t.b = null;
                t.c = null;
                t.busy = false;
            }
        }

        @Override
        public void accept(int t) {
            int i0 = Parallel.chunkStart(t, tasks, m);
            int i1 = Parallel.chunkStart(t + 1, tasks, m);
            gemmRows(i0, i1, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        }
    }

    static void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, float[] b,
                         int bOff, float[] bias, int biasOff, float[] c, int cOff) {
        gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, false);
        FloatElementwise.addRowVector(m, n, c, cOff, bias, biasOff, c, cOff);
    }

    private static int rowTasks(int m, int n, int k) {
        long rowFlops = Math.max(1L, (long) n * k);
        int minRows = (int) Math.max(1, MIN_TASK_FLOPS / rowFlops);
        return Parallel.chunks(m, minRows);
    }

    /**
     * Rows {@code [i0, i1)} of C: C[i,:] += A(i,p)·B[p,:] (i-k-j order) skipping the zeros of A, as reference BLAS
     * does (the input of a first layer is mostly zeros), or dot products when B is transposed.
     */
    private static void gemmRows(int i0, int i1, boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        int aRowStride = transA ? 1 : k;
        int aColStride = transA ? m : 1;
        for (int i = i0; i < i1; i++) {
            int cRow = cOff + i * n;
            int aRow = aOff + i * aRowStride;
            if (!transB) {
                if (!accumulate) {
                    java.util.Arrays.fill(c, cRow, cRow + n, 0f);
                }
                for (int p = 0; p < k; p++) {
                    float aip = a[aRow + p * aColStride];
                    if (aip == 0) {
                        continue;
                    }
                    int bRow = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += aip * b[bRow + j];
                    }
                }
            } else {
                for (int j = 0; j < n; j++) {
                    int bRow = bOff + j * k;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s += a[aRow + p * aColStride] * b[bRow + p];
                    }
                    c[cRow + j] = accumulate ? c[cRow + j] + s : s;
                }
            }
        }
    }

    static void gemmBatch(int batch, boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                          float[] bias, int biasOff, float[] c, int cOff) {
        // Each product whole on one thread: the sums do not depend on the thread count.
        GemmBatch.call(batch, transA, m, n, k, a, aOff, b, bOff, bias, biasOff, c, cOff);
    }

    /** Products {@code [i0, i1)} of {@code gemmBatch}: {@code C_i} filled with the bias rows, op(A)·B_i added. */
    static void gemmBatchRange(int i0, int i1, boolean transA, int m, int n, int k, float[] a, int aOff,
                                       float[] b, int bOff, float[] bias, int biasOff, float[] c, int cOff) {
        for (int i = i0; i < i1; i++) {
            int ci = cOff + i * m * n;
            if (bias != null) {
                for (int r = 0; r < m; r++) {
                    java.util.Arrays.fill(c, ci + r * n, ci + (r + 1) * n, bias[biasOff + r]);
                }
            }
            gemmSerial(transA, m, n, k, a, aOff, b, bOff + i * k * n, c, ci, bias != null);
        }
    }

    /**
     * One product {@code C = op(A)·B} ({@code +=} when {@code accumulate}), B row-major, on the calling thread: the
     * unit of work of {@code gemmBatch}.
     */
    private static void gemmSerial(boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                                   float[] c, int cOff, boolean accumulate) {
        gemmRows(0, m, transA, false, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    /** {@code gemmBatch}'s arguments; a task computes products {@code [from, to)}, each whole. */
    private static final class GemmBatch extends RangeTask {
        private static final ThreadLocal<GemmBatch> CURRENT = ThreadLocal.withInitial(GemmBatch::new);
        private boolean transA;
        private int m;
        private int n;
        private int k;
        private float[] a;
        private int aOff;
        private float[] b;
        private int bOff;
        private float[] bias;
        private int biasOff;
        private float[] c;
        private int cOff;

        static void call(int batch, boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                         float[] bias, int biasOff, float[] c, int cOff) {
            GemmBatch j = acquire(CURRENT, GemmBatch::new);
            j.transA = transA;
            j.m = m;
            j.n = n;
            j.k = k;
            j.a = a;
            j.aOff = aOff;
            j.b = b;
            j.bOff = bOff;
            j.bias = bias;
            j.biasOff = biasOff;
            j.c = c;
            j.cOff = cOff;
            j.run(batch, (long) m * n * k);
        }

        @Override
        protected void range(int from, int to) {
            gemmBatchRange(from, to, transA, m, n, k, a, aOff, b, bOff, bias, biasOff, c, cOff);
        }

        @Override
        protected void clear() {
            a = null;
            b = null;
            bias = null;
            c = null;
        }
    }
}
