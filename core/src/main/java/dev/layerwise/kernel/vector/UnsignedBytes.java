package dev.layerwise.kernel.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Image bytes to float32 with the Vector API (the float64 form gains nothing from vectors and stays portable). */
final class UnsignedBytes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Bytes and ints as many to a vector as floats in {@link #S}. */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final VectorSpecies<Integer> INTS = S.withLanes(int.class);

    private UnsignedBytes() {
    }

    /** Bytes as unsigned values: widened to ints (signed), the sign's bits masked off, then float32 and divided. */
    static void fromUnsignedBytes(int n, byte[] x, int xOff, float divisor, float[] out, int outOff) {
        int i = 0;
        for (; i <= n - L; i += L) {
            IntVector ints = (IntVector) ByteVector.fromArray(BYTES, x, xOff + i)
                    .convertShape(VectorOperators.B2I, INTS, 0);
            ((FloatVector) ints.and(0xFF).convert(VectorOperators.I2F, 0)).div(divisor).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = (x[xOff + i] & 0xFF) / divisor;
        }
    }

}
