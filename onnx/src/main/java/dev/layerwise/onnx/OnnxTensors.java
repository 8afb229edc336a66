package dev.layerwise.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.layerwise.tensor.DType;
import dev.layerwise.tensor.Shapes;
import dev.layerwise.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Tensors to and from ONNX's {@link TensorProto}: float32, float64 and int64, with the data checked on reading. */
final class OnnxTensors {
    static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
    static final int DOUBLE = TensorProto.DataType.DOUBLE.getNumber();
    static final int INT64 = TensorProto.DataType.INT64.getNumber();

    private OnnxTensors() {
    }

    /** ONNX's element type of a dtype. */
    static int elemType(DType dtype) {
        return dtype == DType.FLOAT32 ? FLOAT : DOUBLE;
    }

    /** The name of an ONNX element type, for messages. */
    static String typeName(int type) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(type);
        return t == null ? "unknown type " + type : t.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * A tensor as an initializer, its elements as little-endian {@code raw_data} (ONNX's compact form, which every
     * reader takes); the values are exactly the tensor's.
     */
    static TensorProto toProto(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(elemType(t.dtype()));
        for (int d : t.shape()) {
            b.addDims(d);
        }
        ByteBuffer buf = ByteBuffer.allocate(t.size() * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == DType.FLOAT32) {
            buf.asFloatBuffer().put(t.floats(), t.offset(), t.size());
        } else {
            buf.asDoubleBuffer().put(t.doubles(), t.offset(), t.size());
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    /**
     * The values of a constant tensor read from a file: its element type, its shape, and its elements as doubles
     * (float32 values widen exactly) or longs.
     */
    record Data(String name, int type, int[] shape, double[] values, long[] longs) {
        int size() {
            return values != null ? values.length : longs.length;
        }

        boolean isFloat() {
            return type == FLOAT || type == DOUBLE;
        }

        /** The elements as a tensor of {@code dtype} (exact: float32 data is only read into float32 models). */
        Tensor toTensor(DType dtype) {
            return Tensor.of(dtype, values, shape);
        }

        String describe() {
            return "'" + OnnxImporter.q(name) + "' " + typeName(type) + Shapes.toString(shape);
        }
    }

    /**
     * Reads a constant tensor, checking that its declared shape and type agree with the data it holds (no array is
     * sized from a declared shape alone).
     *
     * @param what where the tensor is, for messages ("initializer 'W1'")
     * @throws OnnxReadException naming {@code what} and the mismatch
     */
    static Data read(TensorProto p, String what) throws OnnxReadException {
        if (p.getDataLocation() == TensorProto.DataLocation.EXTERNAL || p.getExternalDataCount() > 0) {
            throw new OnnxReadException(what + " keeps its data in an external file; save the model with its "
                    + "data inside (onnx.save_model(..., save_as_external_data=False))");
        }
        if (p.hasSegment()) {
            throw new OnnxReadException(what + " is a segment of a tensor; Layerwise reads whole tensors");
        }
        int[] shape = new int[p.getDimsCount()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = p.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new OnnxReadException(what + " has dimension " + d + " at axis " + i);
            }
            shape[i] = (int) d;
            count *= d;
            if (count > Integer.MAX_VALUE - 8) {
                throw new OnnxReadException(what + " declares more than " + (Integer.MAX_VALUE - 8) + " elements");
            }
        }
        int type = p.getDataType();
        int n = (int) count;
        ByteString raw = p.getRawData();
        boolean hasRaw = p.hasRawData();
        if (type == FLOAT) {
            double[] v = new double[checkCount(what, n, hasRaw ? raw.size() : p.getFloatDataCount(), hasRaw, 4)];
            if (hasRaw) {
                ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    v[i] = b.getFloat();
                }
            } else {
                for (int i = 0; i < n; i++) {
                    v[i] = p.getFloatData(i);
                }
            }
            return new Data(p.getName(), type, shape, v, null);
        }
        if (type == DOUBLE) {
            double[] v = new double[checkCount(what, n, hasRaw ? raw.size() : p.getDoubleDataCount(), hasRaw, 8)];
            if (hasRaw) {
                ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    v[i] = b.getDouble();
                }
            } else {
                for (int i = 0; i < n; i++) {
                    v[i] = p.getDoubleData(i);
                }
            }
            return new Data(p.getName(), type, shape, v, null);
        }
        if (type == INT64) {
            long[] v = new long[checkCount(what, n, hasRaw ? raw.size() : p.getInt64DataCount(), hasRaw, 8)];
            if (hasRaw) {
                ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    v[i] = b.getLong();
                }
            } else {
                for (int i = 0; i < n; i++) {
                    v[i] = p.getInt64Data(i);
                }
            }
            return new Data(p.getName(), type, shape, null, v);
        }
        throw new OnnxReadException(what + " is of " + typeName(type) + "; Layerwise reads float, double and int64 "
                + "tensors");
    }

    /** Checks that the data holds exactly {@code n} elements; returns {@code n}. */
    private static int checkCount(String what, int n, int available, boolean raw, int elementBytes)
            throws OnnxReadException {
        long expected = raw ? (long) n * elementBytes : n;
        if (available != expected) {
            throw new OnnxReadException(what + " declares " + n + " elements but holds "
                    + (raw ? available + " bytes, " + expected + " expected" : available));
        }
        return n;
    }
}
