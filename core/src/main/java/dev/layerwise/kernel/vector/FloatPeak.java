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
 * is the micro-kernels' own, {@code acc = x·y + acc}, the accumulator the addend: in the form
 * {@code acc = acc·x + y} C2's 256-bit code ran a seventh below the processor's pace (its 512-bit code runs both forms
 * alike). {@code x·y} is a power of two, 2⁻¹¹, so every sum is exact until an accumulator passes 2¹³ (sixteen million
 * rounds), and nothing overflows or becomes subnormal after that either. One int-counted loop: C2 keeps the vectors of
 * such a loop in registers, where a loop nested in a long-counted one left them boxed, in the Vector API's fallback, at
 * a fiftieth of the speed.
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
        FloatVector x = FloatVector.broadcast(FloatGemm.S, 0.5f);
        FloatVector y = FloatVector.broadcast(FloatGemm.S, 0x1p-10f);
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
            c0 = x.fma(y, c0);
            c1 = x.fma(y, c1);
            c2 = x.fma(y, c2);
            c3 = x.fma(y, c3);
            c4 = x.fma(y, c4);
            c5 = x.fma(y, c5);
            c6 = x.fma(y, c6);
            c7 = x.fma(y, c7);
            c8 = x.fma(y, c8);
            c9 = x.fma(y, c9);
            c10 = x.fma(y, c10);
            c11 = x.fma(y, c11);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10)
                .add(c11);
        sink[0] = sum.reduceLanes(VectorOperators.ADD);
        return (long) rounds * ACCUMULATORS * FloatGemm.L;
    }
}
