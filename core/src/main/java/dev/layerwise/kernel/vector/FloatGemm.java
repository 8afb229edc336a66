package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.Parallel;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix product {@code C (+)= op(A)·op(B)} in float32 with the Vector API.
 *
 * <p>The output is computed in tiles of {@link #MR} rows by two vectors ({@link #NR} columns) by a register-tiled
 * micro-kernel: per step of the shared dimension, one broadcast of an element of A per row and two loads of B feed
 * {@code 2·MR} fused multiply-adds into accumulators that stay in registers. The shared dimension is cut into blocks
 * of {@link #KC} so that a panel of B stays in the L1 cache while the rows of A stream past it; a product of only a
 * few panels sums up to {@link #UNBLOCKED_STEPS} steps in one block ({@link #blockSteps}).
 *
 * <p>Transposes are absorbed in strides, never materialised: A is read in place through a row and a column stride
 * (both layouts give the micro-kernel what it broadcasts); B is read in place when it is row-major, and packed into
 * zero-padded k×NR panels when it is transposed. The last, partial panel of a row-major B is read in place too, its
 * loads running on into the next row (those lanes are computed and dropped), except for its last few rows, which
 * are packed. Partial tiles are handled by the same kernels: surplus rows are computed from a valid row and not
 * stored, surplus columns are not stored.
 *
 * <p>Three things spare the lanes a product's last columns would waste: with AVX-512, a last panel of at most one
 * vector joins the panel before it in a tile three vectors wide ({@link #WIDE}), and any other panel of at most one
 * vector's columns (a classifier's 10) takes tiles one vector wide ({@link #kernel8Narrow}); and up to 4 columns past
 * the last multiple of 16 are computed by {@link #thin}, as dot products, instead of in a vector of their own. The
 * book's hidden layer of 50 columns (16 lanes: 3 vectors and 2) would otherwise cost as much as 64 columns; this way it
 * costs 48 and 2.
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
     * Rows per tile, chosen by the vector registers there are: 8 (16 accumulators) with AVX-512's 32, 6 (12
     * accumulators) with AVX2's 16. A step of a tile needs its accumulators, the two vectors of B and a broadcast of
     * A in registers at once: 12 + 3 fill AVX2's 16 without spilling, and 12 independent chains of multiply-adds
     * cover the latency of the two FMA units, which 8 (4 rows) do not quite. The last rows of a band use the 4-row
     * kernel, and a single row (inference on one example) a 1-row kernel, so that no more than 3 rows' work is ever
     * wasted in a 4-row tile, 2 in a 6-row one (4 in a {@link #WIDE} panel, whose tiles have 6 rows).
     */
    static final int MR = S.vectorBitSize() >= 512 ? 8 : 6;
    /**
     * A product's last row is computed on its own by {@link #kernel1}, whose even and odd steps are summed apart (so
     * its bits differ from the other kernels'), when the product has {@code LONE * j + 1} rows; every other row is one
     * chain of multiply-adds in order. The tiles of 8 and 4 rows the products were first written with gave this rule;
     * it is kept whatever the tile, so that a product's bits do not depend on the tile's shape.
     */
    static final int LONE = S.vectorBitSize() >= 512 ? 8 : 4;
    /**
     * Whether a last panel of at most {@code L} columns joins the panel before it in a tile three vectors wide (6 rows,
     * 18 accumulators; with AVX-512 only, with AVX2's 16 registers it would spill), rather than run in a tile two
     * vectors wide of which it fills one. A tile one vector wide would not do: the micro-kernel keeps the core's pace
     * when each broadcast of A feeds two vectors or more, and one vector wide the broadcasts set its pace (16 columns
     * take nearly as long as 32).
     */
    static final boolean WIDE = MR == 8;
    /** Row stride of a tile: the widest panel's columns. */
    static final int TW = WIDE ? 3 * L : NR;
    /**
     * The thin columns' unit: a product's last {@code n % CHUNK} columns, when they are at most {@link #THIN} and the
     * product has {@link #THIN_MIN_ROWS} rows or more, are computed by {@link #thin} rather than in a vector of which
     * they would fill a few lanes (for fewer rows, copying B's thin columns costs more than it saves). The book's
     * hidden layer of 50 is 3 vectors of 16 and 2 columns: padded to 4 vectors, its products would do a quarter more
     * work than needed. Sixteen floats whatever the vector width, and the dot products summed as 16 partial sums
     * ({@link #laneSum}), so that AVX2 and AVX-512 give the same bits, as the rest of the product does.
     */
    static final int CHUNK = 16;
    /** See {@link #CHUNK}; only with vectors of 8 or 16 lanes, which the dot products are written for. */
    static final int THIN = L == 8 || L == CHUNK ? 4 : 0;
    /** See {@link #CHUNK}. */
    static final int THIN_MIN_ROWS = 8;
    /** Rows of thin columns computed at a time: bounds {@link #thin}'s buffer at 34,816 floats a thread. */
    private static final int THIN_ROWS = 1024;
    /** Block of the shared dimension: a 256×NR panel of B is 32 KiB with AVX-512, within L1. */
    static final int KC = 256;
    /**
     * Steps of the shared dimension that a product of few panels sums in one chain rather than in blocks of KC: see
     * {@link #blockSteps}. Longer sums go in blocks again, which keep their rounding errors down (a convolution's
     * weight gradient sums over every output position of a batch, tens of thousands).
     */
    static final int UNBLOCKED_STEPS = 4 * KC;
    /**
     * Rows of a band from which a full panel of a row-major B is packed ({@link #packPanel}) rather than read in
     * place: the copy is paid once per panel and block of the shared dimension, and repaid by every tile of the band.
     */
    static final int PACK_MIN_ROWS = 128;
    /** Panels two vectors wide from which a band's rows of A are packed ({@link #packA}), for the same reason. */
    static final int PACK_A_MIN_PANELS = 4;
    /**
     * Rows of A packed at a time: a block of MC rows by KC steps (512 KiB) stays in the L2 cache while the panels
     * pass over it. A multiple of MR, so that the tiles are the same as without the blocks.
     */
    static final int MC = 512 / MR * MR;
    /** Rows of a block of a short product's band ({@link #tiles}): a multiple of the tiles' heights, 4, 6 and 8. */
    private static final int SHORT_ROWS = 24;
    /**
     * Floats of A a block of a short product's band reads, at most, and of B's panels that such blocks may share:
     * 16 KiB each, which leaves room in the L1 cache of any processor with AVX2 (32 KiB or more) for the block's
     * rows of C.
     */
    private static final int SHORT_FLOATS = 4096;
    /** Rows past MC that a last block of A may take rather than leave to a block of their own. */
    static final int MC_TAIL = 64 / MR * MR;
    /** Floats of A a block of rows reads in {@link #rowBand}: 256 KiB, a part of any L2 cache that leaves room for B. */
    private static final int THIN_BLOCK_FLOATS = 65536;
    /** Multiply-adds below which a product runs on the calling thread alone. */
    private static final long MIN_PARALLEL_WORK = 1L << 17;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    /** A thin column of C as {@link #thin} computes it, before it is stored. */
    private static final ThreadLocal<float[]> COLUMN = ThreadLocal.withInitial(() -> new float[0]);
    /** The thin columns of a row-major B, each packed into k consecutive floats. */
    private static final ThreadLocal<float[]> THIN_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * TW]);
    /** The last, partial vector of a bias that ends within it: see {@link #lastBias}. */
    private static final ThreadLocal<float[]> BIAS_TAIL = ThreadLocal.withInitial(() -> new float[L]);
    /** Rows of A packed by {@link #packA}: a block of up to MC + MC_TAIL rows by KC steps. */
    private static final ThreadLocal<float[]> PACKED_A =
            ThreadLocal.withInitial(() -> new float[(MC + MC_TAIL) * KC]);
    /** A panel of a row-major B, packed by {@link #packPanel}: KC rows of up to three vectors. */
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[KC * 3 * L]);
    /**
     * Steps of the shared dimension whose blocks {@link #chainedBlocks} sums one after another for each tile: bounds
     * its packed rows of A at 2.4 MB a thread (576 rows).
     */
    static final int CHAIN_STEPS = 4 * KC;
    /** Rows of A packed by {@link #chainedBlocks}: up to MC + MC_TAIL rows by {@link #CHAIN_STEPS} steps. */
    private static final ThreadLocal<float[]> CHAIN_A = ThreadLocal.withInitial(() -> new float[0]);
    /** A panel of a row-major B packed by {@link #chainedBlocks}: {@link #CHAIN_STEPS} rows of NR floats. */
    private static final ThreadLocal<float[]> CHAIN_B = ThreadLocal.withInitial(() -> new float[CHAIN_STEPS * NR]);
    private static final ThreadLocal<Task> TASK = ThreadLocal.withInitial(Task::new);
    /**
     * Whether {@link #packA} packs two tiles' rows of A at a time as 16×16 blocks transposed in registers: with
     * AVX-512, whose tiles are 8 rows, half a block's row. AVX2's 6-row tiles meet its 8×8 blocks at no such
     * boundary, and pack one float at a time.
     */
    private static final boolean PACK_A_BLOCKS = MR == 8 && L == 16 && FloatTranspose.SUPPORTED;
    /** A block of 16 rows of A by 16 steps, transposed by {@link #packA}. */
    private static final ThreadLocal<float[]> A_BLOCK = ThreadLocal.withInitial(() -> new float[L * L]);
    // FloatTranspose's stages, under short names for laneSums16 and packA.
    private static final VectorShuffle<Float> DOWN0 = FloatTranspose.DOWN0;
    private static final VectorShuffle<Float> DOWN1 = FloatTranspose.DOWN1;
    private static final VectorShuffle<Float> DOWN2 = FloatTranspose.DOWN2;
    private static final VectorShuffle<Float> DOWN3 = FloatTranspose.DOWN3;
    private static final VectorShuffle<Float> UP0 = FloatTranspose.UP0;
    private static final VectorShuffle<Float> UP1 = FloatTranspose.UP1;
    private static final VectorShuffle<Float> UP2 = FloatTranspose.UP2;
    private static final VectorShuffle<Float> UP3 = FloatTranspose.UP3;
    private static final VectorMask<Float> HIGH0 = FloatTranspose.HIGH0;
    private static final VectorMask<Float> HIGH1 = FloatTranspose.HIGH1;
    private static final VectorMask<Float> HIGH2 = FloatTranspose.HIGH2;
    private static final VectorMask<Float> HIGH3 = FloatTranspose.HIGH3;
    private static final VectorShuffle<Float> BIT_REVERSED = FloatTranspose.BIT_REVERSED;

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
        // Columns [0, cols) in panels of NR, the last of which may be narrower or, if WIDE, wider; [cols, n) thin.
        int thin = thinColumns(m, n);
        int cols = n - thin;
        int panels = panels(tb, cols);
        int aRs = ta ? 1 : k;
        int aCs = ta ? m : 1;
        int rowBlocks = (m + MR - 1) / MR;
        long work = (long) m * n * k;
        int threads = serial || work < MIN_PARALLEL_WORK ? 1 : Parallel.threads();
        boolean alone = threads == 1 || rowBlocks * panels == 1 && thin == 0;
        boolean byRows = byRows(tb, m, n, threads, rowBlocks, panels);
        // A transposed B is packed whole before the product, unless the threads split the panels: then each packs
        // its own (packing dout·Wᵀ's B on one thread costs about as much as the product on two).
        boolean packByTask = tb && !alone && !byRows;
        float[] packed = packByTask ? scratch(panels * k * NR) : pack(tb, n, cols, k, b, bOff, panels);
        if (alone) {
            rowBand(0, m, ta, tb, m, n, cols, k, panels, a, aOff, aRs, aCs, b, bOff, packed, c, cOff,
                    accumulate, bias, biasOff);
            return;
        }
        Task task = TASK.get();
        if (task.busy) {
            task = new Task();
        }
        task.busy = true;
        try {
            task.set(ta, tb, m, n, cols, k, a, aOff, aRs, aCs, b, bOff, packed, c, cOff, accumulate, bias,
                    biasOff);
            task.packByTask = packByTask;
            task.byRows = byRows;
            task.rowBlocks = rowBlocks;
            task.panels = panels;
            task.tasks = Math.min(task.byRows ? rowBlocks : panels, threads);
            Parallel.forEach(task.tasks, task);
        } finally {
            task.clear();
        }
    }

    /**
     * Whether a product's threads split its rows rather than its panels (which decides nothing but who computes
     * which tiles: every element is computed the same way either way).
     * <ul>
     * <li>Rows, when each thread's band is tall enough to pack A and B as a whole product would, and, for a transposed
     *     B, when B is packed once before the split for less than each thread would pack of A in a split of panels.
     *     Split by panels, a tall product has every thread read all of A and write into every row of C, the
     *     threads' columns meeting within a cache line of each row: a convolution's 57,600×30 output on AVX2 is
     *     16 and 14 columns, one panel each, and its threads would contend for every line of C.
     * <li>Panels, when the rows are too few for two bands that pack (128 rows, 1,024 columns): then each thread
     *     takes all the rows and half the panels, and packs; in place, a band's panels of B are read rows of B
     *     apart, 4 KiB for 1,024 columns, and miss in L1.
     * <li>Otherwise as the products were first split: panels for a transposed B (each thread packing its own),
     *     rows when there are enough row blocks.
     * </ul>
     */
    private static boolean byRows(boolean tb, int m, int n, int threads, int rowBlocks, int panels) {
        boolean rowsPack = m / threads >= PACK_MIN_ROWS;
        if (rowBlocks >= threads && rowsPack && (!tb || 2L * m >= n)) {
            return true;
        }
        if (!tb && rowBlocks >= threads && !rowsPack && m >= PACK_MIN_ROWS
                && panels >= threads * PACK_A_MIN_PANELS) {
            return false;
        }
        return !(tb && panels >= threads) && (rowBlocks >= threads || rowBlocks >= panels);
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
        private boolean ta;
        private boolean tb;
        private int m;
        private int n;
        private int cols;
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

        void set(boolean ta, boolean tb, int m, int n, int cols, int k, float[] a, int aOff, int aRs, int aCs,
                 float[] b, int bOff, float[] packed, float[] c, int cOff, boolean accumulate,
                 float[] bias, int biasOff) {
            this.ta = ta;
            this.tb = tb;
            this.m = m;
            this.n = n;
            this.cols = cols;
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
                rowBand(i0, i1, ta, tb, m, n, cols, k, panels, a, aOff, aRs, aCs, b, bOff, packed, c, cOff,
                        accumulate, bias, biasOff);
            } else {
                int jp0 = panels * t / tasks;
                int jp1 = panels * (t + 1) / tasks;
                if (packByTask) {
                    packTransposed(jp0, jp1, cols, k, b, bOff, packed);
                }
                tiles(0, m, jp0, jp1, panels, tb, m, n, cols, k, a, aOff, aRs, aCs, b, bOff, packed, c, cOff,
                        accumulate, bias, biasOff);
                if (t == tasks - 1) {
                    thin(0, m, ta, tb, m, n, cols, k, a, aOff, b, bOff, packThin(ta, tb, n, cols, k, b, bOff), c, cOff,
                            accumulate, bias, biasOff);
                }
            }
        }
    }

    /**
     * Rows [i0, i1) of C, all panels and the thin columns. Where the thin columns follow panels whose tiles read A
     * in place, in blocks of rows each through the panels and then the thin columns, so that the thin columns'
     * second pass over A finds the block's rows in L2 (a thousand rows of 784, batch inference's first product, are
     * more than L2 holds; then that pass read all of A again from memory). Every element is computed as with the
     * band in one block (see {@link #tiles} and {@link #thin}).
     */
    private static void rowBand(int i0, int i1, boolean ta, boolean tb, int m, int n, int cols, int k, int panels,
                                float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, float[] packed,
                                float[] c, int cOff, boolean accumulate, float[] bias, int biasOff) {
        int step = cols < n && fewPanels(panels, cols)
                ? Math.max(SHORT_ROWS, THIN_BLOCK_FLOATS / k / SHORT_ROWS * SHORT_ROWS) : i1 - i0;
        float[] thinB = null;
        for (int ib = i0, ie; ib < i1; ib = ie) {
            ie = i1 - ib <= step ? i1 : ib + step;
            tiles(ib, ie, 0, panels, panels, tb, m, n, cols, k, a, aOff, aRs, aCs, b, bOff, packed, c, cOff,
                    accumulate, bias, biasOff);
            if (ib == i0) {
                thinB = packThin(ta, tb, n, cols, k, b, bOff);
            }
            thin(ib, ie, ta, tb, m, n, cols, k, a, aOff, b, bOff, thinB, c, cOff, accumulate, bias, biasOff);
        }
    }

    /**
     * Packs B's columns {@code [0, cols)} where they cannot be read in place: all of a transposed B (stored n×k) into
     * k×NR panels, or only the last, partial panel of a row-major B; zero-padded to NR columns. Returns null when
     * nothing needs packing.
     */
    private static float[] pack(boolean tb, int n, int cols, int k, float[] b, int bOff, int panels) {
        if (tb) {
            float[] packed = scratch(panels * k * NR);
            packTransposed(0, panels, cols, k, b, bOff, packed);
            return packed;
        }
        if (panels == 0) {
            return null;
        }
        int j0 = (panels - 1) * NR;
        int w = cols - j0;
        int lw = loadWidth(w);
        if (w == lw) {
            return null;
        }
        int safe = inPlaceRows(n, k, j0, w);
        float[] packed = scratch((k - safe) * lw);
        for (int p = safe; p < k; p++) {
            System.arraycopy(b, bOff + p * n + j0, packed, (p - safe) * lw, w);
            Arrays.fill(packed, (p - safe) * lw + w, (p - safe + 1) * lw, 0f);
        }
        return packed;
    }

    /**
     * Packs panels {@code [jp0, jp1)} of a transposed B (stored n×k, of which the panels hold the first {@code cols}
     * columns) into {@code packed}, each k×NR.
     */
    private static void packTransposed(int jp0, int jp1, int cols, int k, float[] b, int bOff, float[] packed) {
        // Blocks of L columns by L steps transposed in registers, the rest one float at a time.
        int kBlocks = FloatTranspose.SUPPORTED ? k / L * L : 0;
        for (int jp = jp0; jp < jp1; jp++) {
            int j0 = jp * NR;
            int w = Math.min(NR, cols - j0);
            int base = jp * k * NR;
            int wBlocks = kBlocks > 0 ? w / L * L : 0;
            for (int jj = 0; jj < wBlocks; jj += L) {
                int src = bOff + (j0 + jj) * k;
                for (int p = 0; p < kBlocks; p += L) {
                    FloatTranspose.block(b, src + p, k, packed, base + p * NR + jj, NR);
                }
                for (int j = jj; j < jj + L; j++) {
                    int from = bOff + (j0 + j) * k;
                    for (int p = kBlocks; p < k; p++) {
                        packed[base + p * NR + j] = b[from + p];
                    }
                }
            }
            for (int jj = wBlocks; jj < w; jj++) {
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
     * How many leading rows of the last, partial panel of a row-major B (columns {@code j0 …}, {@code width} of them)
     * can be read in place: a load of such a row ({@link #loadWidth}) may run past the panel into the next row, whose
     * values land in tile columns that {@link #merge} never stores, but must stay inside the matrix. The remaining
     * rows are packed. Worth it when B is long (packing it would copy as much as the product reads); a B of one
     * k-block is packed.
     */
    static int inPlaceRows(int n, int k, int j0, int width) {
        if (k <= KC) {
            return 0; // a short B is cheaper to pack whole than to visit twice per tile
        }
        long last = (long) k * n - j0 - loadWidth(width);
        return last < 0 ? 0 : (int) Math.min(k, last / n + 1);
    }

    /**
     * How many panels cover a product's first {@code cols} columns: NR columns each, the last narrower, or with
     * {@link #WIDE} and a row-major B up to NR + L (a last panel of at most L columns joins the one before).
     */
    private static int panels(boolean tb, int cols) {
        int full = cols / NR;
        int rest = cols - full * NR;
        boolean wideLast = WIDE && !tb && full > 0 && rest > 0 && rest <= L;
        return full + (rest > 0 && !wideLast ? 1 : 0);
    }

    /**
     * Whether a product's panels two vectors wide (a wide last one aside) are fewer than {@link #PACK_A_MIN_PANELS}:
     * then no band packs A, and every tile reads it in place, however the threads split the product.
     */
    private static boolean fewPanels(int panels, int cols) {
        return panels - (wideLast(panels, cols) ? 1 : 0) < PACK_A_MIN_PANELS;
    }

    /** Whether the last of the {@code panels} panels covering {@code cols} columns is three vectors wide. */
    private static boolean wideLast(int panels, int cols) {
        return panels > 0 && cols - (panels - 1) * NR > NR;
    }

    /**
     * Steps per block of the shared dimension, each block a chain of multiply-adds from zero added to C in turn: KC,
     * but for a product of few panels ({@link #fewPanels}), which sums up to {@link #UNBLOCKED_STEPS} steps in one
     * chain. Blocks keep a panel of B in L1 while a packed A's rows pass; with few panels A is read in place, a panel
     * three vectors wide of KC steps (48 KiB) is as large as L1 anyway, and each block's sums cost a pass of their own
     * over every tile of C (784 steps, a layer's 28×28 inputs, are three blocks and a last one of 16 steps): the book's
     * {@code x·W} (100×50×784) and batch inference's 1000×50×784 ran about a tenth and a twentieth faster in one chain.
     */
    private static int blockSteps(boolean fewPanels, int k) {
        return fewPanels && k <= UNBLOCKED_STEPS ? Math.max(k, 1) : KC;
    }

    /**
     * {@link #blockSteps} of {@code C = A·B}, A {@code m × k} and B {@code k × n}, B row-major: for kernels that
     * compute a product's sums themselves, in the same blocks.
     */
    static int blockSteps(int m, int n, int k) {
        int cols = n - thinColumns(m, n);
        return blockSteps(fewPanels(panels(false, cols), cols), k);
    }

    /**
     * How many of the last columns of an {@code m × n} product are computed by {@link #thin}, as dot products of
     * {@link #CHUNK} partial sums, rather than in the panels.
     */
    static int thinColumns(int m, int n) {
        return n % CHUNK <= THIN && m >= THIN_MIN_ROWS ? n % CHUNK : 0;
    }

    /**
     * How {@code C = A·B} (A {@code m × k}, B {@code k × n}, both row-major, C overwritten) sums each element, on any
     * number of threads, for kernels that compute the same sums without calling this class: 0 when every element is one
     * chain of multiply-adds per block of {@link #KC} steps, in order from zero, the blocks added to C in order; a
     * positive step {@code s} when, besides, the columns of the partial last panel (from {@code n / NR · NR}) sum the
     * block that holds step {@code s} as two such chains, over the steps before {@code s} (read in place) and from it
     * (packed), added to C one after the other, as {@link #blocks} does (when {@code s} falls on a block's start or
     * past the end, nothing is cut); −1 when some elements are summed otherwise: thin columns, a lone last row (and,
     * to stay clear of it on both widths, any row count of {@code 4·j + 1}), a partial panel three vectors wide,
     * enough rows for a band that may read a packed A and sum its partial panel in one chain, or blocks longer than KC
     * ({@link #blockSteps}).
     */
    static int chainSplit(int m, int n, int k) {
        int rest = n % NR;
        if (m % 4 == 1 || thinColumns(m, n) > 0 || blockSteps(m, n, k) > KC) {
            return -1;
        }
        if (rest == 0 || WIDE && n > NR && rest == L) {
            return 0;
        }
        if (WIDE && n > NR && rest < L || m >= PACK_MIN_ROWS) {
            return -1;
        }
        int j0 = n - rest;
        return inPlaceRows(n, k, j0, rest);
    }

    /**
     * {@code out[outOff + c·ldo + r] = a[aOff + r·lda + c]} for {@code r < rows}, {@code c < cols}: a block of a
     * row-major matrix, transposed; blocks of a vector's lanes in registers ({@link FloatTranspose}), the rest one float
     * at a time. The values are only moved.
     */
    static void transpose(int rows, int cols, float[] a, int aOff, int lda, float[] out, int outOff, int ldo) {
        int rBlocks = FloatTranspose.SUPPORTED ? rows / L * L : 0;
        int cBlocks = FloatTranspose.SUPPORTED ? cols / L * L : 0;
        for (int r = 0; r < rBlocks; r += L) {
            for (int c = 0; c < cBlocks; c += L) {
                FloatTranspose.block(a, aOff + r * lda + c, lda, out, outOff + c * ldo + r, ldo);
            }
            for (int rr = r; rr < r + L; rr++) {
                for (int c = cBlocks; c < cols; c++) {
                    out[outOff + c * ldo + rr] = a[aOff + rr * lda + c];
                }
            }
        }
        for (int r = rBlocks; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[outOff + c * ldo + r] = a[aOff + r * lda + c];
            }
        }
    }

    /** The columns a panel of {@code width} columns loads per row of B: two vectors, or three for a wide one. */
    private static int loadWidth(int width) {
        return width <= NR ? NR : 3 * L;
    }

    /**
     * B's thin columns {@code [cols, n)} for {@link #thin}, each copied into k consecutive floats, where A and B are
     * both row-major (null otherwise: a transposed B's columns are its rows, and a transposed A takes B's columns one
     * float a step). Each thread packs its own copy once its first tiles have read B's rows: those may have just been
     * written by the other core (the SGD update is split over the threads), and a copy made on the calling thread
     * before the split read half of them from there, while the other threads waited.
     */
    private static float[] packThin(boolean ta, boolean tb, int n, int cols, int k, float[] b, int bOff) {
        int thin = n - cols;
        if (thin == 0 || ta || tb) {
            return null;
        }
        float[] packed = scratch(THIN_SCRATCH, thin * k);
        // A column at a time, in a loop C2 runs at about a nanosecond a float; with the columns in the inner loop,
        // its code took several, a tenth of a two-thread x·W of 100×50×784.
        for (int j = 0; j < thin; j++) {
            for (int p = 0, at = j * k, from = bOff + cols + j; p < k; p++, at++, from += n) {
                packed[at] = b[from];
            }
        }
        return packed;
    }

    /** A scratch array of the calling thread, grown as needed and reused, so steady-state products allocate nothing. */
    private static float[] scratch(int size) {
        return scratch(SCRATCH, size);
    }

    /** The calling thread's array in {@code holder}, grown to at least {@code size} floats if it is shorter. */
    private static float[] scratch(ThreadLocal<float[]> holder, int size) {
        float[] s = holder.get();
        if (s.length < size) {
            s = new float[size];
            holder.set(s);
        }
        return s;
    }

    /**
     * Computes rows [i0, i1) × panels [jp0, jp1) of C, whose {@code panels} panels cover its first {@code cols}
     * columns, NR each but the last (narrower, or with WIDE up to NR + L).
     */
    private static void tiles(int i0, int i1, int jp0, int jp1, int panels, boolean tb, int m, int n, int cols, int k,
                              float[] a, int aOff, int aRs, int aCs, float[] b, int bOff, float[] packed, float[] c,
                              int cOff, boolean accumulate, float[] bias, int biasOff) {
        float[] tile = TILE.get();
        boolean lone = i1 == m && m % LONE == 1;
        // Panels two vectors wide, whose tiles take MR rows: those that can read a packed A.
        int narrow = jp1 - jp0 - (jp1 == panels && wideLast(panels, cols) ? 1 : 0);
        // Whether the whole product on one thread reads a packed A, whose blocks sum a partial last panel in one chain.
        boolean oneChain = m >= PACK_MIN_ROWS && !fewPanels(panels, cols);
        if (i1 - i0 < PACK_MIN_ROWS || narrow < PACK_A_MIN_PANELS) {
            // A tall band of a short product in blocks of rows, each block through all its panels before the next:
            // a block's rows of A stay in L1 from one panel to the next, and each line of C is written in one visit,
            // where panel after panel over the whole band would read A and C from L3 once per panel (the im2col
            // product: 57,600 rows of 25 steps, in two panels on AVX2). Only where B's panels are as small as a
            // block of A, so that they stay in L1 too (otherwise each panel's pass over the rows keeps it there).
            // Blocks of a multiple of every tile's height.
            boolean smallB = k <= KC && (long) k * (jp1 - jp0) * NR <= SHORT_FLOATS;
            int step = smallB && jp1 - jp0 > 1 ? Math.max(SHORT_ROWS, SHORT_FLOATS / k / SHORT_ROWS * SHORT_ROWS)
                    : i1 - i0;
            for (int ib = i0, ie; ib < i1; ib = ie) {
                ie = i1 - ib <= step ? i1 : ib + step;
                blocks(ib, ie, lone && ie == i1, oneChain, jp0, jp1, panels, tb, n, cols, k, a, aOff, aRs, aCs, b,
                        bOff, packed, null, tile, c, cOff, accumulate, bias, biasOff);
            }
            return;
        }
        // Blocks of MC rows (a multiple of MR, so the tiles are those of the whole band), each block's rows of A
        // packed once per block of the shared dimension and read by every panel.
        float[] packedA = PACKED_A.get();
        for (int ib = i0, ie; ib < i1; ib = ie) {
            // A last block of a few rows joins the one before: a block of its own would pack every panel of B again
            // for a tile or two (a band of 514 rows on AVX2, whose blocks are 510 rows).
            ie = i1 - ib <= MC + MC_TAIL ? i1 : ib + MC;
            if (MR == 8 && k > KC && !tb) {
                chainedBlocks(ib, ie, lone && ie == i1, oneChain, jp0, jp1, panels, n, cols, k, a, aOff, aRs, aCs,
                        b, bOff, packed, packedA, tile, c, cOff, accumulate, bias, biasOff);
            } else {
                blocks(ib, ie, lone && ie == i1, oneChain, jp0, jp1, panels, tb, n, cols, k, a, aOff, aRs, aCs, b,
                        bOff, packed, packedA, tile, c, cOff, accumulate, bias, biasOff);
            }
        }
    }

    /**
     * {@link #blocks} for a product of more than one block of the shared dimension, with each whole tile's blocks
     * summed one after another: the panels two vectors wide over the rows in whole tiles. {@link #blocks} goes
     * through every tile of C once per block of KC steps, adding each block's sums to C; a band of C is more than L2
     * holds (512 rows of 1,024 columns: 2 MiB), so each tile's rows come back from L3, and the loads that add to
     * them wait on that after each block's loop. Here a tile's running sum stays in the scratch tile, in L1, from
     * one block to the next, and only its last block stores into C: the same sums added in the same order, so the
     * same bits. For that, A's rows are packed for up to {@link #CHAIN_STEPS} steps at a time and a panel of B for as
     * many. Only for a row-major B and 8-row tiles: with a transposed B (a layer's {@code dout·Wᵀ}, whose threads
     * split the panels of 128 rows) it was no faster, and for some shapes slower; so it was with AVX2's 6-row tiles.
     * The rows past the whole tiles and a partial or wide last panel go through {@link #blocks} as before, but for
     * the last panel's spill ({@link #mergeWhole}), which the first panel's stores would now not follow.
     */
    private static void chainedBlocks(int i0, int i1, boolean lone, boolean oneChain, int jp0, int jp1, int panels,
                                      int n, int cols, int k, float[] a, int aOff, int aRs, int aCs, float[] b,
                                      int bOff, float[] packed, float[] packedA, float[] tile, float[] c, int cOff,
                                      boolean accumulate, float[] bias, int biasOff) {
        int jc = jp1 == panels && cols - (panels - 1) * NR != NR ? jp1 - 1 : jp1;
        int iw = i0 + ((lone ? i1 - 1 : i1) - i0) / MR * MR;
        if (jc < jp1) {
            blocks(i0, i1, lone, oneChain, jc, jp1, panels, false, n, cols, k, a, aOff, aRs, aCs, b, bOff, packed,
                    packedA, tile, c, cOff, accumulate, bias, biasOff);
        }
        if (iw < i1 && jp0 < jc) {
            blocks(iw, i1, lone, oneChain, jp0, jc, panels, false, n, cols, k, a, aOff, aRs, aCs, b, bOff, packed,
                    packedA, tile, c, cOff, accumulate, bias, biasOff);
        }
        int rows = iw - i0;
        if (rows == 0 || jp0 == jc) {
            return;
        }
        float[] chainA = scratch(CHAIN_A, rows * Math.min(k, CHAIN_STEPS));
        float[] chainB = CHAIN_B.get();
        for (int q0 = 0; q0 < k; q0 += CHAIN_STEPS) {
            int q1 = Math.min(k, q0 + CHAIN_STEPS);
            for (int p0 = q0; p0 < q1; p0 += KC) {
                packA(i0, iw, p0, Math.min(KC, q1 - p0), a, aOff, aRs, aCs, chainA, rows * (p0 - q0));
            }
            for (int jp = jp0; jp < jc; jp++) {
                int j0 = jp * NR;
                packPanel(q1 - q0, NR, b, bOff + q0 * n + j0, n, chainB);
                for (int i = i0; i < iw; i += MR) {
                    int cPos = cOff + i * n + j0;
                    for (int p0 = q0; p0 < q1; p0 += KC) {
                        int kc = Math.min(KC, q1 - p0);
                        int aPos = rows * (p0 - q0) + (i - i0) * kc;
                        boolean last = p0 + kc == q1;
                        // What the block's sums add to: the blocks before (in the scratch tile), C (accumulating,
                        // or after an earlier span), the biases (one row for all: rows 0 apart), or nothing.
                        boolean inTile = p0 > q0;
                        boolean fromC = !inTile && (accumulate || q0 > 0);
                        float[] src = inTile ? tile : fromC ? c : bias;
                        int srcPos = inTile ? 0 : fromC ? cPos : biasOff + j0;
                        int srcLd = inTile ? TW : fromC ? n : 0;
                        kernel8Packed(kc, chainA, aPos, chainB, (p0 - q0) * NR, src, srcPos, srcLd, last ? c : tile,
                                last ? cPos : 0, last ? n : TW);
                    }
                }
            }
        }
    }

    /**
     * {@link #tiles} for rows [i0, i1), the last of them computed alone ({@link #LONE}) when {@code lone}, a partial
     * last panel summed in one chain per block when {@code oneChain} (see below); with
     * {@code packedA} (room for MC + MC_TAIL rows of a block of the shared dimension), A's rows are packed into it by
     * {@link #packA} for the panels two vectors wide. The blocks are {@link #blockSteps} long.
     */
    private static void blocks(int i0, int i1, boolean lone, boolean oneChain, int jp0, int jp1, int panels,
                               boolean tb, int n, int cols, int k, float[] a, int aOff, int aRs, int aCs, float[] b, int bOff,
                               float[] packed, float[] packedA, float[] tile, float[] c, int cOff, boolean accumulate,
                               float[] bias, int biasOff) {
        int steps = blockSteps(fewPanels(panels, cols), k);
        for (int p0 = 0; p0 < k; p0 += steps) {
            int kc = Math.min(steps, k - p0);
            boolean add = accumulate || p0 > 0;
            if (packedA != null) {
                packA(i0, i1, p0, kc, a, aOff, aRs, aCs, packedA, 0);
            }
            // The last panel first, when it ends C's rows in a partial vector and this band has the first panel
            // too: its rows' last vector may then be stored whole, its surplus lanes running on into the next row's
            // first columns, which the first panel stores afterwards (see mergeWhole).
            boolean lastFirst = jp0 == 0 && jp1 == panels && panels > 1 && cols == n && cols % L != 0;
            for (int q = 0; q < jp1 - jp0; q++) {
                int jp = lastFirst ? (q == 0 ? jp1 - 1 : q - 1) : jp0 + q;
                int j0 = jp * NR;
                int cPos = cOff + j0;
                int width = jp == panels - 1 ? cols - j0 : NR;
                int lw = loadWidth(width);
                boolean spills = width % L != 0 && (width == n || lastFirst && jp == panels - 1);
                if (packedA != null && width <= NR) {
                    float[] bp;
                    int bPos;
                    int bStride;
                    if (tb) {
                        bp = packed;
                        bPos = jp * k * NR + p0 * NR;
                        bStride = NR;
                    } else if (width == lw) {
                        bp = PANEL.get();
                        packPanel(kc, lw, b, bOff + p0 * n + j0, n, bp);
                        bPos = 0;
                        bStride = lw;
                    } else {
                        // The partial last panel, zero-padded: the packed rows of B past the in-place ones.
                        bp = PANEL.get();
                        packPartial(p0, kc, n, k, j0, width, b, bOff, packed, bp);
                        bPos = 0;
                        bStride = lw;
                    }
                    bandPackedA(i0, i1, lone, kc, packedA, bp, bPos, bStride, tile, c, cPos, n, width, spills, add,
                            bias, biasOff + j0);
                } else if (tb) {
                    band(i0, i1, lone, p0, kc, a, aOff, aRs, aCs, packed, jp * k * NR + p0 * NR, NR, tile, c, cPos, n,
                            width, spills, add, bias, biasOff + j0);
                } else if (width == lw) {
                    band(i0, i1, lone, p0, kc, a, aOff, aRs, aCs, b, bOff + p0 * n + j0, n, tile, c, cPos, n, width,
                            spills, add, bias, biasOff + j0);
                } else {
                    // The partial last panel: rows read in place while a full-width load stays in B, the rest packed.
                    // A product whose tiles would read a packed A on one thread sums a narrow panel as that path
                    // does, each block one chain of multiply-adds, however its rows fall to the threads; any other
                    // product, and a wide panel, sums the two parts of a block apart and adds them, as on one thread.
                    int safe = inPlaceRows(n, k, j0, width);
                    int split = Math.max(p0, Math.min(p0 + kc, safe));
                    if (oneChain && width <= NR && split > p0 && split < p0 + kc) {
                        float[] bp = PANEL.get();
                        packPartial(p0, kc, n, k, j0, width, b, bOff, packed, bp);
                        band(i0, i1, lone, p0, kc, a, aOff, aRs, aCs, bp, 0, lw, tile, c, cPos, n, width, spills, add,
                                bias, biasOff + j0);
                        continue;
                    }
                    if (split > p0) {
                        band(i0, i1, lone, p0, split - p0, a, aOff, aRs, aCs, b, bOff + p0 * n + j0, n, tile, c,
                                cPos, n, width, spills, add, bias, biasOff + j0);
                    }
                    if (split < p0 + kc) {
                        band(i0, i1, lone, split, p0 + kc - split, a, aOff, aRs, aCs, packed, (split - safe) * lw, lw,
                                tile, c, cPos, n, width, spills, add || split > p0, bias, biasOff + j0);
                    }
                }
            }
        }
    }

    /**
     * Rows [i0, i1) of A over the shared dimension [p0, p0 + kc), packed for {@link #bandPackedA}: tile after tile of
     * MR rows, each step of the shared dimension holding the tile's rows side by side. A tile's broadcasts then read
     * one cache line a step, where in place they read MR rows of A a row apart (4 KiB apart for a k of 1024, all in
     * one set of the L1 cache).
     */
    private static void packA(int i0, int i1, int p0, int kc, float[] a, int aOff, int aRs, int aCs,
                              float[] packedA, int at) {
        int i = i0;
        if (PACK_A_BLOCKS && aCs == 1 && kc >= L) {
            // One float at a time, packing took a third of the time of a product with few panels to share it (four,
            // for 128 columns). So two tiles at a time, 16 steps at a time: the block of their 16 rows is transposed
            // in registers, and each of its rows (one step) holds the first tile's 8 rows and then the second's; two
            // steps' rows go into one vector per tile, their halves exchanged by a rotation (not as vectors of half
            // the width, which C2 on JDK 17 left in the Vector API's slow fallback here).
            float[] block = A_BLOCK.get();
            int steps = kc / L * L;
            for (; i + 2 * MR <= i1; i += 2 * MR) {
                int dst = at + (i - i0) * kc;
                int dst2 = dst + MR * kc;
                int src = aOff + i * aRs + p0;
                for (int p = 0; p < steps; p += L) {
                    FloatTranspose.block(a, src + p, aRs, block, 0, L);
                    for (int q = 0; q < L; q += 2) {
                        FloatVector s0 = FloatVector.fromArray(S, block, q * L);
                        FloatVector s1 = FloatVector.fromArray(S, block, (q + 1) * L);
                        s0.blend(s1.rearrange(DOWN3), HIGH3).intoArray(packedA, dst + (p + q) * MR);
                        s0.rearrange(DOWN3).blend(s1, HIGH3).intoArray(packedA, dst2 + (p + q) * MR);
                    }
                }
                packSteps(a, src, aRs, 1, MR, steps, kc, packedA, dst);
                packSteps(a, src + MR * aRs, aRs, 1, MR, steps, kc, packedA, dst2);
            }
        }
        for (; i < i1; i += MR) {
            int rows = Math.min(MR, i1 - i);
            int dst = at + (i - i0) * kc;
            if (aRs == 1) {
                // A transposed: a tile's rows at one step lie side by side in A too, and are copied step by step. Row
                // by row, each step's read would be a row of A away from the last, in another line every time.
                int src = aOff + i + p0 * aCs;
                for (int p = 0; p < kc; p++) {
                    int from = src + p * aCs;
                    int to = dst + p * MR;
                    for (int r = 0; r < rows; r++) {
                        packedA[to + r] = a[from + r];
                    }
                }
                continue;
            }
            packSteps(a, aOff + i * aRs + p0 * aCs, aRs, aCs, rows, 0, kc, packedA, dst);
        }
    }

    /**
     * Steps [from, to) of a tile's {@code rows} rows of A ({@code a[src]} its first row's step 0, rows {@code aRs} and
     * steps {@code aCs} apart) into the tile at {@code packedA[dst]}, one float at a time, a row at a time.
     */
    private static void packSteps(float[] a, int src, int aRs, int aCs, int rows, int from, int to, float[] packedA,
                                  int dst) {
        for (int r = 0; r < rows; r++) {
            int row = src + r * aRs;
            for (int p = from; p < to; p++) {
                packedA[dst + p * MR + r] = a[row + p * aCs];
            }
        }
    }

    /**
     * The rows [p0, p0 + kc) of the partial last panel of a row-major B (columns {@code j0 …}, {@code width} of
     * them), zero-padded to a load's width, into {@code panel}: from B where the rows can be read in place, from
     * {@code packed} (see {@link #pack}) past them. The padding meets columns of the tile that are not stored.
     */
    private static void packPartial(int p0, int kc, int n, int k, int j0, int width, float[] b, int bOff,
                                    float[] packed, float[] panel) {
        int lw = loadWidth(width);
        int safe = inPlaceRows(n, k, j0, width);
        for (int p = p0; p < p0 + kc; p++) {
            int dst = (p - p0) * lw;
            if (p < safe) {
                System.arraycopy(b, bOff + p * n + j0, panel, dst, width);
                Arrays.fill(panel, dst + width, dst + lw, 0f);
            } else {
                System.arraycopy(packed, (p - safe) * lw, panel, dst, lw);
            }
        }
    }

    /**
     * {@link #band} for a panel two vectors wide with A packed by {@link #packA} (rows [i0, i1), the block's kc steps):
     * the same kernels for the same rows as {@link #band} would pick, so the same bits.
     */
    private static void bandPackedA(int i0, int i1, boolean lone, int kc, float[] packedA, float[] bp, int bPos,
                                    int bStride,
                                    float[] tile, float[] c, int cPos, int ldc, int width, boolean spills,
                                    boolean add, float[] bias, int biasPos) {
        int end = lone ? i1 - 1 : i1;
        int reach = spills ? spillReach(width, ldc) : 0;
        float[] lastBias = spills && !add && bias != null ? lastBias(bias, biasPos, width) : null;
        for (int i = i0; i < i1; ) {
            int rows = i < end ? Math.min(MR, end - i) : 1;
            // A tile's rows lie MR apart in packedA, each step's side by side; rows past it are packed like the rest.
            int aPos = (i - i0) / MR * MR * kc + (i - i0) % MR;
            if (i == end) {
                kernel1(kc, packedA, aPos, MR, bp, bPos, bStride, tile);
            } else if (rows == MR && width == NR && (add || bias == null)) {
                // A whole tile goes from the registers into C: through the tile, each of its vectors would be
                // stored, loaded again and only then added, once per block of the shared dimension.
                if (MR == 8) {
                    kernel8Packed(kc, packedA, aPos, bp, bPos, add ? c : null, cPos + i * ldc, ldc, c, cPos + i * ldc,
                            ldc);
                } else {
                    kernel6Packed(kc, rows, packedA, aPos, bp, bPos, c, cPos + i * ldc, ldc, add);
                }
                i += rows;
                continue;
            } else if (rows > 4 && MR == 8) {
                kernel8Packed(kc, packedA, aPos, bp, bPos, null, 0, 0, tile, 0, TW);
            } else if (rows > 4) {
                kernel6Packed(kc, rows, packedA, aPos, bp, bPos, tile, 0, TW, false);
            } else {
                kernel4Packed(kc, rows, packedA, aPos, bp, bPos, tile);
            }
            if (!add && spills) {
                mergeWhole(tile, rows, Math.max(0, Math.min(rows, i1 - i - reach)), width, c, cPos + i * ldc, ldc,
                        bias, biasPos, lastBias);
            } else {
                merge(tile, 0, rows, width, c, cPos + i * ldc, ldc, add, add ? null : bias, biasPos);
            }
            i += rows;
        }
    }

    /**
     * Copies {@code kc} rows of {@code width} floats of a row-major B, {@code stride} apart from {@code b[from]}, into
     * consecutive rows of {@code panel}. Read in place, a panel's rows lie a row of B apart, and where that is a
     * multiple of 4 KiB (B 1024 columns wide) they all fall in the same few sets of the L1 cache, which holds only a
     * dozen of them: the panel would be read from L2 at every tile. Packed, it is one contiguous block that stays in
     * L1 while the band's tiles pass over it.
     */
    private static void packPanel(int kc, int width, float[] b, int from, int stride, float[] panel) {
        for (int p = 0; p < kc; p++) {
            int src = from + p * stride;
            int dst = p * width;
            for (int j = 0; j < width; j += L) {
                FloatVector.fromArray(S, b, src + j).intoArray(panel, dst + j);
            }
        }
    }

    /**
     * Rows [i0, i1) of one panel of C, over the shared dimension [p0, p0 + kc): B's row p0 at {@code bp[bPos]}, rows
     * {@code bStride} apart. The first {@code width} columns of each tile are stored, and with {@code spills} the rest
     * of their last vector too, as {@link #mergeWhole} says. A whole tile that C's elements start from (no bias, no
     * earlier block of the shared dimension to add to) goes from the registers into C: through the scratch tile,
     * each of its vectors would be stored, loaded again and stored once more, which in a short product (25 to 100
     * steps: a layer's backward, a convolution's im2col product) is not small beside the multiply-adds. So does a
     * tile of more than one vector's columns whose rows spill, when every row may ({@link #mergeWhole}): its rows
     * are stored in order, each overwriting the lanes the one before ran into. Only there: a form that also added
     * tiles into C, through a branch after the kernel's loop, made a training step slower.
     */
    private static void band(int i0, int i1, boolean lone, int p0, int kc, float[] a, int aOff, int aRs, int aCs,
                             float[] bp, int bPos, int bStride, float[] tile, float[] c, int cPos, int ldc,
                             int width, boolean spills, boolean add, float[] bias, int biasPos) {
        int step = width > NR ? 6 : MR;
        // The wide kernels sum every row in one chain; the lone row, if any, is for the narrow ones.
        int end = lone && width <= NR ? i1 - 1 : i1;
        int reach = spills ? spillReach(width, ldc) : 0;
        float[] lastBias = spills && !add && bias != null ? lastBias(bias, biasPos, width) : null;
        for (int i = i0; i < i1; ) {
            int rows = i < end ? Math.min(step, end - i) : 1;
            int aPos = aOff + i * aRs + p0 * aCs;
            if (width > NR) {
                // Fewer kernels for the JIT to compile at start-up: the last 2–5 rows take the 6-row kernel too.
                if (rows == 6 && width == TW && !add && bias == null) {
                    kernel6Wide(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, c, cPos + i * ldc, ldc);
                    i += rows;
                    continue;
                } else if (rows > 1) {
                    kernel6Wide(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile, 0, TW);
                } else {
                    kernel1Wide(kc, a, aPos, aCs, bp, bPos, bStride, tile);
                }
            } else if (i == end) {
                kernel1(kc, a, aPos, aCs, bp, bPos, bStride, tile);
            } else if (rows == MR && !add && bias == null
                    && (width == NR || spills && width > L && i1 - i - reach >= MR)) {
                if (MR == 8) {
                    kernel8(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, c, cPos + i * ldc, ldc);
                } else {
                    kernel6(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, c, cPos + i * ldc, ldc);
                }
                i += rows;
                continue;
            } else if (MR == 8 && width <= L) {
                kernel8Narrow(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile);
            } else if (rows > 4 && MR == 8) {
                kernel8(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile, 0, TW);
            } else if (rows > 4) {
                kernel6(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile, 0, TW);
            } else {
                kernel4(kc, rows, a, aPos, aRs, aCs, bp, bPos, bStride, tile);
            }
            if (!add && spills) {
                mergeWhole(tile, rows, Math.max(0, Math.min(rows, i1 - i - reach)), width, c, cPos + i * ldc, ldc,
                        bias, biasPos, lastBias);
            } else {
                merge(tile, 0, rows, width, c, cPos + i * ldc, ldc, add, add ? null : bias, biasPos);
            }
            i += rows;
        }
    }

    /**
     * C[from..rows)[0..width) = tile's rows [from, rows) (+ bias[0..width) on each row when bias is not null), or +=
     * them when {@code add}; the tile has rows of TW floats, C's row 0 at cPos. Whole vectors first, then the columns
     * past the last one.
     */
    private static void merge(float[] tile, int from, int rows, int width, float[] c, int cPos, int ldc,
                              boolean add, float[] bias, int biasPos) {
        int whole = width / L * L;
        // Three loops rather than one with conditional vectors: a vector chosen by a condition is boxed by C2.
        if (add) {
            for (int r = from; r < rows; r++) {
                int at = cPos + r * ldc;
                for (int j = 0; j < whole; j += L) {
                    FloatVector.fromArray(S, tile, r * TW + j).add(FloatVector.fromArray(S, c, at + j))
                            .intoArray(c, at + j);
                }
            }
        } else if (bias != null) {
            for (int r = from; r < rows; r++) {
                int at = cPos + r * ldc;
                for (int j = 0; j < whole; j += L) {
                    FloatVector.fromArray(S, tile, r * TW + j).add(FloatVector.fromArray(S, bias, biasPos + j))
                            .intoArray(c, at + j);
                }
            }
        } else {
            for (int r = from; r < rows; r++) {
                int at = cPos + r * ldc;
                for (int j = 0; j < whole; j += L) {
                    FloatVector.fromArray(S, tile, r * TW + j).intoArray(c, at + j);
                }
            }
        }
        if (whole < width) {
            for (int r = from; r < rows; r++) {
                int t = r * TW;
                int at = cPos + r * ldc;
                for (int j = whole; j < width; j++) {
                    float v = tile[t + j];
                    c[at + j] = add ? c[at + j] + v : bias == null ? v : v + bias[biasPos + j];
                }
            }
        }
    }

    /**
     * {@link #merge} without {@code add} for a tile whose rows end C's rows, in a partial vector: a tile of C's whole
     * rows ({@code width == ldc}), or of the last panel of a band that has the first panel too and stores it
     * afterwards ({@link #blocks}). The columns past the last whole vector are stored as one more vector, whose last
     * lanes run on into the next rows' first columns, for the first {@code spill} rows ({@link #spillReach}); those
     * rows are stored after it, by this call or the next tile's or the first panel's, and overwrite them. Where a
     * row's last columns would otherwise be stored one float at a time (a convolution's 30 filters: 14 of 30 columns
     * with AVX-512, 6 of the second panel's 14 with AVX2; a classifier's 10), this stores whole vectors. The other
     * rows are stored as {@link #merge} stores them. The biases of the last vector are read from {@code lastBias}
     * ({@link #lastBias}).
     */
    private static void mergeWhole(float[] tile, int rows, int spill, int width, float[] c, int cPos, int ldc,
                                   float[] bias, int biasPos, float[] lastBias) {
        int whole = width / L * L;
        if (bias == null) {
            for (int r = 0; r < spill; r++) {
                int at = cPos + r * ldc;
                for (int j = 0; j <= whole; j += L) {
                    FloatVector.fromArray(S, tile, r * TW + j).intoArray(c, at + j);
                }
            }
        } else if (spill > 0) {
            FloatVector last = FloatVector.fromArray(S, lastBias, lastBias == bias ? biasPos + whole : 0);
            for (int r = 0; r < spill; r++) {
                int at = cPos + r * ldc;
                for (int j = 0; j < whole; j += L) {
                    FloatVector.fromArray(S, tile, r * TW + j).add(FloatVector.fromArray(S, bias, biasPos + j))
                            .intoArray(c, at + j);
                }
                FloatVector.fromArray(S, tile, r * TW + whole).add(last).intoArray(c, at + whole);
            }
        }
        merge(tile, spill, rows, width, c, cPos, ldc, false, bias, biasPos);
    }

    /**
     * Where {@link #mergeWhole} reads the biases of a row's last, partial vector: {@code bias} itself, or, where the
     * bias ends within that vector (a classifier's 10 biases at the end of its network's parameters), a copy of them
     * from index 0. Once per band: copied for each tile, they were stored one float at a time just before a vector
     * load read them back.
     */
    private static float[] lastBias(float[] bias, int biasPos, int width) {
        int whole = width / L * L;
        if (bias.length >= biasPos + whole + L) {
            return bias;
        }
        float[] copy = BIAS_TAIL.get();
        System.arraycopy(bias, biasPos + whole, copy, 0, width - whole);
        return copy;
    }

    /**
     * How many rows after its own a row's last vector runs into, stored whole by {@link #mergeWhole}: a tile's rows
     * whose last vector ends in rows the band stores after them, all but the band's last {@code reach}, are stored
     * so. The last panel of a band that stores its first panel afterwards runs into the next row only; a panel of C's
     * whole rows ({@code width == ldc}) into as many as its last vector reaches: one with 30 columns, one with 10,
     * three with 5.
     */
    private static int spillReach(int width, int ldc) {
        return width == ldc ? (width / L * L + L - 1) / ldc : 1;
    }

    /**
     * {@link #kernel8} on a packed A ({@link #packA}: the tile's rows side by side, MR floats a step) and a panel of B
     * NR floats a row, the layout {@link #bandPackedA} always has. Its strides are constants here, where
     * {@link #kernel8} takes them as arguments: C2 then moves the bounds checks of every load out of the loop and needs
     * no multiplication per step, and the loop issues little besides its loads and multiply-adds. The tile goes to
     * {@code out}, rows {@code ldo} apart from {@code outPos}: into the scratch tile, or, for a whole tile, straight
     * into C. Unless {@code src} is null, it is first added to the tile at {@code src}, rows {@code srcLd} apart from
     * {@code srcPos}: C itself, the running sum of a tile's blocks ({@link #chainedBlocks}), or a bias row (0 apart). A
     * tile of fewer rows reads all 8 of its packed rows: those past the block's last row hold what an earlier block
     * left there, and their sums, which nothing else reads, are not merged. Its offsets are then constants, which keeps
     * the loop a little faster than rows clamped to the last.
     */
    private static void kernel8Packed(int kc, float[] a, int aPos, float[] bp, int bPos, float[] src, int srcPos,
                                      int srcLd, float[] out, int outPos, int ldo) {
        int a0 = aPos;
        int a1 = aPos + 1;
        int a2 = aPos + 2;
        int a3 = aPos + 3;
        int a4 = aPos + 4;
        int a5 = aPos + 5;
        int a6 = aPos + 6;
        int a7 = aPos + 7;
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
            int bRow = bPos + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bRow);
            FloatVector b1 = FloatVector.fromArray(S, bp, bRow + L);
            int ap = p * MR;
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
        if (src != null) {
            c00.add(FloatVector.fromArray(S, src, srcPos + 0 * srcLd + 0 * L)).intoArray(out, outPos + 0 * ldo + 0 * L);
            c01.add(FloatVector.fromArray(S, src, srcPos + 0 * srcLd + 1 * L)).intoArray(out, outPos + 0 * ldo + 1 * L);
            c10.add(FloatVector.fromArray(S, src, srcPos + 1 * srcLd + 0 * L)).intoArray(out, outPos + 1 * ldo + 0 * L);
            c11.add(FloatVector.fromArray(S, src, srcPos + 1 * srcLd + 1 * L)).intoArray(out, outPos + 1 * ldo + 1 * L);
            c20.add(FloatVector.fromArray(S, src, srcPos + 2 * srcLd + 0 * L)).intoArray(out, outPos + 2 * ldo + 0 * L);
            c21.add(FloatVector.fromArray(S, src, srcPos + 2 * srcLd + 1 * L)).intoArray(out, outPos + 2 * ldo + 1 * L);
            c30.add(FloatVector.fromArray(S, src, srcPos + 3 * srcLd + 0 * L)).intoArray(out, outPos + 3 * ldo + 0 * L);
            c31.add(FloatVector.fromArray(S, src, srcPos + 3 * srcLd + 1 * L)).intoArray(out, outPos + 3 * ldo + 1 * L);
            c40.add(FloatVector.fromArray(S, src, srcPos + 4 * srcLd + 0 * L)).intoArray(out, outPos + 4 * ldo + 0 * L);
            c41.add(FloatVector.fromArray(S, src, srcPos + 4 * srcLd + 1 * L)).intoArray(out, outPos + 4 * ldo + 1 * L);
            c50.add(FloatVector.fromArray(S, src, srcPos + 5 * srcLd + 0 * L)).intoArray(out, outPos + 5 * ldo + 0 * L);
            c51.add(FloatVector.fromArray(S, src, srcPos + 5 * srcLd + 1 * L)).intoArray(out, outPos + 5 * ldo + 1 * L);
            c60.add(FloatVector.fromArray(S, src, srcPos + 6 * srcLd + 0 * L)).intoArray(out, outPos + 6 * ldo + 0 * L);
            c61.add(FloatVector.fromArray(S, src, srcPos + 6 * srcLd + 1 * L)).intoArray(out, outPos + 6 * ldo + 1 * L);
            c70.add(FloatVector.fromArray(S, src, srcPos + 7 * srcLd + 0 * L)).intoArray(out, outPos + 7 * ldo + 0 * L);
            c71.add(FloatVector.fromArray(S, src, srcPos + 7 * srcLd + 1 * L)).intoArray(out, outPos + 7 * ldo + 1 * L);
        } else {
            c00.intoArray(out, outPos + 0 * ldo + 0 * L);
            c01.intoArray(out, outPos + 0 * ldo + 1 * L);
            c10.intoArray(out, outPos + 1 * ldo + 0 * L);
            c11.intoArray(out, outPos + 1 * ldo + 1 * L);
            c20.intoArray(out, outPos + 2 * ldo + 0 * L);
            c21.intoArray(out, outPos + 2 * ldo + 1 * L);
            c30.intoArray(out, outPos + 3 * ldo + 0 * L);
            c31.intoArray(out, outPos + 3 * ldo + 1 * L);
            c40.intoArray(out, outPos + 4 * ldo + 0 * L);
            c41.intoArray(out, outPos + 4 * ldo + 1 * L);
            c50.intoArray(out, outPos + 5 * ldo + 0 * L);
            c51.intoArray(out, outPos + 5 * ldo + 1 * L);
            c60.intoArray(out, outPos + 6 * ldo + 0 * L);
            c61.intoArray(out, outPos + 6 * ldo + 1 * L);
            c70.intoArray(out, outPos + 7 * ldo + 0 * L);
            c71.intoArray(out, outPos + 7 * ldo + 1 * L);
        }
    }

    /**
     * {@link #kernel6} on a packed A, as {@link #kernel8Packed}, except for two things C2 is sensitive to in this
     * 256-bit loop. Rows past {@code rows} repeat the last one, so the rows' offsets are not constants: with constant
     * offsets, as kernel8Packed has them, C2 on JDK 25 ran it at half its speed. And the loop runs on A's and B's
     * positions, each advanced by a constant, rather than on the step: C2 compiles this loop to code of differing
     * speed from one JVM to the next, and in this form the slow compilations were rarer.
     */
    private static void kernel6Packed(int kc, int rows, float[] a, int aPos, float[] bp, int bPos, float[] out,
                                      int outPos, int ldo, boolean add) {
        int o1 = Math.min(1, rows - 1);
        int o2 = Math.min(2, rows - 1);
        int o3 = Math.min(3, rows - 1);
        int o4 = Math.min(4, rows - 1);
        int o5 = Math.min(5, rows - 1);
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
        int end = aPos + kc * MR;
        for (int ap = aPos, bRow = bPos; ap < end; ap += MR, bRow += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bRow);
            FloatVector b1 = FloatVector.fromArray(S, bp, bRow + L);
            FloatVector x0 = FloatVector.broadcast(S, a[ap]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ap + o1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ap + o2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ap + o3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ap + o4]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ap + o5]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
        }
        if (add) {
            c00.add(FloatVector.fromArray(S, out, outPos + 0 * ldo + 0 * L)).intoArray(out, outPos + 0 * ldo + 0 * L);
            c01.add(FloatVector.fromArray(S, out, outPos + 0 * ldo + 1 * L)).intoArray(out, outPos + 0 * ldo + 1 * L);
            c10.add(FloatVector.fromArray(S, out, outPos + 1 * ldo + 0 * L)).intoArray(out, outPos + 1 * ldo + 0 * L);
            c11.add(FloatVector.fromArray(S, out, outPos + 1 * ldo + 1 * L)).intoArray(out, outPos + 1 * ldo + 1 * L);
            c20.add(FloatVector.fromArray(S, out, outPos + 2 * ldo + 0 * L)).intoArray(out, outPos + 2 * ldo + 0 * L);
            c21.add(FloatVector.fromArray(S, out, outPos + 2 * ldo + 1 * L)).intoArray(out, outPos + 2 * ldo + 1 * L);
            c30.add(FloatVector.fromArray(S, out, outPos + 3 * ldo + 0 * L)).intoArray(out, outPos + 3 * ldo + 0 * L);
            c31.add(FloatVector.fromArray(S, out, outPos + 3 * ldo + 1 * L)).intoArray(out, outPos + 3 * ldo + 1 * L);
            c40.add(FloatVector.fromArray(S, out, outPos + 4 * ldo + 0 * L)).intoArray(out, outPos + 4 * ldo + 0 * L);
            c41.add(FloatVector.fromArray(S, out, outPos + 4 * ldo + 1 * L)).intoArray(out, outPos + 4 * ldo + 1 * L);
            c50.add(FloatVector.fromArray(S, out, outPos + 5 * ldo + 0 * L)).intoArray(out, outPos + 5 * ldo + 0 * L);
            c51.add(FloatVector.fromArray(S, out, outPos + 5 * ldo + 1 * L)).intoArray(out, outPos + 5 * ldo + 1 * L);
        } else {
            c00.intoArray(out, outPos + 0 * ldo + 0 * L);
            c01.intoArray(out, outPos + 0 * ldo + 1 * L);
            c10.intoArray(out, outPos + 1 * ldo + 0 * L);
            c11.intoArray(out, outPos + 1 * ldo + 1 * L);
            c20.intoArray(out, outPos + 2 * ldo + 0 * L);
            c21.intoArray(out, outPos + 2 * ldo + 1 * L);
            c30.intoArray(out, outPos + 3 * ldo + 0 * L);
            c31.intoArray(out, outPos + 3 * ldo + 1 * L);
            c40.intoArray(out, outPos + 4 * ldo + 0 * L);
            c41.intoArray(out, outPos + 4 * ldo + 1 * L);
            c50.intoArray(out, outPos + 5 * ldo + 0 * L);
            c51.intoArray(out, outPos + 5 * ldo + 1 * L);
        }
    }

    /** {@link #kernel4} on a packed A, as {@link #kernel8Packed}. */
    private static void kernel4Packed(int kc, int rows, float[] a, int aPos, float[] bp, int bPos, float[] tile) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1);
        int a2 = aPos + Math.min(2, rows - 1);
        int a3 = aPos + Math.min(3, rows - 1);
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bRow = bPos + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bRow);
            FloatVector b1 = FloatVector.fromArray(S, bp, bRow + L);
            int ap = p * MR;
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
        c00.intoArray(tile, 0 * TW + 0 * L);
        c01.intoArray(tile, 0 * TW + 1 * L);
        c10.intoArray(tile, 1 * TW + 0 * L);
        c11.intoArray(tile, 1 * TW + 1 * L);
        c20.intoArray(tile, 2 * TW + 0 * L);
        c21.intoArray(tile, 2 * TW + 1 * L);
        c30.intoArray(tile, 3 * TW + 0 * L);
        c31.intoArray(tile, 3 * TW + 1 * L);
    }

    /**
     * out[0..8)[0..NR) = A[0..8)[0..kc) · B[0..kc)[0..NR), rows {@code ldo} apart from {@code outPos}: 16
     * accumulators in registers; per step one broadcast of A per row and two loads of B. Rows past {@code rows}
     * repeat the last one (their results are not used). Straight-line code with no branch after the loop, so that C2
     * keeps every vector in a register.
     */
    private static void kernel8(int kc, int rows, float[] a, int aPos, int aRs, int aCs, float[] bp, int bPos,
                                int bStride, float[] out, int outPos, int ldo) {
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
        c00.intoArray(out, outPos + 0 * ldo + 0 * L);
        c01.intoArray(out, outPos + 0 * ldo + 1 * L);
        c10.intoArray(out, outPos + 1 * ldo + 0 * L);
        c11.intoArray(out, outPos + 1 * ldo + 1 * L);
        c20.intoArray(out, outPos + 2 * ldo + 0 * L);
        c21.intoArray(out, outPos + 2 * ldo + 1 * L);
        c30.intoArray(out, outPos + 3 * ldo + 0 * L);
        c31.intoArray(out, outPos + 3 * ldo + 1 * L);
        c40.intoArray(out, outPos + 4 * ldo + 0 * L);
        c41.intoArray(out, outPos + 4 * ldo + 1 * L);
        c50.intoArray(out, outPos + 5 * ldo + 0 * L);
        c51.intoArray(out, outPos + 5 * ldo + 1 * L);
        c60.intoArray(out, outPos + 6 * ldo + 0 * L);
        c61.intoArray(out, outPos + 6 * ldo + 1 * L);
        c70.intoArray(out, outPos + 7 * ldo + 0 * L);
        c71.intoArray(out, outPos + 7 * ldo + 1 * L);
    }

    /**
     * out[0..6)[0..NR) = A[0..6)[0..kc) · B[0..kc)[0..NR), rows {@code ldo} apart from {@code outPos}: 12
     * accumulators in registers (AVX2's tile, see {@link #MR}); per step one broadcast of A per row and two loads of
     * B. Rows past {@code rows} repeat the last one (their results are not used). Straight-line code with no branch
     * after the loop, so that C2 keeps every vector in a register.
     */
    private static void kernel6(int kc, int rows, float[] a, int aPos, int aRs, int aCs, float[] bp, int bPos,
                                int bStride, float[] out, int outPos, int ldo) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1) * aRs;
        int a2 = aPos + Math.min(2, rows - 1) * aRs;
        int a3 = aPos + Math.min(3, rows - 1) * aRs;
        int a4 = aPos + Math.min(4, rows - 1) * aRs;
        int a5 = aPos + Math.min(5, rows - 1) * aRs;
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
        }
        c00.intoArray(out, outPos + 0 * ldo + 0 * L);
        c01.intoArray(out, outPos + 0 * ldo + 1 * L);
        c10.intoArray(out, outPos + 1 * ldo + 0 * L);
        c11.intoArray(out, outPos + 1 * ldo + 1 * L);
        c20.intoArray(out, outPos + 2 * ldo + 0 * L);
        c21.intoArray(out, outPos + 2 * ldo + 1 * L);
        c30.intoArray(out, outPos + 3 * ldo + 0 * L);
        c31.intoArray(out, outPos + 3 * ldo + 1 * L);
        c40.intoArray(out, outPos + 4 * ldo + 0 * L);
        c41.intoArray(out, outPos + 4 * ldo + 1 * L);
        c50.intoArray(out, outPos + 5 * ldo + 0 * L);
        c51.intoArray(out, outPos + 5 * ldo + 1 * L);
    }

    /**
     * tile[0..8)[0..L) = A[0..8)[0..kc) · B[0..kc)[0..L), for a panel of at most one vector's columns (a classifier's
     * 10, with AVX-512): 8 accumulators, per step one load of B and a broadcast of A per row. Two vectors per row, as
     * {@link #kernel8} has, would be two multiply-adds for 10 columns of 32 lanes, where one of 16 does: the
     * broadcasts then set the pace. Rows past {@code rows} repeat the last one (their results are not used); each
     * element is one chain of multiply-adds in order, as in the other kernels.
     */
    private static void kernel8Narrow(int kc, int rows, float[] a, int aPos, int aRs, int aCs, float[] bp, int bPos,
                                      int bStride, float[] tile) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1) * aRs;
        int a2 = aPos + Math.min(2, rows - 1) * aRs;
        int a3 = aPos + Math.min(3, rows - 1) * aRs;
        int a4 = aPos + Math.min(4, rows - 1) * aRs;
        int a5 = aPos + Math.min(5, rows - 1) * aRs;
        int a6 = aPos + Math.min(6, rows - 1) * aRs;
        int a7 = aPos + Math.min(7, rows - 1) * aRs;
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        FloatVector c4 = FloatVector.zero(S);
        FloatVector c5 = FloatVector.zero(S);
        FloatVector c6 = FloatVector.zero(S);
        FloatVector c7 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bPos + p * bStride);
            int ap = p * aCs;
            c0 = FloatVector.broadcast(S, a[a0 + ap]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[a1 + ap]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[a2 + ap]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[a3 + ap]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[a4 + ap]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[a5 + ap]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[a6 + ap]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[a7 + ap]).fma(b0, c7);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, TW);
        c2.intoArray(tile, 2 * TW);
        c3.intoArray(tile, 3 * TW);
        c4.intoArray(tile, 4 * TW);
        c5.intoArray(tile, 5 * TW);
        c6.intoArray(tile, 6 * TW);
        c7.intoArray(tile, 7 * TW);
    }

    /**
     * tile[0..4)[0..NR) = A[0..4)[0..kc) · B[0..kc)[0..NR): 8 accumulators in registers; per step one broadcast
     * of A per row and two loads of B. Rows past {@code rows} repeat the last one (their results are not used).
     * Straight-line code with no branch after the loop, so that C2 keeps every vector in a register.
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
        c00.intoArray(tile, 0 * TW + 0 * L);
        c01.intoArray(tile, 0 * TW + 1 * L);
        c10.intoArray(tile, 1 * TW + 0 * L);
        c11.intoArray(tile, 1 * TW + 1 * L);
        c20.intoArray(tile, 2 * TW + 0 * L);
        c21.intoArray(tile, 2 * TW + 1 * L);
        c30.intoArray(tile, 3 * TW + 0 * L);
        c31.intoArray(tile, 3 * TW + 1 * L);
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

    /**
     * out[0..6)[0..3L) = A[0..6)[0..kc) · B[0..kc)[0..3L), rows {@code ldo} apart from {@code outPos}, three vectors
     * wide (WIDE only): 18 accumulators; per step one broadcast of A per row and three loads of B, so that the
     * multiply-adds, not the broadcasts, set the pace. Rows past {@code rows} repeat the last one (their results are
     * not used). Six rows, not eight: 24 accumulators, 3 loads of B and up to 8 broadcasts exceed the 32 registers,
     * and C2 spilling vectors makes such a tile several times slower.
     */
    private static void kernel6Wide(int kc, int rows, float[] a, int aPos, int aRs, int aCs, float[] bp, int bPos,
                                    int bStride, float[] out, int outPos, int ldo) {
        int a0 = aPos;
        int a1 = aPos + Math.min(1, rows - 1) * aRs;
        int a2 = aPos + Math.min(2, rows - 1) * aRs;
        int a3 = aPos + Math.min(3, rows - 1) * aRs;
        int a4 = aPos + Math.min(4, rows - 1) * aRs;
        int a5 = aPos + Math.min(5, rows - 1) * aRs;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c52 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bRow = bPos + p * bStride;
            FloatVector b0 = FloatVector.fromArray(S, bp, bRow);
            FloatVector b1 = FloatVector.fromArray(S, bp, bRow + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, bRow + 2 * L);
            int ap = p * aCs;
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + ap]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            c42 = x4.fma(b2, c42);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + ap]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            c52 = x5.fma(b2, c52);
        }
        c00.intoArray(out, outPos + 0 * ldo + 0 * L);
        c01.intoArray(out, outPos + 0 * ldo + 1 * L);
        c02.intoArray(out, outPos + 0 * ldo + 2 * L);
        c10.intoArray(out, outPos + 1 * ldo + 0 * L);
        c11.intoArray(out, outPos + 1 * ldo + 1 * L);
        c12.intoArray(out, outPos + 1 * ldo + 2 * L);
        c20.intoArray(out, outPos + 2 * ldo + 0 * L);
        c21.intoArray(out, outPos + 2 * ldo + 1 * L);
        c22.intoArray(out, outPos + 2 * ldo + 2 * L);
        c30.intoArray(out, outPos + 3 * ldo + 0 * L);
        c31.intoArray(out, outPos + 3 * ldo + 1 * L);
        c32.intoArray(out, outPos + 3 * ldo + 2 * L);
        c40.intoArray(out, outPos + 4 * ldo + 0 * L);
        c41.intoArray(out, outPos + 4 * ldo + 1 * L);
        c42.intoArray(out, outPos + 4 * ldo + 2 * L);
        c50.intoArray(out, outPos + 5 * ldo + 0 * L);
        c51.intoArray(out, outPos + 5 * ldo + 1 * L);
        c52.intoArray(out, outPos + 5 * ldo + 2 * L);
    }

    /**
     * {@link #kernel6Wide} for a single row: each column one chain of multiply-adds in order, as in kernel6Wide (not
     * split into even and odd steps as {@link #kernel1} is), since a row can fall in either kernel depending on where
     * a thread's band of rows starts, and the bits must not depend on the thread count.
     */
    private static void kernel1Wide(int kc, float[] a, int aPos, int aCs, float[] bp, int bPos, int bStride,
                                    float[] tile) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bRow = bPos + p * bStride;
            FloatVector x = FloatVector.broadcast(S, a[aPos + p * aCs]);
            c0 = x.fma(FloatVector.fromArray(S, bp, bRow), c0);
            c1 = x.fma(FloatVector.fromArray(S, bp, bRow + L), c1);
            c2 = x.fma(FloatVector.fromArray(S, bp, bRow + 2 * L), c2);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
        c2.intoArray(tile, 2 * L);
    }

    /**
     * Rows [i0, i1) of C's thin columns [cols, n), the whole shared dimension at once, two columns per pass over A.
     * Each element is computed the same way whatever the rows' split over threads:
     * <ul>
     * <li>A row-major ({@code !ta}): dot products along k of A's row and B's column ({@code thinB}, packed, or a row of
     *     a transposed B), in vector lanes then summed pairwise ({@link #laneSum}), then the tail of k;
     * <li>A transposed: the rows in vectors, A's column p being contiguous, each a chain of multiply-adds over k in
     *     order, as a scalar chain gives it for the last rows.
     * </ul>
     */
    private static void thin(int i0, int i1, boolean ta, boolean tb, int m, int n, int cols, int k, float[] a,
                             int aOff, float[] b, int bOff, float[] thinB, float[] c, int cOff, boolean accumulate,
                             float[] bias, int biasOff) {
        if (cols == n) {
            return;
        }
        // A block of rows at a time, so that the buffer stays small (each row is computed on its own).
        for (int from = i0; from < i1; from += THIN_ROWS) {
            thinRows(from, Math.min(i1, from + THIN_ROWS), ta, tb, m, n, cols, k, a, aOff, b, bOff, thinB, c, cOff,
                    accumulate, bias, biasOff);
        }
    }

    /** {@link #thin} for at most {@link #THIN_ROWS} rows. */
    private static void thinRows(int i0, int i1, boolean ta, boolean tb, int m, int n, int cols, int k, float[] a,
                                 int aOff, float[] b, int bOff, float[] thinB, float[] c, int cOff,
                                 boolean accumulate, float[] bias, int biasOff) {
        int rows = i1 - i0;
        // Two columns of results, and for a row-major A the partial sums of their dot products, CHUNK per element.
        int partials = ta ? 0 : 2 * rows * CHUNK;
        // Past the results, room for laneSums to transpose the partial sums of L of them.
        int size = partials + 2 * rows + CHUNK * L;
        float[] out = scratch(COLUMN, size);
        int o0 = partials;
        for (int j = cols; j < n; j += 2) {
            int j1 = Math.min(j + 1, n - 1); // an odd last column is computed twice, stored once
            if (!ta) {
                float[] bc = tb ? b : thinB;
                int b0 = tb ? bOff + j * k : (j - cols) * k;
                int b1 = tb ? bOff + j1 * k : (j1 - cols) * k;
                // Rows shorter than a chunk have no partial sums: their dot products are only tails (below).
                boolean chunks = k >= CHUNK;
                int i = chunks ? i0 : i1;
                if (L == CHUNK) {
                    for (; i + 8 <= i1; i += 8) {
                        dot8x2(k, a, aOff + i * k, bc, b0, b1, out, (i - i0) * CHUNK, rows * CHUNK);
                    }
                    if (i < i1 && rows >= 8) {
                        // The last eight rows of the pass, those before i computed again to the same bits.
                        dot8x2(k, a, aOff + (i1 - 8) * k, bc, b0, b1, out, (rows - 8) * CHUNK, rows * CHUNK);
                        i = i1;
                    }
                } else {
                    for (; i + 2 <= i1; i += 2) {
                        dot2x2Halves(k, a, aOff + i * k, bc, b0, b1, out, (i - i0) * CHUNK, rows * CHUNK);
                    }
                }
                for (; i < i1; i++) {
                    dot1(k, a, aOff + i * k, bc, b0, out, (i - i0) * CHUNK);
                    dot1(k, a, aOff + i * k, bc, b1, out, (rows + i - i0) * CHUNK);
                }
                // The partial sums added only now: a scalar read just after a vector store to the same place stalls.
                int chunksEnd = k / CHUNK * CHUNK;
                int r = 0;
                if (chunks) {
                    laneSums(out, 2 * rows, o0, o0 + 2 * rows);
                } else {
                    for (; r + 2 <= rows; r += 2) {
                        tails2x2(k, a, aOff + (i0 + r) * k, bc, b0, b1, out, o0 + r, rows);
                    }
                    if (r < rows) {
                        out[o0 + r] = 0f;
                        out[o0 + rows + r] = 0f;
                    }
                }
                for (; r < rows; r++) {
                    int aRow = aOff + (i0 + r) * k;
                    out[o0 + r] = out[o0 + r] + dotTail(chunksEnd, k, a, aRow, bc, b0);
                    out[o0 + rows + r] = out[o0 + rows + r] + dotTail(chunksEnd, k, a, aRow, bc, b1);
                }
            } else {
                int b0 = tb ? bOff + j * k : bOff + j;
                int b1 = tb ? bOff + j1 * k : bOff + j1;
                int bStep = tb ? 1 : n;
                int i = i0;
                for (; i + 4 * L <= i1; i += 4 * L) {
                    column4x2(k, a, aOff + i, m, b, b0, b1, bStep, out, o0 + i - i0, rows);
                }
                columnRest(i0, i, i1, k, a, aOff, m, b, b0, b1, bStep, out, o0, rows);
            }
            // Stored after the whole pass: a scalar read just after a vector store to the same place stalls.
            for (int jj = j, o = o0; jj <= j1; jj++, o += rows) {
                float biasJ = accumulate || bias == null ? 0f : bias[biasOff + jj];
                for (int i = i0; i < i1; i++) {
                    int at = cOff + i * n + jj;
                    c[at] = accumulate ? c[at] + out[o + i - i0] : out[o + i - i0] + biasJ;
                }
            }
        }
    }

    /**
     * The 16 partial sums (lanes, with 16 of them) of the dot products of A's eight rows at aPos, aPos + k, … with the
     * floats at bp[b0] and at bp[b1], over k's whole chunks of 16: at out[at + r·16] and out[second + at + r·16].
     * Sixteen chains of multiply-adds: with eight, as many as the multiply-adds' latency needs on two pipes and no
     * more, each load of A that came late from L2 held the next step up.
     */
    private static void dot8x2(int k, float[] a, int aPos, float[] bp, int b0, int b1, float[] out, int at,
                               int second) {
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
        // The loop runs on A's index to an end computed before it: C2 then drops the range checks of A's loads,
        // which it kept in a loop tested on p + CHUNK <= k.
        int end = aPos + k / CHUNK * CHUNK;
        for (int ap = aPos, q0 = b0, q1 = b1; ap < end; ap += CHUNK, q0 += CHUNK, q1 += CHUNK) {
            FloatVector v0 = FloatVector.fromArray(S, bp, q0);
            FloatVector v1 = FloatVector.fromArray(S, bp, q1);
            FloatVector x0 = FloatVector.fromArray(S, a, ap);
            c00 = x0.fma(v0, c00);
            c01 = x0.fma(v1, c01);
            FloatVector x1 = FloatVector.fromArray(S, a, ap + k);
            c10 = x1.fma(v0, c10);
            c11 = x1.fma(v1, c11);
            FloatVector x2 = FloatVector.fromArray(S, a, ap + 2 * k);
            c20 = x2.fma(v0, c20);
            c21 = x2.fma(v1, c21);
            FloatVector x3 = FloatVector.fromArray(S, a, ap + 3 * k);
            c30 = x3.fma(v0, c30);
            c31 = x3.fma(v1, c31);
            FloatVector x4 = FloatVector.fromArray(S, a, ap + 4 * k);
            c40 = x4.fma(v0, c40);
            c41 = x4.fma(v1, c41);
            FloatVector x5 = FloatVector.fromArray(S, a, ap + 5 * k);
            c50 = x5.fma(v0, c50);
            c51 = x5.fma(v1, c51);
            FloatVector x6 = FloatVector.fromArray(S, a, ap + 6 * k);
            c60 = x6.fma(v0, c60);
            c61 = x6.fma(v1, c61);
            FloatVector x7 = FloatVector.fromArray(S, a, ap + 7 * k);
            c70 = x7.fma(v0, c70);
            c71 = x7.fma(v1, c71);
        }
        c00.intoArray(out, at);
        c10.intoArray(out, at + L);
        c20.intoArray(out, at + 2 * L);
        c30.intoArray(out, at + 3 * L);
        c40.intoArray(out, at + 4 * L);
        c50.intoArray(out, at + 5 * L);
        c60.intoArray(out, at + 6 * L);
        c70.intoArray(out, at + 7 * L);
        c01.intoArray(out, second + at);
        c11.intoArray(out, second + at + L);
        c21.intoArray(out, second + at + 2 * L);
        c31.intoArray(out, second + at + 3 * L);
        c41.intoArray(out, second + at + 4 * L);
        c51.intoArray(out, second + at + 5 * L);
        c61.intoArray(out, second + at + 6 * L);
        c71.intoArray(out, second + at + 7 * L);
    }

    /**
     * {@link #dot8x2} with 8 lanes (AVX2): partial sum i of a dot product is over k's elements i, i + 16, i + 32, …,
     * as with 16 lanes, in two vectors: the chunk's low and high halves. Two rows, two columns, eight chains.
     */
    private static void dot2x2Halves(int k, float[] a, int aPos, float[] bp, int b0, int b1, float[] out, int at,
                                     int second) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c00h = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c01h = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c10h = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c11h = FloatVector.zero(S);
        for (int p = 0; p + CHUNK <= k; p += CHUNK) {
            FloatVector v0 = FloatVector.fromArray(S, bp, b0 + p);
            FloatVector v0h = FloatVector.fromArray(S, bp, b0 + p + L);
            FloatVector v1 = FloatVector.fromArray(S, bp, b1 + p);
            FloatVector v1h = FloatVector.fromArray(S, bp, b1 + p + L);
            int ap = aPos + p;
            FloatVector x0 = FloatVector.fromArray(S, a, ap);
            FloatVector x0h = FloatVector.fromArray(S, a, ap + L);
            c00 = x0.fma(v0, c00);
            c00h = x0h.fma(v0h, c00h);
            c01 = x0.fma(v1, c01);
            c01h = x0h.fma(v1h, c01h);
            FloatVector x1 = FloatVector.fromArray(S, a, ap + k);
            FloatVector x1h = FloatVector.fromArray(S, a, ap + k + L);
            c10 = x1.fma(v0, c10);
            c10h = x1h.fma(v0h, c10h);
            c11 = x1.fma(v1, c11);
            c11h = x1h.fma(v1h, c11h);
        }
        c00.intoArray(out, at);
        c00h.intoArray(out, at + L);
        c10.intoArray(out, at + CHUNK);
        c10h.intoArray(out, at + CHUNK + L);
        c01.intoArray(out, second + at);
        c01h.intoArray(out, second + at + L);
        c11.intoArray(out, second + at + CHUNK);
        c11h.intoArray(out, second + at + CHUNK + L);
    }

    /**
     * {@link #dot8x2} for one row and one column: the 16 partial sums of a dot product at out[at], a vector at a time
     * (with 8 lanes, chunk halves in separate chains, as {@link #dot2x2Halves}).
     */
    private static void dot1(int k, float[] a, int aPos, float[] bp, int bPos, float[] out, int at) {
        for (int h = 0; h < CHUNK; h += L) {
            FloatVector c0 = FloatVector.zero(S);
            for (int p = h; p + L <= k && p - h + CHUNK <= k; p += CHUNK) {
                c0 = FloatVector.fromArray(S, a, aPos + p).fma(FloatVector.fromArray(S, bp, bPos + p), c0);
            }
            c0.intoArray(out, at + h);
        }
    }

    /**
     * The 16 partial sums at {@code t[at]} added pairwise, halving (they are overwritten): a fixed order, so the same
     * bits wherever and at whatever width they were computed ({@code reduceLanes} leaves the order of a floating-point
     * sum to the implementation, and a reduction written out in vectors delays C2's next compile).
     */
    private static float laneSum(float[] t, int at) {
        for (int w = CHUNK / 2; w > 0; w /= 2) {
            for (int l = 0; l < w; l++) {
                t[at + l] += t[at + l + w];
            }
        }
        return t[at];
    }

    /**
     * {@code t[sums + e] = laneSum(t, e·CHUNK)} for e in [0, count), with the same additions in the same order: L
     * sums at a time, with 16 lanes in registers ({@link #laneSums16}); with 8, their partial sums transposed
     * ({@link FloatTranspose}) into {@code t[scratch …]} (CHUNK·L floats) so that partial sum l of the L sums is one
     * vector and each addition of laneSum's halving is one vector addition, where one sum at a time is fifteen scalar
     * additions, each waiting on the store of the one before.
     */
    private static void laneSums(float[] t, int count, int sums, int scratch) {
        int e = 0;
        if (L == CHUNK) {
            for (; e + L <= count; e += L) {
                laneSums16(t, e * CHUNK, sums + e);
            }
        } else if (FloatTranspose.SUPPORTED) {
            for (; e + L <= count; e += L) {
                for (int h = 0; h < CHUNK; h += L) {
                    FloatTranspose.block(t, e * CHUNK + h, CHUNK, t, scratch + h * L, L);
                }
                for (int w = CHUNK / 2; w > 0; w /= 2) {
                    for (int l = 0; l < w; l++) {
                        FloatVector.fromArray(S, t, scratch + l * L)
                                .add(FloatVector.fromArray(S, t, scratch + (l + w) * L))
                                .intoArray(t, scratch + l * L);
                    }
                }
                System.arraycopy(t, scratch, t, sums + e, L);
            }
        }
        for (; e < count; e++) {
            t[sums + e] = laneSum(t, e * CHUNK);
        }
    }

    /**
     * {@link #laneSums} for 16 sums with 16 lanes, in registers: {@code t[to + e] = laneSum(t, from + 16·e)} for e in
     * [0, 16). Each stage of laneSum's halving, at distance d, is one addition per pair of vectors, each holding
     * some sums' partial sums in blocks of 2d lanes: the pair is first put side by side as a transpose's stage does
     * ({@link FloatTranspose}: a rotation and a blend each), so that each block's first d lanes and its last d, of
     * both vectors, add in one vector; after four stages one vector holds the 16 sums, in lanes numbered by their index
     * with its four bits reversed, which one rearrangement puts in order. Through a transpose into memory and the
     * halving in stored vectors, as for 8 lanes, they took about 25 cycles a sum (batch inference's first product
     * has 2,000).
     */
    private static void laneSums16(float[] t, int from, int to) {
        // Written out, not through a helper per pair: a method this long is compiled on its own rather than inlined
        // into thinRows, whose size would stop C2 inlining the helpers, leaving their vectors in objects.
        FloatVector v0 = FloatVector.fromArray(S, t, from);
        FloatVector v1 = FloatVector.fromArray(S, t, from + CHUNK);
        FloatVector v2 = FloatVector.fromArray(S, t, from + 2 * CHUNK);
        FloatVector v3 = FloatVector.fromArray(S, t, from + 3 * CHUNK);
        FloatVector v4 = FloatVector.fromArray(S, t, from + 4 * CHUNK);
        FloatVector v5 = FloatVector.fromArray(S, t, from + 5 * CHUNK);
        FloatVector v6 = FloatVector.fromArray(S, t, from + 6 * CHUNK);
        FloatVector v7 = FloatVector.fromArray(S, t, from + 7 * CHUNK);
        FloatVector v8 = FloatVector.fromArray(S, t, from + 8 * CHUNK);
        FloatVector v9 = FloatVector.fromArray(S, t, from + 9 * CHUNK);
        FloatVector v10 = FloatVector.fromArray(S, t, from + 10 * CHUNK);
        FloatVector v11 = FloatVector.fromArray(S, t, from + 11 * CHUNK);
        FloatVector v12 = FloatVector.fromArray(S, t, from + 12 * CHUNK);
        FloatVector v13 = FloatVector.fromArray(S, t, from + 13 * CHUNK);
        FloatVector v14 = FloatVector.fromArray(S, t, from + 14 * CHUNK);
        FloatVector v15 = FloatVector.fromArray(S, t, from + 15 * CHUNK);
        // Distance 8: sums 2i and 2i + 1 side by side.
        v0 = v0.blend(v1.rearrange(DOWN3), HIGH3).add(v0.rearrange(UP3).blend(v1, HIGH3));
        v2 = v2.blend(v3.rearrange(DOWN3), HIGH3).add(v2.rearrange(UP3).blend(v3, HIGH3));
        v4 = v4.blend(v5.rearrange(DOWN3), HIGH3).add(v4.rearrange(UP3).blend(v5, HIGH3));
        v6 = v6.blend(v7.rearrange(DOWN3), HIGH3).add(v6.rearrange(UP3).blend(v7, HIGH3));
        v8 = v8.blend(v9.rearrange(DOWN3), HIGH3).add(v8.rearrange(UP3).blend(v9, HIGH3));
        v10 = v10.blend(v11.rearrange(DOWN3), HIGH3).add(v10.rearrange(UP3).blend(v11, HIGH3));
        v12 = v12.blend(v13.rearrange(DOWN3), HIGH3).add(v12.rearrange(UP3).blend(v13, HIGH3));
        v14 = v14.blend(v15.rearrange(DOWN3), HIGH3).add(v14.rearrange(UP3).blend(v15, HIGH3));
        // Distance 4, 2 and 1: the vectors of the stage before paired in order.
        v0 = v0.blend(v2.rearrange(DOWN2), HIGH2).add(v0.rearrange(UP2).blend(v2, HIGH2));
        v4 = v4.blend(v6.rearrange(DOWN2), HIGH2).add(v4.rearrange(UP2).blend(v6, HIGH2));
        v8 = v8.blend(v10.rearrange(DOWN2), HIGH2).add(v8.rearrange(UP2).blend(v10, HIGH2));
        v12 = v12.blend(v14.rearrange(DOWN2), HIGH2).add(v12.rearrange(UP2).blend(v14, HIGH2));
        v0 = v0.blend(v4.rearrange(DOWN1), HIGH1).add(v0.rearrange(UP1).blend(v4, HIGH1));
        v8 = v8.blend(v12.rearrange(DOWN1), HIGH1).add(v8.rearrange(UP1).blend(v12, HIGH1));
        v0 = v0.blend(v8.rearrange(DOWN0), HIGH0).add(v0.rearrange(UP0).blend(v8, HIGH0));
        v0.rearrange(BIT_REVERSED).intoArray(t, to);
    }

    /**
     * Two rows' dot products with two columns, for a k shorter than {@link #CHUNK}: each {@code 0 + dotTail(0, k)},
     * as {@link #thinRows} computes them for longer rows when the chunks' partial sums are all zero, but the four
     * chains interleaved, so that their multiply-adds overlap.
     */
    private static void tails2x2(int k, float[] a, int aPos, float[] bp, int b0, int b1, float[] out, int at,
                                 int second) {
        float s00 = 0f;
        float s01 = 0f;
        float s10 = 0f;
        float s11 = 0f;
        for (int p = 0; p < k; p++) {
            float x0 = a[aPos + p];
            float x1 = a[aPos + k + p];
            float v0 = bp[b0 + p];
            float v1 = bp[b1 + p];
            s00 = Math.fma(x0, v0, s00);
            s01 = Math.fma(x0, v1, s01);
            s10 = Math.fma(x1, v0, s10);
            s11 = Math.fma(x1, v1, s11);
        }
        out[at] = 0f + s00;
        out[at + 1] = 0f + s10;
        out[at + second] = 0f + s01;
        out[at + second + 1] = 0f + s11;
    }

    private static float dotTail(int p, int k, float[] a, int aPos, float[] bp, int bPos) {
        float s = 0f;
        for (; p < k; p++) {
            s = Math.fma(a[aPos + p], bp[bPos + p], s);
        }
        return s;
    }

    /**
     * {@link #column4x2} for rows [i, i1), fewer than 4L, of a pass over rows [i0, i1) whose results start at
     * out[at]: a vector at a time; then, if the pass has a vector's rows, its last L rows as one vector, those before
     * i computed again to the same bits (each lane is a chain of its own), where one row at a time would wait on each
     * multiply-add's latency (a thread's band of 392 rows leaves 8); else one row at a time (a scalar chain of
     * multiply-adds gives the same bits as a lane of the vector's).
     */
    private static void columnRest(int i0, int i, int i1, int k, float[] a, int aOff, int m, float[] b, int b0,
                                   int b1, int bStep, float[] out, int at, int rows) {
        for (; i + L <= i1; i += L) {
            column1x2(k, a, aOff + i, m, b, b0, b1, bStep, out, at + i - i0, rows);
        }
        if (i < i1 && i1 - i0 >= L) {
            column1x2(k, a, aOff + i1 - L, m, b, b0, b1, bStep, out, at + i1 - L - i0, rows);
            return;
        }
        for (; i < i1; i++) {
            float c0 = 0f;
            float c1 = 0f;
            for (int p = 0; p < k; p++) {
                float x = a[aOff + p * m + i];
                c0 = Math.fma(x, b[b0 + p * bStep], c0);
                c1 = Math.fma(x, b[b1 + p * bStep], c1);
            }
            out[at + i - i0] = c0;
            out[rows + at + i - i0] = c1;
        }
    }

    /** {@link #column4x2} for L rows: two chains of multiply-adds over k. */
    private static void column1x2(int k, float[] a, int aPos, int m, float[] b, int b0, int b1, int bStep,
                                  float[] out, int at, int rows) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        for (int p = 0, ap = aPos, q0 = b0, q1 = b1; p < k; p++, ap += m, q0 += bStep, q1 += bStep) {
            FloatVector x = FloatVector.fromArray(S, a, ap);
            c0 = x.fma(FloatVector.broadcast(S, b[q0]), c0);
            c1 = x.fma(FloatVector.broadcast(S, b[q1]), c1);
        }
        c0.intoArray(out, at);
        c1.intoArray(out, rows + at);
    }

    /**
     * Columns j0 and j1 of A·B for 4L consecutive rows of a transposed A (A's column p at {@code a[aPos + p·m]}), B's
     * columns at {@code b[b0]} and {@code b[b1]}, {@code bStep} apart: out[at..at + 4L) and out[rows + at …]. Eight
     * chains of multiply-adds over k.
     */
    private static void column4x2(int k, float[] a, int aPos, int m, float[] b, int b0, int b1, int bStep,
                                  float[] out, int at, int rows) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
            int ap = aPos + p * m;
            FloatVector v0 = FloatVector.broadcast(S, b[b0 + p * bStep]);
            FloatVector v1 = FloatVector.broadcast(S, b[b1 + p * bStep]);
            FloatVector x0 = FloatVector.fromArray(S, a, ap);
            c00 = x0.fma(v0, c00);
            c01 = x0.fma(v1, c01);
            FloatVector x1 = FloatVector.fromArray(S, a, ap + L);
            c10 = x1.fma(v0, c10);
            c11 = x1.fma(v1, c11);
            FloatVector x2 = FloatVector.fromArray(S, a, ap + 2 * L);
            c20 = x2.fma(v0, c20);
            c21 = x2.fma(v1, c21);
            FloatVector x3 = FloatVector.fromArray(S, a, ap + 3 * L);
            c30 = x3.fma(v0, c30);
            c31 = x3.fma(v1, c31);
        }
        c00.intoArray(out, at);
        c10.intoArray(out, at + L);
        c20.intoArray(out, at + 2 * L);
        c30.intoArray(out, at + 3 * L);
        c01.intoArray(out, rows + at);
        c11.intoArray(out, rows + at + L);
        c21.intoArray(out, rows + at + 2 * L);
        c31.intoArray(out, rows + at + 3 * L);
    }
}
