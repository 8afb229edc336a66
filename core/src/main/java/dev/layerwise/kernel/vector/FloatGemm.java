package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.Parallel;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix product {@code C (+)= op(A)·op(B)} in float32 with the Vector API.
 *
 * <p>The output is computed in tiles of {@link #MR} rows by two vectors ({@link #NR} columns) by a register-tiled
 * micro-kernel: per step of the shared dimension, one broadcast of an element of A per row and two loads of B feed
 * {@code 2·MR} fused multiply-adds into accumulators that stay in registers. The shared dimension is cut into blocks
 * of {@link #KC} so that a panel of B stays in the L1 cache while the rows of A stream past it.
 *
 * <p>Transposes are absorbed in strides, never materialised: A is read in place through a row and a column stride
 * (both layouts give the micro-kernel what it broadcasts); B is read in place when it is row-major, and packed into
 * zero-padded k×NR panels when it is transposed. The last, partial panel of a row-major B is read in place too, its
 * loads running on into the next row (those lanes are computed and dropped), except for its last few rows, which
 * are packed. Partial tiles are handled by the same kernels: surplus rows are computed from a valid row and not
 * stored, surplus columns are not stored.
 *
 * <p>Work is split over {@link Parallel} by blocks of rows, or by panels when there are fewer row blocks than threads
 * or when B is transposed: then each thread packs the panels it computes, instead of one thread packing all of B
 * first. The shared dimension is never split, so each element of C is summed in the same order whatever the thread
 * count.
 */
final class FloatGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector: 16 with AVX-512, 8 with AVX2. */
    static final int L = S.length();
    /** Columns per tile: two vectors. */
    static final int NR = 2 * L;
    /**
     * Rows per tile: 8 (16 accumulators) where the registers allow it (32 with AVX-512), else 4 (8 accumulators; 6
     * would spill on AVX2's 16 registers). The last rows of a band use the 4-row kernel, and a single row (inference
     * on one example) a 1-row kernel, so that no more than 3 rows' work is ever wasted.
     */
    static final int MR = S.vectorBitSize() >= 512 ? 8 : 4;
    /** Block of the shared dimension: a 256×NR panel of B is 32 KiB with AVX-512, within L1. */
    static final int KC = 256;
    /** Multiply-adds below which a product runs on the calling thread alone. */
    private static final long MIN_PARALLEL_WORK = 1L << 17;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);
    private static final ThreadLocal<Task> TASK = ThreadLocal.withInitial(Task::new);

    private FloatGemm() {
    }

    /**
     * {@code C = op(A)·op(B) + 1·biasᵀ}, or {@code C += op(A)·op(B)} when {@code accumulate}; {@code bias} (n values
     * from {@code biasOff}) may be null, and is added as C is first written, saving a pass over C.
     */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                     float[] c, int cOff, boolean accumulate, float[] bias, int biasOff) {
        gemm(ta, tb, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, bias, biasOff, false);
    }

    /**
     * {@code C = op(A)·B}, or {@code C += op(A)·B} when {@code accumulate}, on the calling thread alone: one product of
     * a batch whose products are spread over the threads.
     */
    static void gemmSerial(boolean ta, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c,
                           int cOff, boolean accumulate) {
        gemm(ta, false, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, null, 0, true);
    }

    private static void gemm(boolean ta, boolean tb, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                             float[] c, int cOff, boolean accumulate, float[] bias, int biasOff, boolean serial) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    if (bias == null) {
                        Arrays.fill(c, cOff + i * n, cOff + (i + 1) * n, 0f);
                    } else {
                        System.arraycopy(bias, biasOff, c, cOff + i * n, n);
                    }
                }
            }
            return;
        }
        int panels = (n + NR - 1) / NR;
        int fullPanels = n / NR;
        int aRs = ta ? 1 : k;
        int aCs = ta ? m : 1;
        int rowBlocks = (m + MR - 1) / MR;
        long work = (long) m * n * k;
        int threads = serial || work < MIN_PARALLEL_WORK ? 1 : Parallel.threads();
        boolean alone = threads == 1 || rowBlocks * panels == 1;
        // A transposed B is packed whole before the product, unless the threads split the panels: then each packs
        // its own (packing dout·Wᵀ's B serially took as long as the product on two threads).
        boolean packByTask = tb && !alone && panels >= threads;
        float[] packed = packByTask ? scratch(panels * k * NR) : pack(tb, n, k, b, bOff, panels, fullPanels);
        if (alone) {
            tiles(0, m, 0, panels, tb, m, n, k, a, aOff, aRs, aCs, b, bOff, packed, c, cOff, accumulate, bias,
                    biasOff);
            return;
        }
        Task task = TASK.get();
        if (task.busy) {
            task = new Task();
        }
        task.busy = true;
        try {
            task.set(tb, m, n, k, a, aOff, aRs, aCs, b, bOff, packed, c, cOff, accumulate, bias, biasOff);
            task.packByTask = packByTask;
            task.byRows = !packByTask && (rowBlocks >= threads || rowBlocks >= panels);
            task.rowBlocks = rowBlocks;
            task.panels = panels;
            task.tasks = Math.min(task.byRows ? rowBlocks : panels, threads);
            Parallel.forEach(task.tasks, task);
        } finally {
            task.clear();
        }
    }

    /**
     * One product split over threads: task {@code t} computes a band of row blocks (or of panels). Reused per calling
     * thread, so that a parallel product allocates nothing; a product started from inside another one gets its own.
     */
    private static final class Task implements IntConsumer {
        boolean busy;
        boolean byRows;
        boolean packByTask;
        int rowBlocks;
        int panels;
        int tasks;
        private boolean tb;
        private int m;
        private int n;
        private int k;
        private float[] a;
        private int aOff;
        private int aRs;
        private int aCs;
        private float[] b;
        private int bOff;
        private float[] packed;
        private float[] c;
        private int cOff;
        private boolean accumulate;
        private float[] bias;
        private int biasOff;

        void set(boolean tb, int m, int n, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff,
                 float[] packed, float[] c, int cOff, boolean accumulate, float[] bias, int biasOff) {
            this.tb = tb;
            this.m = m;
            this.n = n;
            this.k = k;
            this.a = a;
            this.aOff = aOff;
            this.aRs = aRs;
            this.aCs = aCs;
            this.b = b;
            this.bOff = bOff;
            this.packed = packed;
            this.c = c;
            this.cOff = cOff;
            this.accumulate = accumulate;
            this.bias = bias;
            this.biasOff = biasOff;
        }

        void clear() {
            a = null;
            b = null;
            packed = null;
            c = null;
            bias = null;
            busy = false;
        }

        @Override
        public void accept(int t) {
            if (byRows) {
                int i0 = Math.min(m, rowBlocks * t / tasks * MR);
                int i1 = Math.min(m, rowBlocks * (t + 1) / tasks * MR);
                tiles(i0, i1, 0, panels, tb, m, n, k, a, aOff, aRs, aCs, b, bOff, packed, c, cOff, accumulate, bias,
                        biasOff);
            } else {
                int jp0 = panels * t / tasks;
                int jp1 = panels * (t + 1) / tasks;
                if (packByTask) {
                    packTransposed(jp0, jp1, n, k, b, bOff, packed);
                }
                tiles(0, m, jp0, jp1, tb, m, n, k, a, aOff, aRs, aCs, b, bOff, packed, c, cOff, accumulate, bias,
                        biasOff);
            }
        }
    }

    /**
     * Packs B where it cannot be read in place: all of a transposed B (stored n×k) into k×NR panels, or only the last,
     * partial panel of a row-major B; zero-padded to NR columns. Returns null when nothing needs packing.
     */
    private static float[] pack(boolean tb, int n, int k, float[] b, int bOff, int panels, int fullPanels) {
        if (tb) {
            float[] packed = scratch(panels * k * NR);
            packTransposed(0, panels, n, k, b, bOff, packed);
            return packed;
        }
        if (fullPanels == panels) {
            return null;
        }
        int j0 = fullPanels * NR;
        int w = n - j0;
        int safe = inPlaceRows(n, k, j0);
        float[] packed = scratch((k - safe) * NR);
        for (int p = safe; p < k; p++) {
            System.arraycopy(b, bOff + p * n + j0, packed, (p - safe) * NR, w);
            Arrays.fill(packed, (p - safe) * NR + w, (p - safe + 1) * NR, 0f);
        }
        return packed;
    }

    /** Packs panels {@code [jp0, jp1)} of a transposed B (stored n×k) into {@code packed}, each k×NR. */
    private static void packTransposed(int jp0, int jp1, int n, int k, float[] b, int bOff, float[] packed) {
        for (int jp = jp0; jp < jp1; jp++) {
            int j0 = jp * NR;
            int w = Math.min(NR, n - j0);
            int base = jp * k * NR;
            for (int jj = 0; jj < w; jj++) {
                int src = bOff + (j0 + jj) * k;
                for (int p = 0; p < k; p++) {
                    packed[base + p * NR + jj] = b[src + p];
                }
            }
            if (w < NR) {
                for (int p = 0; p < k; p++) {
                    Arrays.fill(packed, base + p * NR + w, base + (p + 1) * NR, 0f);
                }
            }
        }
    }

    /**
     * How many leading rows of the last, partial panel of a row-major B (columns {@code j0 …}) can be read in place:
     * a full {@code NR}-wide load of such a row runs past the panel into the next row, whose values land in tile
     * columns that {@link #merge} never stores, but must stay inside the matrix. The remaining rows are packed.
     * Worth it when B is long (packing it would copy as much as the product reads); a B of one k-block is packed.
     */
    static int inPlaceRows(int n, int k, int j0) {
        if (k <= KC) {
            return 0; // a short B is cheaper to pack whole than to visit twice per tile
        }
        long last = (long) k * n - j0 - NR;
        return last < 0 ? 0 : (int) Math.min(k, last / n + 1);
    }

    /** A scratch array of the calling thread, grown as needed and reused, so steady-state products allocate nothing. */
    private static float[] scratch(int size) {
        float[] s = SCRATCH.get();
        if (s.length < size) {
            s = new float[size];
            SCRATCH.set(s);
        }
        return s;
    }

    /** Computes rows [i0, i1) × panels [jp0, jp1) of C. */
    private static void tiles(int i0, int i1, int jp0, int jp1, boolean tb, int m, int n, int k, float[] a, int aOff,
                              int aRs, int aCs, float[] b, int bOff, float[] packed, float[] c, int cOff,
                              boolean accumulate, float[] bias, int biasOff) {
        int fullPanels = n / NR;
        float[] tile = TILE.get();
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean add = accumulate || p0 > 0;
            for (int jp = jp0; jp < jp1; jp++) {
                int j0 = jp * NR;
                int cPos = cOff + j0;
                if (tb) {
                    band(i0, i1, p0, kc, a, aOff, aRs, aCs, packed, jp * k * NR + p0 * NR, NR, tile, c, cPos, n,
                            Math.min(NR, n - j0), add, bias, biasOff + j0);
                } else if (jp < fullPanels) {
                    band(i0, i1, p0, kc, a, aOff, aRs, aCs, b, bOff + p0 * n + j0, n, tile, c, cPos, n, NR, add,
                            bias, biasOff + j0);
                } else {
                    // The partial panel: rows read in place while a full-width load stays in B, the rest packed.
                    int width = n - j0;
                    int safe = inPlaceRows(n, k, j0);
                    int split = Math.max(p0, Math.min(p0 + kc, safe));
                    if (split > p0) {
                        band(i0, i1, p0, split - p0, a, aOff, aRs, aCs, b, bOff + p0 * n + j0, n, tile, c, cPos, n,
                                width, add, bias, biasOff + j0);
                    }
                    if (split < p0 + kc) {
                        band(i0, i1, split, p0 + kc - split, a, aOff, aRs, aCs, packed, (split - safe) * NR, NR,
                                tile, c, cPos, n, width, add || split > p0, bias, biasOff + j0);
                    }
                }
            }
        }
    }

    /**
     * Rows [i0, i1) of one panel of C, over the shared dimension [p0, p0 + kc): B's row p0 at {@code bp[bPos]}, rows
     * {@code bStride} apart. The first {@code width} columns of each tile are stored.
     */
    private static void band(int i0, int i1, int p0, int kc, float[] a, int aOff, int aRs, int aCs, float[] bp,
                             int bPos, int bStride, float[] tile, float[] c, int cPos, int ldc, int width,
                             boolean add, float[] bias, int biasPos) {
        for (int i = i0; i < i1; ) {
            int rows = Math.min(MR, i1 - i);
            int aPos = aOff + i * aRs + p0 * aCs;
            if (rows > 4) {
                kernel8(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile);
            } else if (rows > 1) {
                kernel4(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile);
            } else {
                kernel1(kc, a, aPos, aCs, bp, bPos, bStride, tile);
            }
            merge(tile, rows, width, c, cPos + i * ldc, ldc, add, add ? null : bias, biasPos);
            i += rows;
        }
    }

    /**
     * C[0..rows)[0..width) = tile (+ bias[0..width) on each row when bias is not null), or += tile when {@code add};
     * the tile is MR×NR, row-major.
     */
    private static void merge(float[] tile, int rows, int width, float[] c, int cPos, int ldc, boolean add,
                              float[] bias, int biasPos) {
        if (width == NR) {
            // Three loops rather than one with conditional vectors: a vector chosen by a condition is boxed by C2.
            if (add) {
                for (int r = 0; r < rows; r++) {
                    int at = cPos + r * ldc;
                    FloatVector.fromArray(S, tile, r * NR).add(FloatVector.fromArray(S, c, at)).intoArray(c, at);
                    FloatVector.fromArray(S, tile, r * NR + L).add(FloatVector.fromArray(S, c, at + L))
                            .intoArray(c, at + L);
                }
            } else if (bias != null) {
                FloatVector b0 = FloatVector.fromArray(S, bias, biasPos);
                FloatVector b1 = FloatVector.fromArray(S, bias, biasPos + L);
                for (int r = 0; r < rows; r++) {
                    int at = cPos + r * ldc;
                    FloatVector.fromArray(S, tile, r * NR).add(b0).intoArray(c, at);
                    FloatVector.fromArray(S, tile, r * NR + L).add(b1).intoArray(c, at + L);
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int at = cPos + r * ldc;
                    FloatVector.fromArray(S, tile, r * NR).intoArray(c, at);
                    FloatVector.fromArray(S, tile, r * NR + L).intoArray(c, at + L);
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int t = r * NR;
            int at = cPos + r * ldc;
            for (int j = 0; j < width; j++) {
                float v = tile[t + j];
                c[at + j] = add ? c[at + j] + v : bias == null ? v : v + bias[biasPos + j];
            }
        }
    }

    /**
     * tile[0..8)[0..NR) = A[0..8)[0..kc) · B[0..kc)[0..NR): 16 accumulators in registers; per step one broadcast
     * of A per row and two loads of B. Rows past {@code rows} repeat the last one (their results are not used). Straight-line code with no
     * branch after the loop, so that C2 keeps every vector in a register.
     */
    private static void kernel8(int kc, int rows, float[] a, int aPos, int aRs, int aCs, float[] bp, int bPos,
                                int bStride, float[] tile) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1) * aRs;
        int a2 = aPos + Math.min(2, rows - 1) * aRs;
        int a3 = aPos + Math.min(3, rows - 1) * aRs;
        int a4 = aPos + Math.min(4, rows - 1) * aRs;
        int a5 = aPos + Math.min(5, rows - 1) * aRs;
        int a6 = aPos + Math.min(6, rows - 1) * aRs;
        int a7 = aPos + Math.min(7, rows - 1) * aRs;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bRow = bPos + p * bStride;
            FloatVector b0 = FloatVector.fromArray(S, bp, bRow);
            FloatVector b1 = FloatVector.fromArray(S, bp, bRow + L);
            int ap = p * aCs;
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + ap]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + ap]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[a6 + ap]);
            c60 = x6.fma(b0, c60);
            c61 = x6.fma(b1, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[a7 + ap]);
            c70 = x7.fma(b0, c70);
            c71 = x7.fma(b1, c71);
        }
        c00.intoArray(tile, 0 * L);
        c01.intoArray(tile, 1 * L);
        c10.intoArray(tile, 2 * L);
        c11.intoArray(tile, 3 * L);
        c20.intoArray(tile, 4 * L);
        c21.intoArray(tile, 5 * L);
        c30.intoArray(tile, 6 * L);
        c31.intoArray(tile, 7 * L);
        c40.intoArray(tile, 8 * L);
        c41.intoArray(tile, 9 * L);
        c50.intoArray(tile, 10 * L);
        c51.intoArray(tile, 11 * L);
        c60.intoArray(tile, 12 * L);
        c61.intoArray(tile, 13 * L);
        c70.intoArray(tile, 14 * L);
        c71.intoArray(tile, 15 * L);
    }

    /**
     * tile[0..4)[0..NR) = A[0..4)[0..kc) · B[0..kc)[0..NR): 8 accumulators in registers; per step one broadcast
     * of A per row and two loads of B. Rows past {@code rows} repeat the last one (their results are not used). Straight-line code with no
     * branch after the loop, so that C2 keeps every vector in a register.
     */
    private static void kernel4(int kc, int rows, float[] a, int aPos, int aRs, int aCs, float[] bp, int bPos,
                                int bStride, float[] tile) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1) * aRs;
        int a2 = aPos + Math.min(2, rows - 1) * aRs;
        int a3 = aPos + Math.min(3, rows - 1) * aRs;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bRow = bPos + p * bStride;
            FloatVector b0 = FloatVector.fromArray(S, bp, bRow);
            FloatVector b1 = FloatVector.fromArray(S, bp, bRow + L);
            int ap = p * aCs;
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        c00.intoArray(tile, 0 * L);
        c01.intoArray(tile, 1 * L);
        c10.intoArray(tile, 2 * L);
        c11.intoArray(tile, 3 * L);
        c20.intoArray(tile, 4 * L);
        c21.intoArray(tile, 5 * L);
        c30.intoArray(tile, 6 * L);
        c31.intoArray(tile, 7 * L);
    }

    /**
     * tile[0][0..NR) = A[0][0..kc) · B[0..kc)[0..NR) for a single row: even and odd steps go to separate accumulators
     * (four in all), which are added at the end, so that the multiply-adds do not wait on each other.
     */
    private static void kernel1(int kc, float[] a, int aPos, int aCs, float[] bp, int bPos, int bStride,
                                float[] tile) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector d0 = FloatVector.zero(S);
        FloatVector d1 = FloatVector.zero(S);
        int p = 0;
        for (; p + 1 < kc; p += 2) {
            int bRow = bPos + p * bStride;
            FloatVector x = FloatVector.broadcast(S, a[aPos + p * aCs]);
            c0 = x.fma(FloatVector.fromArray(S, bp, bRow), c0);
            c1 = x.fma(FloatVector.fromArray(S, bp, bRow + L), c1);
            FloatVector y = FloatVector.broadcast(S, a[aPos + (p + 1) * aCs]);
            d0 = y.fma(FloatVector.fromArray(S, bp, bRow + bStride), d0);
            d1 = y.fma(FloatVector.fromArray(S, bp, bRow + bStride + L), d1);
        }
        if (p < kc) {
            int bRow = bPos + p * bStride;
            FloatVector x = FloatVector.broadcast(S, a[aPos + p * aCs]);
            c0 = x.fma(FloatVector.fromArray(S, bp, bRow), c0);
            c1 = x.fma(FloatVector.fromArray(S, bp, bRow + L), c1);
        }
        c0.add(d0).intoArray(tile, 0);
        c1.add(d1).intoArray(tile, L);
    }
}
