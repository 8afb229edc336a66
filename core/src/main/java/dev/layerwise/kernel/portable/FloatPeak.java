package dev.layerwise.kernel.portable;

/**
 * The register-only fused multiply-add loop behind {@link dev.layerwise.kernel.MatrixKernels#fmaLoop} in plain Java:
 * the pace of the portable products' inner loops, one float at a time, with the loads taken away.
 *
 * <p>Eight accumulators: a multiply-add waits for the one before it on the same accumulator (four cycles or so), and
 * a core starts two each cycle, so eight independent chains keep both units busy. Each step is
 * {@code acc = acc·x + y} with {@code x} just below 1, so the values settle near {@code y / (1 − x)} and never
 * overflow or become subnormal.
 */
final class FloatPeak {
    private static final int ACCUMULATORS = 8;

    private FloatPeak() {
    }

    static long loop(int rounds, float[] sink) {
        if (rounds < 0 || sink.length == 0) {
            throw new IllegalArgumentException("rounds must be at least 0 and sink not empty, got rounds " + rounds
                    + " and a sink of " + sink.length);
        }
        float x = 0.999f;
        float y = 1e-3f;
        float c0 = 0f;
        float c1 = 1f;
        float c2 = 2f;
        float c3 = 3f;
        float c4 = 4f;
        float c5 = 5f;
        float c6 = 6f;
        float c7 = 7f;
        for (int r = 0; r < rounds; r++) {
            c0 = Math.fma(c0, x, y);
            c1 = Math.fma(c1, x, y);
            c2 = Math.fma(c2, x, y);
            c3 = Math.fma(c3, x, y);
            c4 = Math.fma(c4, x, y);
            c5 = Math.fma(c5, x, y);
            c6 = Math.fma(c6, x, y);
            c7 = Math.fma(c7, x, y);
        }
        sink[0] = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
        return (long) rounds * ACCUMULATORS;
    }
}
