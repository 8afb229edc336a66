package dev.layerwise.kernel.vector;

import dev.layerwise.kernel.MatrixKernels;

/** The {@link MatrixKernels} on the Vector API: register-tiled products ({@link FloatGemm}, {@link DoubleGemm}). */
final class VectorMatrix implements MatrixKernels {
    private final WarmUp warmUp;

    VectorMatrix(WarmUp warmUp) {
        this.warmUp = warmUp;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        FloatGemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, null, 0);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        warmUp.doublesBeforeFirstUse();
        DoubleGemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, null, 0);
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, float[] b,
                         int bOff, float[] bias, int biasOff, float[] c, int cOff) {
        FloatGemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, false, bias, biasOff);
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b,
                         int bOff, double[] bias, int biasOff, double[] c, int cOff) {
        warmUp.doublesBeforeFirstUse();
        DoubleGemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, false, bias, biasOff);
    }

    @Override
    public void gemmBatch(int batch, boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                          float[] bias, int biasOff, float[] c, int cOff) {
        FloatRanges.gemmBatch(batch, transA, m, n, k, a, aOff, b, bOff, bias, biasOff, c, cOff);
    }

    @Override
    public void gemmBatch(int batch, boolean transA, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                          double[] bias, int biasOff, double[] c, int cOff) {
        warmUp.doublesBeforeFirstUse();
        DoubleRanges.gemmBatch(batch, transA, m, n, k, a, aOff, b, bOff, bias, biasOff, c, cOff);
    }

    @Override
    public long fmaLoop(int rounds, float[] sink) {
        return FloatPeak.loop(rounds, sink);
    }
}
