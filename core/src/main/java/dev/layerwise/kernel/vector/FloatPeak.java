package dev.layerwise.kernel.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The register-only fused multiply-add loop behind {@link dev.layerwise.kernel.MatrixKernels#fmaLoop}: the pace of
 * the products' micro-kernels with the loads taken away.
 *
 * <p>Twelve accumulators of the products' vector species: a multiply-add waits for the one before it on the same
 * accumulator (four cycles or so), and a core starts two each cycle, so at least eight independent chains are needed
 * to keep both units busy; twelve leave a margin and still fit AVX2's 16 registers beside the two operands. Each step
 * is {@code acc = acc·x + y} with {@code x} just below 1, so the values settle near {@code y / (1 − x)} and never
 * overflow or become subnormal. One int-counted loop: C2 keeps the vectors of such a loop in registers, where a loop
 * nested in a long-counted one left them boxed, in the Vector API's fallback, at a fiftieth of the speed.
 */
final class FloatPeak {
    private static final int ACCUMULATORS = 12;

    private FloatPeak() {
    }

    static long loop(int rounds, float[] sink) {
        if (rounds < 0 || sink.length == 0) {
            throw new IllegalArgumentException("rounds must be at least 0 and sink not empty, got rounds " + rounds
                    + " and a sink of " + sink.length);
        }
        FloatVector x = FloatVector.broadcast(FloatGemm.S, 0.999f);
        FloatVector y = FloatVector.broadcast(FloatGemm.S, 1e-3f);
        FloatVector c0 = FloatVector.broadcast(FloatGemm.S, 0f);
        FloatVector c1 = FloatVector.broadcast(FloatGemm.S, 1f);
        FloatVector c2 = FloatVector.broadcast(FloatGemm.S, 2f);
        FloatVector c3 = FloatVector.broadcast(FloatGemm.S, 3f);
        FloatVector c4 = FloatVector.broadcast(FloatGemm.S, 4f);
        FloatVector c5 = FloatVector.broadcast(FloatGemm.S, 5f);
        FloatVector c6 = FloatVector.broadcast(FloatGemm.S, 6f);
        FloatVector c7 = FloatVector.broadcast(FloatGemm.S, 7f);
        FloatVector c8 = FloatVector.broadcast(FloatGemm.S, 8f);
        FloatVector c9 = FloatVector.broadcast(FloatGemm.S, 9f);
        FloatVector c10 = FloatVector.broadcast(FloatGemm.S, 10f);
        FloatVector c11 = FloatVector.broadcast(FloatGemm.S, 11f);
        for (int r = 0; r < rounds; r++) {
            c0 = c0.fma(x, y);
            c1 = c1.fma(x, y);
            c2 = c2.fma(x, y);
            c3 = c3.fma(x, y);
            c4 = c4.fma(x, y);
            c5 = c5.fma(x, y);
            c6 = c6.fma(x, y);
            c7 = c7.fma(x, y);
            c8 = c8.fma(x, y);
            c9 = c9.fma(x, y);
            c10 = c10.fma(x, y);
            c11 = c11.fma(x, y);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10)
                .add(c11);
        sink[0] = sum.reduceLanes(VectorOperators.ADD);
        return (long) rounds * ACCUMULATORS * FloatGemm.L;
    }
}
