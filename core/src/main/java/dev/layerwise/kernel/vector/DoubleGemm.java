package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.Parallel;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix product {@code C (+)= op(A)·op(B)} in float64 with the Vector API.
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
final class DoubleGemm {
    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Lanes per vector: 8 with AVX-512, 4 with AVX2. */
    static final int L = S.length();
    /** Columns per tile: two vectors. */
    static final int NR = 2 * L;
    /**
     * Rows per tile, chosen by the vector registers there are: 8 (16 accumulators) with AVX-512's 32, 6 (12
     * accumulators) with AVX2's 16. A step of a tile needs its accumulators, the two vectors of B and a broadcast of
     * A in registers at once: 12 + 3 fill AVX2's 16 without spilling, and 12 independent chains of multiply-adds
     * cover the latency of the two FMA units, which 8 (4 rows) do not quite. The last rows of a band use the 4-row
     * kernel, and a single row (inference on one example) a 1-row kernel, so that no more than 3 rows' work is ever
     * wasted.
     */
    static final int MR = S.vectorBitSize() >= 512 ? 8 : 6;
    /**
     * A product's last row is computed on its own by {@link #kernel1}, whose even and odd steps are summed apart (so
     * its bits differ from the other kernels'), when the product has {@code LONE * j + 1} rows; every other row is one
     * chain of multiply-adds in order. The tiles of 8 and 4 rows the products were first written with gave this rule;
     * it is kept whatever the tile, so that a product's bits do not depend on the tile's shape.
     */
    static final int LONE = S.vectorBitSize() >= 512 ? 8 : 4;
    /** Block of the shared dimension: a 256×NR panel of B is 32 KiB with AVX-512, within L1. */
    static final int KC = 256;
    /** Multiply-adds below which a product runs on the calling thread alone. */
    private static final long MIN_PARALLEL_WORK = 1L << 17;

    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[0]);
    private static final ThreadLocal<double[]> TILE = ThreadLocal.withInitial(() -> new double[MR * NR]);
    private static final ThreadLocal<Task> TASK = ThreadLocal.withInitial(Task::new);

    private DoubleGemm() {
    }

    /**
     * {@code C = op(A)·op(B) + 1·biasᵀ}, or {@code C += op(A)·op(B)} when {@code accumulate}; {@code bias} (n values
     * from {@code biasOff}) may be null, and is added as C is first written, saving a pass over C.
     */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                     double[] c, int cOff, boolean accumulate, double[] bias, int biasOff) {
        gemm(ta, tb, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, bias, biasOff, false);
    }

    /**
     * {@code C = op(A)·B}, or {@code C += op(A)·B} when {@code accumulate}, on the calling thread alone: one product of
     * a batch whose products are spread over the threads.
     */
    static void gemmSerial(boolean ta, int m, int n, int k, double[] a, int aOff, double[] b, int bOff, double[] c,
                           int cOff, boolean accumulate) {
        gemm(ta, false, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, null, 0, true);
    }

    private static void gemm(boolean ta, boolean tb, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                             double[] c, int cOff, boolean accumulate, double[] bias, int biasOff, boolean serial) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    if (bias == null) {
                        Arrays.fill(c, cOff + i * n, cOff + (i + 1) * n, 0d);
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
        // its own (packing dout·Wᵀ's B on one thread costs about as much as the product on two).
        boolean packByTask = tb && !alone && panels >= threads;
        double[] packed = packByTask ? scratch(panels * k * NR) : pack(tb, n, k, b, bOff, panels, fullPanels);
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
        private double[] a;
        private int aOff;
        private int aRs;
        private int aCs;
        private double[] b;
        private int bOff;
        private double[] packed;
        private double[] c;
        private int cOff;
        private boolean accumulate;
        private double[] bias;
        private int biasOff;

        void set(boolean tb, int m, int n, int k, double[] a, int aOff, int aRs, int aCs, double[] b, int bOff,
                 double[] packed, double[] c, int cOff, boolean accumulate, double[] bias, int biasOff) {
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
    private static double[] pack(boolean tb, int n, int k, double[] b, int bOff, int panels, int fullPanels) {
        if (tb) {
            double[] packed = scratch(panels * k * NR);
            packTransposed(0, panels, n, k, b, bOff, packed);
            return packed;
        }
        if (fullPanels == panels) {
            return null;
        }
        int j0 = fullPanels * NR;
        int w = n - j0;
        int safe = inPlaceRows(n, k, j0);
        double[] packed = scratch((k - safe) * NR);
        for (int p = safe; p < k; p++) {
            System.arraycopy(b, bOff + p * n + j0, packed, (p - safe) * NR, w);
            Arrays.fill(packed, (p - safe) * NR + w, (p - safe + 1) * NR, 0d);
        }
        return packed;
    }

    /** Packs panels {@code [jp0, jp1)} of a transposed B (stored n×k) into {@code packed}, each k×NR. */
    private static void packTransposed(int jp0, int jp1, int n, int k, double[] b, int bOff, double[] packed) {
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
                    Arrays.fill(packed, base + p * NR + w, base + (p + 1) * NR, 0d);
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

    /**
     * The partial sums of a dot product in FloatGemm's thin columns, which this class does not have (see
     * {@link #thinColumns}); for the float64 twins of kernels that reproduce them.
     */
    static final int CHUNK = 16;

    /** How many of the last columns of a product are summed as dot products, as FloatGemm's thin ones: none. */
    static int thinColumns(int m, int n) {
        return 0;
    }

    /** Steps per block of the shared dimension, as FloatGemm's {@code blockSteps}: KC for every product. */
    static int blockSteps(int m, int n, int k) {
        return KC;
    }

    /**
     * How {@code C = A·B} (A {@code m × k}, B {@code k × n}, both row-major, C overwritten) sums each element, on any
     * number of threads, for kernels that compute the same sums without calling this class: 0 when every element is one
     * chain of multiply-adds per block of {@link #KC} steps, in order from zero, the blocks added to C in order; a
     * positive step {@code s} when, besides, the columns of the partial last panel (from {@code n / NR · NR}) sum the
     * block that holds step {@code s} as two such chains, over the steps before {@code s} (read in place) and from it
     * (packed), added to C one after the other, as {@link #tiles} does (when {@code s} falls on a block's start or past
     * the end, nothing is cut); −1 when some elements are summed otherwise: a lone last row (and, to stay clear of it
     * on both widths, any row count of {@code 4·j + 1}).
     */
    static int chainSplit(int m, int n, int k) {
        if (m % 4 == 1) {
            return -1;
        }
        return n % NR == 0 ? 0 : inPlaceRows(n, k, n / NR * NR);
    }

    /**
     * {@code out[outOff + c·ldo + r] = a[aOff + r·lda + c]} for {@code r < rows}, {@code c < cols}: a block of a
     * row-major matrix, transposed. The values are only moved.
     */
    static void transpose(int rows, int cols, double[] a, int aOff, int lda, double[] out, int outOff, int ldo) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[outOff + c * ldo + r] = a[aOff + r * lda + c];
            }
        }
    }

    /** A scratch array of the calling thread, grown as needed and reused, so steady-state products allocate nothing. */
    private static double[] scratch(int size) {
        double[] s = SCRATCH.get();
        if (s.length < size) {
            s = new double[size];
            SCRATCH.set(s);
        }
        return s;
    }

    /** Computes rows [i0, i1) × panels [jp0, jp1) of C. */
    private static void tiles(int i0, int i1, int jp0, int jp1, boolean tb, int m, int n, int k, double[] a, int aOff,
                              int aRs, int aCs, double[] b, int bOff, double[] packed, double[] c, int cOff,
                              boolean accumulate, double[] bias, int biasOff) {
        int fullPanels = n / NR;
        double[] tile = TILE.get();
        boolean lone = i1 == m && m % LONE == 1;
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean add = accumulate || p0 > 0;
            for (int jp = jp0; jp < jp1; jp++) {
                int j0 = jp * NR;
                int cPos = cOff + j0;
                if (tb) {
                    band(i0, i1, lone, p0, kc, a, aOff, aRs, aCs, packed, jp * k * NR + p0 * NR, NR, tile, c, cPos, n,
                            Math.min(NR, n - j0), add, bias, biasOff + j0);
                } else if (jp < fullPanels) {
                    band(i0, i1, lone, p0, kc, a, aOff, aRs, aCs, b, bOff + p0 * n + j0, n, tile, c, cPos, n, NR, add,
                            bias, biasOff + j0);
                } else {
                    // The partial panel: rows read in place while a full-width load stays in B, the rest packed.
                    int width = n - j0;
                    int safe = inPlaceRows(n, k, j0);
                    int split = Math.max(p0, Math.min(p0 + kc, safe));
                    if (split > p0) {
                        band(i0, i1, lone, p0, split - p0, a, aOff, aRs, aCs, b, bOff + p0 * n + j0, n, tile, c,
                                cPos, n, width, add, bias, biasOff + j0);
                    }
                    if (split < p0 + kc) {
                        band(i0, i1, lone, split, p0 + kc - split, a, aOff, aRs, aCs, packed, (split - safe) * NR, NR,
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
    private static void band(int i0, int i1, boolean lone, int p0, int kc, double[] a, int aOff, int aRs, int aCs,
                             double[] bp, int bPos, int bStride, double[] tile, double[] c, int cPos, int ldc,
                             int width, boolean add, double[] bias, int biasPos) {
        int end = lone ? i1 - 1 : i1;
        for (int i = i0; i < i1; ) {
            int rows = i < end ? Math.min(MR, end - i) : 1;
            int aPos = aOff + i * aRs + p0 * aCs;
            if (i == end) {
                kernel1(kc, a, aPos, aCs, bp, bPos, bStride, tile);
            } else if (rows > 4 && MR == 8) {
                kernel8(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile);
            } else if (rows > 4) {
                kernel6(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile);
            } else {
                kernel4(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile);
            }
            merge(tile, rows, width, c, cPos + i * ldc, ldc, add, add ? null : bias, biasPos);
            i += rows;
        }
    }

    /**
     * C[0..rows)[0..width) = tile (+ bias[0..width) on each row when bias is not null), or += tile when {@code add};
     * the tile is MR×NR, row-major.
     */
    private static void merge(double[] tile, int rows, int width, double[] c, int cPos, int ldc, boolean add,
                              double[] bias, int biasPos) {
        if (width == NR) {
            // Three loops rather than one with conditional vectors: a vector chosen by a condition is boxed by C2.
            if (add) {
                for (int r = 0; r < rows; r++) {
                    int at = cPos + r * ldc;
                    DoubleVector.fromArray(S, tile, r * NR).add(DoubleVector.fromArray(S, c, at)).intoArray(c, at);
                    DoubleVector.fromArray(S, tile, r * NR + L).add(DoubleVector.fromArray(S, c, at + L))
                            .intoArray(c, at + L);
                }
            } else if (bias != null) {
                DoubleVector b0 = DoubleVector.fromArray(S, bias, biasPos);
                DoubleVector b1 = DoubleVector.fromArray(S, bias, biasPos + L);
                for (int r = 0; r < rows; r++) {
                    int at = cPos + r * ldc;
                    DoubleVector.fromArray(S, tile, r * NR).add(b0).intoArray(c, at);
                    DoubleVector.fromArray(S, tile, r * NR + L).add(b1).intoArray(c, at + L);
                }
            } else {
                for (int r = 0; r < rows; r++) {
                    int at = cPos + r * ldc;
                    DoubleVector.fromArray(S, tile, r * NR).intoArray(c, at);
                    DoubleVector.fromArray(S, tile, r * NR + L).intoArray(c, at + L);
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int t = r * NR;
            int at = cPos + r * ldc;
            for (int j = 0; j < width; j++) {
                double v = tile[t + j];
                c[at + j] = add ? c[at + j] + v : bias == null ? v : v + bias[biasPos + j];
            }
        }
    }

    /**
     * tile[0..8)[0..NR) = A[0..8)[0..kc) · B[0..kc)[0..NR): 16 accumulators in registers; per step one broadcast
     * of A per row and two loads of B. Rows past {@code rows} repeat the last one (their results are not used). Straight-line code with no
     * branch after the loop, so that C2 keeps every vector in a register.
     */
    private static void kernel8(int kc, int rows, double[] a, int aPos, int aRs, int aCs, double[] bp, int bPos,
                                int bStride, double[] tile) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1) * aRs;
        int a2 = aPos + Math.min(2, rows - 1) * aRs;
        int a3 = aPos + Math.min(3, rows - 1) * aRs;
        int a4 = aPos + Math.min(4, rows - 1) * aRs;
        int a5 = aPos + Math.min(5, rows - 1) * aRs;
        int a6 = aPos + Math.min(6, rows - 1) * aRs;
        int a7 = aPos + Math.min(7, rows - 1) * aRs;
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S);
        DoubleVector c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S);
        DoubleVector c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S);
        DoubleVector c31 = DoubleVector.zero(S);
        DoubleVector c40 = DoubleVector.zero(S);
        DoubleVector c41 = DoubleVector.zero(S);
        DoubleVector c50 = DoubleVector.zero(S);
        DoubleVector c51 = DoubleVector.zero(S);
        DoubleVector c60 = DoubleVector.zero(S);
        DoubleVector c61 = DoubleVector.zero(S);
        DoubleVector c70 = DoubleVector.zero(S);
        DoubleVector c71 = DoubleVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bRow = bPos + p * bStride;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bRow);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bRow + L);
            int ap = p * aCs;
            DoubleVector x0 = DoubleVector.broadcast(S, a[a0 + ap]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            DoubleVector x1 = DoubleVector.broadcast(S, a[a1 + ap]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            DoubleVector x2 = DoubleVector.broadcast(S, a[a2 + ap]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            DoubleVector x3 = DoubleVector.broadcast(S, a[a3 + ap]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            DoubleVector x4 = DoubleVector.broadcast(S, a[a4 + ap]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            DoubleVector x5 = DoubleVector.broadcast(S, a[a5 + ap]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            DoubleVector x6 = DoubleVector.broadcast(S, a[a6 + ap]);
            c60 = x6.fma(b0, c60);
            c61 = x6.fma(b1, c61);
            DoubleVector x7 = DoubleVector.broadcast(S, a[a7 + ap]);
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
     * tile[0..6)[0..NR) = A[0..6)[0..kc) · B[0..kc)[0..NR): 12 accumulators in registers (AVX2's tile, see
     * {@link #MR}); per step one broadcast of A per row and two loads of B. Rows past {@code rows} repeat the last one
     * (their results are not used). Straight-line code with no branch after the loop, so that C2 keeps every vector
     * in a register.
     */
    private static void kernel6(int kc, int rows, double[] a, int aPos, int aRs, int aCs, double[] bp, int bPos,
                                int bStride, double[] tile) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1) * aRs;
        int a2 = aPos + Math.min(2, rows - 1) * aRs;
        int a3 = aPos + Math.min(3, rows - 1) * aRs;
        int a4 = aPos + Math.min(4, rows - 1) * aRs;
        int a5 = aPos + Math.min(5, rows - 1) * aRs;
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S);
        DoubleVector c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S);
        DoubleVector c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S);
        DoubleVector c31 = DoubleVector.zero(S);
        DoubleVector c40 = DoubleVector.zero(S);
        DoubleVector c41 = DoubleVector.zero(S);
        DoubleVector c50 = DoubleVector.zero(S);
        DoubleVector c51 = DoubleVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bRow = bPos + p * bStride;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bRow);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bRow + L);
            int ap = p * aCs;
            DoubleVector x0 = DoubleVector.broadcast(S, a[a0 + ap]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            DoubleVector x1 = DoubleVector.broadcast(S, a[a1 + ap]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            DoubleVector x2 = DoubleVector.broadcast(S, a[a2 + ap]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            DoubleVector x3 = DoubleVector.broadcast(S, a[a3 + ap]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            DoubleVector x4 = DoubleVector.broadcast(S, a[a4 + ap]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            DoubleVector x5 = DoubleVector.broadcast(S, a[a5 + ap]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
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
    }

    /**
     * tile[0..4)[0..NR) = A[0..4)[0..kc) · B[0..kc)[0..NR): 8 accumulators in registers; per step one broadcast
     * of A per row and two loads of B. Rows past {@code rows} repeat the last one (their results are not used). Straight-line code with no
     * branch after the loop, so that C2 keeps every vector in a register.
     */
    private static void kernel4(int kc, int rows, double[] a, int aPos, int aRs, int aCs, double[] bp, int bPos,
                                int bStride, double[] tile) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1) * aRs;
        int a2 = aPos + Math.min(2, rows - 1) * aRs;
        int a3 = aPos + Math.min(3, rows - 1) * aRs;
        DoubleVector c00 = DoubleVector.zero(S);
        DoubleVector c01 = DoubleVector.zero(S);
        DoubleVector c10 = DoubleVector.zero(S);
        DoubleVector c11 = DoubleVector.zero(S);
        DoubleVector c20 = DoubleVector.zero(S);
        DoubleVector c21 = DoubleVector.zero(S);
        DoubleVector c30 = DoubleVector.zero(S);
        DoubleVector c31 = DoubleVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bRow = bPos + p * bStride;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bRow);
            DoubleVector b1 = DoubleVector.fromArray(S, bp, bRow + L);
            int ap = p * aCs;
            DoubleVector x0 = DoubleVector.broadcast(S, a[a0 + ap]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            DoubleVector x1 = DoubleVector.broadcast(S, a[a1 + ap]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            DoubleVector x2 = DoubleVector.broadcast(S, a[a2 + ap]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            DoubleVector x3 = DoubleVector.broadcast(S, a[a3 + ap]);
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
    private static void kernel1(int kc, double[] a, int aPos, int aCs, double[] bp, int bPos, int bStride,
                                double[] tile) {
        DoubleVector c0 = DoubleVector.zero(S);
        DoubleVector c1 = DoubleVector.zero(S);
        DoubleVector d0 = DoubleVector.zero(S);
        DoubleVector d1 = DoubleVector.zero(S);
        int p = 0;
        for (; p + 1 < kc; p += 2) {
            int bRow = bPos + p * bStride;
            DoubleVector x = DoubleVector.broadcast(S, a[aPos + p * aCs]);
            c0 = x.fma(DoubleVector.fromArray(S, bp, bRow), c0);
            c1 = x.fma(DoubleVector.fromArray(S, bp, bRow + L), c1);
            DoubleVector y = DoubleVector.broadcast(S, a[aPos + (p + 1) * aCs]);
            d0 = y.fma(DoubleVector.fromArray(S, bp, bRow + bStride), d0);
            d1 = y.fma(DoubleVector.fromArray(S, bp, bRow + bStride + L), d1);
        }
        if (p < kc) {
            int bRow = bPos + p * bStride;
            DoubleVector x = DoubleVector.broadcast(S, a[aPos + p * aCs]);
            c0 = x.fma(DoubleVector.fromArray(S, bp, bRow), c0);
            c1 = x.fma(DoubleVector.fromArray(S, bp, bRow + L), c1);
        }
        c0.add(d0).intoArray(tile, 0);
        c1.add(d1).intoArray(tile, L);
    }
}
