package dev.layerwise.kernel;

import java.util.function.IntConsumer;

/**
 * One call of a kernel that splits items {@code [0, n)} (elements, rows, images) into contiguous chunks over
 * {@link Parallel}, without allocating: the call's arguments go into the fields of a job reused per calling thread,
 * and the body is a lambda over its own parameters only, which Java makes once (a lambda that captured the
 * arguments would be a new object per call).
 *
 * <pre>{@code
 * RangeJob.of(this).a(x, xOff).b(out, outOff).mask(mask)
 *         .run(n, 1, (j, from, to) -> j.kernels.reluForwardRange(from, to, j.fa, j.oa, j.mask, j.fb, j.ob));
 * }</pre>
 *
 * <p>The fields are the arguments by position ({@code a}, {@code b}, … arrays with their offsets, {@code p0}, …
 * integers, {@code s0}, … scalars); {@link #run} clears the references when it returns. A job started from inside
 * another one (a kernel called by a task) gets its own.
 */
final class RangeJob implements IntConsumer {
    /** Items {@code [from, to)} of a job, on the calling thread. */
    @FunctionalInterface
    interface Body {
        void run(RangeJob job, int from, int to);
    }

    /** Work (elements touched) below which a chunk is not worth a thread. */
    static final long MIN_TASK_WORK = 1 << 15;

    private static final ThreadLocal<RangeJob> CURRENT = ThreadLocal.withInitial(RangeJob::new);

    PortableKernels kernels;
    ConvGeometry g;
    float[] fa;
    float[] fb;
    float[] fc;
    float[] fd;
    double[] da;
    double[] db;
    double[] dc;
    double[] dd;
    int oa;
    int ob;
    int oc;
    int od;
    boolean[] mask;
    boolean flag;
    int[] ints;
    int p0;
    int p1;
    int p2;
    double s0;
    double s1;
    double s2;
    double s3;

    private boolean busy;
    private Body body;
    private int n;
    private int tasks;

    private RangeJob() {
    }

    /** The calling thread's job for a call of {@code kernels}. */
    static RangeJob of(PortableKernels kernels) {
        RangeJob j = CURRENT.get();
        if (j.busy) {
            j = new RangeJob();
        }
        j.busy = true;
        j.kernels = kernels;
        return j;
    }

    RangeJob a(float[] x, int off) {
        fa = x;
        oa = off;
        return this;
    }

    RangeJob b(float[] x, int off) {
        fb = x;
        ob = off;
        return this;
    }

    RangeJob c(float[] x, int off) {
        fc = x;
        oc = off;
        return this;
    }

    RangeJob d(float[] x, int off) {
        fd = x;
        od = off;
        return this;
    }

    RangeJob a(double[] x, int off) {
        da = x;
        oa = off;
        return this;
    }

    RangeJob b(double[] x, int off) {
        db = x;
        ob = off;
        return this;
    }

    RangeJob c(double[] x, int off) {
        dc = x;
        oc = off;
        return this;
    }

    RangeJob d(double[] x, int off) {
        dd = x;
        od = off;
        return this;
    }

    RangeJob mask(boolean[] m) {
        mask = m;
        return this;
    }

    RangeJob flag(boolean f) {
        flag = f;
        return this;
    }

    RangeJob ints(int[] i) {
        ints = i;
        return this;
    }

    RangeJob geometry(ConvGeometry geometry) {
        g = geometry;
        return this;
    }

    RangeJob ints(int v0, int v1, int v2) {
        p0 = v0;
        p1 = v1;
        p2 = v2;
        return this;
    }

    RangeJob scalars(double v0, double v1, double v2, double v3) {
        s0 = v0;
        s1 = v1;
        s2 = v2;
        s3 = v3;
        return this;
    }

    /**
     * Runs {@code body} over items {@code [0, n)} of {@code workPerItem} each, in contiguous chunks (as many as there
     * are threads, each of at least {@link #MIN_TASK_WORK} work), and releases the job.
     */
    void run(int n, long workPerItem, Body body) {
        try {
            int minItems = (int) Math.min(n, Math.max(1, MIN_TASK_WORK / Math.max(1, workPerItem)));
            int t = Parallel.chunks(n, minItems);
            if (t <= 1) {
                body.run(this, 0, n);
            } else {
                this.n = n;
                this.tasks = t;
                this.body = body;
                Parallel.forEach(t, this);
            }
        } finally {
            release();
        }
    }

    @Override
    public void accept(int t) {
        body.run(this, Parallel.chunkStart(t, tasks, n), Parallel.chunkStart(t + 1, tasks, n));
    }

    private void release() {
        kernels = null;
        g = null;
        fa = null;
        fb = null;
        fc = null;
        fd = null;
        da = null;
        db = null;
        dc = null;
        dd = null;
        mask = null;
        ints = null;
        body = null;
        busy = false;
    }
}
