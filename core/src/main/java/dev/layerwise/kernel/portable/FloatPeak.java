package dev.layerwise.kernel.portable;

/**
 * The register-only fused multiply-add loop behind {@link dev.layerwise.kernel.MatrixKernels#fmaLoop} in plain Java:
 * the pace of the portable products' inner loops, one float at a time, with the loads taken away.
 *
 * <p>Eight accumulators: a multiply-add waits for the one before it on the same accumulator (four cycles or so), and
 * a core starts two each cycle, so eight independent chains keep both units busy. Each step is the inner loops' own,
 * {@code acc = x·y + acc}; {@code x·y} is a power of two, 2⁻¹¹, so every sum is exact until an accumulator passes 2¹³
 * (sixteen million rounds), and nothing overflows or becomes subnormal after that either.
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
        float x = 0.5f;
        float y = 0x1p-10f;
        float c0 = 0f;
        float c1 = 1f;
        float c2 = 2f;
        float c3 = 3f;
        float c4 = 4f;
        float c5 = 5f;
        float c6 = 6f;
        float c7 = 7f;
        for (int r = 0; r < rounds; r++) {
            c0 = Math.fma(x, y, c0);
            c1 = Math.fma(x, y, c1);
            c2 = Math.fma(x, y, c2);
            c3 = Math.fma(x, y, c3);
            c4 = Math.fma(x, y, c4);
            c5 = Math.fma(x, y, c5);
            c6 = Math.fma(x, y, c6);
            c7 = Math.fma(x, y, c7);
        }
        sink[0] = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7;
        return (long) rounds * ACCUMULATORS;
    }
}
