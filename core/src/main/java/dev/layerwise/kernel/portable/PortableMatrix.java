package dev.layerwise.kernel.portable;

import dev.layerwise.kernel.MatrixKernels;

/**
 * The portable {@link MatrixKernels}: plain loops split over the threads by rows of the output ({@link FloatProducts},
 * {@link DoubleProducts}). The reference the Vector API kernels are tested against, and the fallback where that API
 * is not enabled.
 */
public final class PortableMatrix implements MatrixKernels {

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                     float[] c, int cOff, boolean accumulate) {
        FloatProducts.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                     double[] c, int cOff, boolean accumulate) {
        DoubleProducts.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                         float[] bias, int biasOff, float[] c, int cOff) {
        FloatProducts.gemmBias(transA, transB, m, n, k, a, aOff, b, bOff, bias, biasOff, c, cOff);
    }

    @Override
    public void gemmBias(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b,
                         int bOff, double[] bias, int biasOff, double[] c, int cOff) {
        DoubleProducts.gemmBias(transA, transB, m, n, k, a, aOff, b, bOff, bias, biasOff, c, cOff);
    }

    @Override
    public void gemmBatch(int batch, boolean transA, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                          float[] bias, int biasOff, float[] c, int cOff) {
        FloatProducts.gemmBatch(batch, transA, m, n, k, a, aOff, b, bOff, bias, biasOff, c, cOff);
    }

    @Override
    public void gemmBatch(int batch, boolean transA, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
                          double[] bias, int biasOff, double[] c, int cOff) {
        DoubleProducts.gemmBatch(batch, transA, m, n, k, a, aOff, b, bOff, bias, biasOff, c, cOff);
    }

    @Override
    public long fmaLoop(int rounds, float[] sink) {
        return FloatPeak.loop(rounds, sink);
    }
}
